using System.Runtime.InteropServices;

namespace Eal.Vfio.Native;

public static unsafe partial class LibC
{
    /// <summary><c>mmap(2)</c>; flags and protections are in <see cref="MmapConstants"/>.</summary>
    /// <returns>The mapped address, or <c>MAP_FAILED</c> (-1) with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    /// <summary><c>munmap(2)</c>.</summary>
    /// <returns>0, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);
}

/// <summary>
/// <c>mmap(2)</c> protections and flags (Linux x86_64/arm64 values), kept apart from <see cref="LibC"/>'s constants,
/// which the uAPI golden file pins one by one.
/// </summary>
public static class MmapConstants
{
    /// <summary><c>PROT_NONE</c>.</summary>
    public const int ProtNone = 0x0;
    /// <summary><c>PROT_READ</c>.</summary>
    public const int ProtRead = 0x1;
    /// <summary><c>PROT_WRITE</c>.</summary>
    public const int ProtWrite = 0x2;
    /// <summary><c>MAP_SHARED</c>.</summary>
    public const int MapShared = 0x01;
    /// <summary><c>MAP_PRIVATE</c>.</summary>
    public const int MapPrivate = 0x02;
    /// <summary><c>MAP_FIXED</c>.</summary>
    public const int MapFixed = 0x10;
    /// <summary><c>MAP_ANONYMOUS</c>.</summary>
    public const int MapAnonymous = 0x20;
    /// <summary><c>MAP_NORESERVE</c>.</summary>
    public const int MapNoReserve = 0x4000;
    /// <summary><c>MAP_POPULATE</c>.</summary>
    public const int MapPopulate = 0x8000;
}
