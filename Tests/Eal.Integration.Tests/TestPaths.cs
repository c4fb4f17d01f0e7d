namespace Eal.Integration.Tests;

/// <summary>Places the tests need on disk.</summary>
internal static class TestPaths
{
    /// <summary>The sample plugin as the build copied it.</summary>
    public static string SamplePluginBuildDir => Path.Combine(TestContext.CurrentContext.TestDirectory, "plugins", "SamplePlugin");

    /// <summary>
    /// A fresh directory no other user can write to, with no world-writable ancestor (plugin loading refuses
    /// those, as DPDK does, and the test output may sit under /tmp).
    /// </summary>
    public static string PrivateDirectory()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string dir = Path.Combine(home, ".cache", "eal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    /// <summary>Copies the sample plugin into a private directory and returns the directory.</summary>
    public static string PrivateSamplePluginCopy()
    {
        string dir = PrivateDirectory();
        foreach (var f in Directory.GetFiles(SamplePluginBuildDir))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }
}
