using System;

namespace Firehose.Local.Faults
{
    /// <summary>Draws whether an injected fault happens, against the rates of <see cref="FaultSettings"/>.</summary>
    internal static class FaultDice
    {
        /// <summary>True with probability <paramref name="rate"/>; never for 0, always for 1.</summary>
        public static bool Roll(double rate) => rate > 0 && (rate >= 1 || Random.Shared.NextDouble() < rate);
    }
}
