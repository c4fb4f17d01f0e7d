namespace Eal.Memory.Os;

/// <summary>Names for the errno values the memory code reports (Linux numbering).</summary>
public static class Errno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>Bad file descriptor.</summary>
    public const int EBADF = 9;
    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Bad address.</summary>
    public const int EFAULT = 14;
    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;
    /// <summary>File exists.</summary>
    public const int EEXIST = 17;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>No space left on device.</summary>
    public const int ENOSPC = 28;
    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;

    /// <summary>The symbolic name of <paramref name="errno"/> (for example <c>ENOMEM</c>), or <c>errno N</c>.</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EBADF => "EBADF",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        EINVAL => "EINVAL",
        ENOSPC => "ENOSPC",
        EOPNOTSUPP => "EOPNOTSUPP",
        19 => "ENODEV",
        24 => "EMFILE",
        30 => "EROFS",
        _ => $"errno {errno}",
    };
}

/// <summary>A failed OS call made by the memory subsystem; carries the call, its target and the errno.</summary>
public sealed class MemoryOsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="call">The failing call, e.g. <c>mmap</c>.</param>
    /// <param name="target">What it was applied to (a path, an address range).</param>
    /// <param name="errno">The errno value.</param>
    public MemoryOsException(string call, string target, int errno)
        : base($"{call}({target}) failed: {Errno.Name(errno)}")
    {
        Call = call;
        Target = target;
        ErrorNumber = errno;
    }

    /// <summary>The failing call.</summary>
    public string Call { get; }

    /// <summary>What the call was applied to.</summary>
    public string Target { get; }

    /// <summary>The errno value.</summary>
    public int ErrorNumber { get; }

    /// <summary>The errno symbolic name.</summary>
    public string ErrorName => Errno.Name(ErrorNumber);
}
