#if NETSTANDARD2_0
using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-in for <c>File.Move(string, string, bool overwrite)</c> (.NET Core 3.0+): one rename that
    /// replaces the destination, never a copy and never a moment without the destination file.
    /// </summary>
    internal static class FilePolyfill
    {
        private const uint MOVEFILE_REPLACE_EXISTING = 0x1;
        private const int ERROR_FILE_NOT_FOUND = 2;
        private const int ERROR_PATH_NOT_FOUND = 3;
        private const int ERROR_ACCESS_DENIED = 5;

        extension(File)
        {
            /// <summary>
            /// Renames <paramref name="sourceFileName"/> to <paramref name="destFileName"/>, replacing it when
            /// <paramref name="overwrite"/>. On Windows this is MoveFileEx with MOVEFILE_REPLACE_EXISTING (.NET 8 adds
            /// MOVEFILE_COPY_ALLOWED, which a rename within the buffer's directory never needs; no \\?\ prefix for long
            /// paths); elsewhere rename(2), through <see cref="File.Replace(string, string, string)"/> when the destination
            /// exists.
            /// </summary>
            public static void Move(string sourceFileName, string destFileName, bool overwrite)
            {
                if (!overwrite)
                {
                    File.Move(sourceFileName, destFileName);
                    return;
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                    MoveReplacingOnWindows(Path.GetFullPath(sourceFileName), Path.GetFullPath(destFileName));
                else
                    MoveReplacing(sourceFileName, destFileName);
            }
        }

        /// <summary>
        /// The rename where <c>File.Replace</c> is a rename (Unix: rename(2), atomic, replacing the destination), and
        /// <c>File.Move</c> when there is nothing to replace. A destination that appears or goes away in between is
        /// met by trying the other way once.
        /// </summary>
        internal static void MoveReplacing(string sourceFileName, string destFileName)
        {
            for (int attempt = 0; ; attempt++)
            {
                if (File.Exists(destFileName))
                {
                    try
                    {
                        File.Replace(sourceFileName, destFileName, destinationBackupFileName: null);
                        return;
                    }
                    catch (FileNotFoundException) when (attempt == 0 && File.Exists(sourceFileName) && !File.Exists(destFileName))
                    {
                        // The destination went away in between: move instead.
                    }
                }
                else
                {
                    try
                    {
                        File.Move(sourceFileName, destFileName);
                        return;
                    }
                    catch (IOException) when (attempt == 0 && File.Exists(sourceFileName) && File.Exists(destFileName))
                    {
                        // The destination appeared in between: replace it instead.
                    }
                }
            }
        }

        private static void MoveReplacingOnWindows(string source, string destination)
        {
            if (MoveFileEx(source, destination, MOVEFILE_REPLACE_EXISTING))
                return;
            int error = Marshal.GetLastWin32Error();
            string message = new Win32Exception(error).Message + " : '" + source + "' -> '" + destination + "'";
            switch (error)
            {
                case ERROR_FILE_NOT_FOUND:
                    throw new FileNotFoundException(message, source);
                case ERROR_PATH_NOT_FOUND:
                    throw new DirectoryNotFoundException(message);
                case ERROR_ACCESS_DENIED:
                    throw new UnauthorizedAccessException(message);
                default:
                    throw new IOException(message, unchecked((int)0x80070000 | error));
            }
        }

        [DllImport("kernel32.dll", EntryPoint = "MoveFileExW", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool MoveFileEx(string existingFileName, string newFileName, uint flags);
    }
}
#endif
