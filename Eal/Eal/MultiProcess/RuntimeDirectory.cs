using Eal.Options;

namespace Eal.MultiProcess;

/// <summary>
/// The runtime directory (<c>/var/run/dpdk/&lt;file-prefix&gt;</c>) and its <c>config</c> file, whose lock
/// marks the primary process; <c>--proc-type=auto</c> becomes secondary when another process holds it.
/// </summary>
public sealed class RuntimeDirectory : IDisposable
{
    private FileStream? _configLock;

    private RuntimeDirectory(string path, EalProcessType processType, FileStream? configLock)
    {
        Path = path;
        ProcessType = processType;
        _configLock = configLock;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Primary or secondary (never auto).</summary>
    public EalProcessType ProcessType { get; }

    /// <summary>DPDK's default base: <c>$RUNTIME_DIRECTORY</c>, else <c>/var/run</c> for root, else <c>$XDG_RUNTIME_DIR</c> or <c>/tmp</c>.</summary>
    public static string DefaultBase()
    {
        string? env = Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY");
        if (!string.IsNullOrEmpty(env)) return env;
        if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root") return "/var/run";
        return Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg ? xdg : "/tmp";
    }

    /// <summary>
    /// Creates the directory and takes the primary's lock, or checks a primary holds it (secondary).
    /// With no shared config (<c>--no-shconf</c>, <c>--in-memory</c>) nothing is created and the process is primary.
    /// </summary>
    /// <exception cref="EalInitException">Another primary runs, or a secondary has no primary.</exception>
    public static RuntimeDirectory Open(string baseDirectory, string filePrefix, EalProcessType requested, bool sharedConfig)
    {
        string dir = System.IO.Path.Combine(baseDirectory, "dpdk", filePrefix);
        if (!sharedConfig)
        {
            if (requested == EalProcessType.Secondary)
                throw new EalInitException("--proc-type=secondary needs the shared configuration; drop --no-shconf/--in-memory");
            return new RuntimeDirectory(dir, EalProcessType.Primary, null);
        }
        try
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EalInitException($"Cannot create runtime directory {dir}: {ex.Message}; set RUNTIME_DIRECTORY to a writable place or use --in-memory", ex);
        }
        string config = System.IO.Path.Combine(dir, "config");
        FileStream? held = TryLock(config);
        switch (requested)
        {
            case EalProcessType.Primary when held is null:
                throw new EalInitException($"Cannot create lock on '{config}'. Is another primary process running? Give this one another --file-prefix, or start it with --proc-type=secondary");
            case EalProcessType.Primary:
                return new RuntimeDirectory(dir, EalProcessType.Primary, held);
            case EalProcessType.Secondary when held is not null:
                held.Dispose();
                File.Delete(config);
                throw new EalInitException($"--proc-type=secondary: no primary process holds '{config}'; start the primary first with the same --file-prefix ({filePrefix})");
            case EalProcessType.Secondary:
                return new RuntimeDirectory(dir, EalProcessType.Secondary, null);
            default: // auto
                return held is not null
                    ? new RuntimeDirectory(dir, EalProcessType.Primary, held)
                    : new RuntimeDirectory(dir, EalProcessType.Secondary, null);
        }
    }

    private static FileStream? TryLock(string path)
    {
        try
        {
            // FileShare.None takes an exclusive advisory lock on Unix; it is released when the process dies.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Releases the primary's lock.</summary>
    public void Dispose()
    {
        _configLock?.Dispose();
        _configLock = null;
    }
}
