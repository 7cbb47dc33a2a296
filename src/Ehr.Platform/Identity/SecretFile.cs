namespace Ehr.Platform.Identity;

/// <summary>Key material kept on disk under the data directory: written once, readable by its owner only.</summary>
internal static class SecretFile
{
    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> (mode 600) unless the file exists. Two processes
    /// starting at once (host and worker, parallel test runs): the first rename wins and both then read the same file.
    /// </summary>
    public static void WriteOnce(string path, byte[] content)
    {
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temp, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temp);
        }
    }
}
