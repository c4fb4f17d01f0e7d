using System.Runtime.InteropServices;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Native;

/// <summary>Calls the real C library through the blittable P/Invoke declarations.</summary>
[TestFixture]
public sealed unsafe class LibCTests
{
    [Test]
    public void EventFd_WriteThenPollThenRead_ReturnsTheCounter()
    {
        int fd = LibC.EventFd(0, LibC.EventFdCloseOnExec | LibC.EventFdNonBlock);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Errno.Describe(Errno.Last));
        try
        {
            ulong value = 5;
            Assert.That(LibC.Write(fd, &value, 8), Is.EqualTo((nint)8));
            var pfd = new PollFd { Fd = fd, Events = LibC.PollIn };
            Assert.That(LibC.Poll(&pfd, 1, 0), Is.EqualTo(1));
            Assert.That(pfd.Revents & LibC.PollIn, Is.EqualTo(LibC.PollIn));
            ulong read = 0;
            Assert.That(LibC.Read(fd, &read, 8), Is.EqualTo((nint)8));
            Assert.That(read, Is.EqualTo(5UL));
            Assert.That(LibC.Read(fd, &read, 8), Is.EqualTo((nint)(-1)));
            Assert.That(Errno.Last, Is.EqualTo(Errno.EAGAIN));
        }
        finally
        {
            Assert.That(LibC.Close(fd), Is.Zero);
        }
    }

    [Test]
    public void Ioctl_VfioRequestOnDevNull_FailsWithEnotty()
    {
        int fd = LibC.Open("/dev/null", LibC.OpenReadWrite | LibC.OpenCloseOnExec);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Errno.Describe(Errno.Last));
        try
        {
            Assert.That(LibC.Ioctl(fd, VfioIoctl.GetApiVersion, 0), Is.EqualTo(-1));
            Assert.That(Errno.Name(Errno.Last), Is.EqualTo("ENOTTY"));
            var status = new VfioGroupStatus { Argsz = (uint)sizeof(VfioGroupStatus) };
            Assert.That(LibC.Ioctl(fd, VfioIoctl.GroupGetStatus, &status), Is.EqualTo(-1));
            Assert.That(Errno.Last, Is.EqualTo(Errno.ENOTTY));
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    [Test]
    public void Open_MissingFile_FailsWithEnoent_AndCloseOfABadFdWithEbadf()
    {
        Assert.That(LibC.Open("/dev/vfio/does-not-exist-h6", LibC.OpenReadWrite), Is.EqualTo(-1));
        Assert.That(Errno.Last, Is.EqualTo(Errno.ENOENT));
        Assert.That(LibC.Close(-1), Is.EqualTo(-1));
        Assert.That(Errno.Last, Is.EqualTo(Errno.EBADF));
    }

    [Test]
    public void PWriteThenPRead_AtAnOffset_RoundTrips()
    {
        string path = Path.Combine(Path.GetTempPath(), $"h6-pread-{Environment.ProcessId}-{Guid.NewGuid():N}");
        int fd = LibC.Open(path, LibC.OpenReadWrite | 0x40 /* O_CREAT */, 0x180 /* 0600 */);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Errno.Describe(Errno.Last));
        try
        {
            uint value = 0xdeadbeef;
            Assert.That(LibC.PWrite(fd, &value, 4, 4096), Is.EqualTo((nint)4));
            uint read = 0;
            Assert.That(LibC.PRead(fd, &read, 4, 4096), Is.EqualTo((nint)4));
            Assert.That(read, Is.EqualTo(0xdeadbeef));
        }
        finally
        {
            LibC.Close(fd);
            File.Delete(path);
        }
    }

    [Test]
    public void Errno_NamesAndDescriptions()
    {
        Assert.That(Errno.Name(Errno.E2BIG), Is.EqualTo("E2BIG"));
        Assert.That(Errno.Name(Errno.EOPNOTSUPP), Is.EqualTo("EOPNOTSUPP"));
        Assert.That(Errno.Name(4095), Is.EqualTo("errno 4095"));
        Assert.That(Errno.Describe(Errno.ENOTTY), Is.EqualTo("ENOTTY (25, Inappropriate ioctl for device)"));
    }

    [Test]
    public void Assembly_DisablesRuntimeMarshalling()
    {
        Assert.That(typeof(LibC).Assembly.GetCustomAttributes(typeof(System.Runtime.CompilerServices.DisableRuntimeMarshallingAttribute), false), Has.Length.EqualTo(1));
    }
}
