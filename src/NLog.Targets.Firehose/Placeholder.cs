namespace NLog.Targets.Firehose
{
    internal static class Placeholder { }
}
