using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Api;

/// <summary><see cref="LinuxKernel"/> maps -1 + errno to -errno on the real system calls.</summary>
[TestFixture]
public sealed unsafe class LinuxKernelTests
{
    private readonly LinuxKernel _kernel = new();

    [Test]
    public void Open_MissingFile_IsNegativeEnoent() =>
        Assert.That(_kernel.Open("/nonexistent/vfio/vfio", LibC.OpenReadWrite), Is.EqualTo(-Errno.ENOENT));

    [Test]
    public void VfioIoctlOnDevNull_IsNegativeEnotty_AndCloseTwiceIsEbadf()
    {
        int fd = _kernel.Open("/dev/null", LibC.OpenReadWrite);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0));
        Assert.That(_kernel.IoctlValue(fd, VfioIoctl.GetApiVersion, 0), Is.EqualTo(-Errno.ENOTTY));
        var status = new VfioGroupStatus { Argsz = 8 };
        Assert.That(_kernel.Ioctl(fd, VfioIoctl.GroupGetStatus, &status), Is.EqualTo(-Errno.ENOTTY));
        Assert.That(_kernel.Close(fd), Is.Zero);
        Assert.That(_kernel.Close(fd), Is.EqualTo(-Errno.EBADF));
    }

    [Test]
    public void EventFd_WriteReadPoll()
    {
        int fd = _kernel.EventFd(0, LibC.EventFdNonBlock);
        try
        {
            ulong v = 0;
            Assert.That(_kernel.Read(fd, &v, 8), Is.EqualTo((nint)(-Errno.EAGAIN)));
            Assert.That(_kernel.Poll(fd, LibC.PollIn, 0), Is.Zero);
            v = 3;
            Assert.That(_kernel.Write(fd, &v, 8), Is.EqualTo((nint)8));
            Assert.That(_kernel.Poll(fd, LibC.PollIn, 0), Is.EqualTo((int)LibC.PollIn));
            v = 0;
            Assert.That(_kernel.Read(fd, &v, 8), Is.EqualTo((nint)8));
            Assert.That(v, Is.EqualTo(3UL));
        }
        finally
        {
            _kernel.Close(fd);
        }
    }

    [Test]
    public void Mmap_Anonymous_AndErrors()
    {
        nint p = _kernel.Mmap(0, 8192, MmapConstants.ProtRead | MmapConstants.ProtWrite, MmapConstants.MapPrivate | MmapConstants.MapAnonymous, -1, 0);
        Assert.That(Platform.KernelResult.IsMmapError(p), Is.False);
        *(int*)p = 42;
        Assert.That(*(int*)p, Is.EqualTo(42));
        Assert.That(_kernel.Munmap(p, 8192), Is.Zero);
        Assert.That(_kernel.Mmap(0, 0, MmapConstants.ProtRead, MmapConstants.MapPrivate | MmapConstants.MapAnonymous, -1, 0), Is.EqualTo((nint)(-Errno.EINVAL)));
        Assert.That(_kernel.Mmap(0, 4096, MmapConstants.ProtRead, MmapConstants.MapShared, 1 << 20, 0), Is.EqualTo((nint)(-Errno.EBADF)));
    }

    [Test]
    public void PReadPWrite_AtOffset()
    {
        string path = Path.GetTempFileName();
        try
        {
            int fd = _kernel.Open(path, LibC.OpenReadWrite);
            byte* data = stackalloc byte[] { 1, 2, 3 };
            Assert.That(_kernel.PWrite(fd, data, 3, 100), Is.EqualTo((nint)3));
            byte* back = stackalloc byte[3];
            Assert.That(_kernel.PRead(fd, back, 3, 100), Is.EqualTo((nint)3));
            Assert.That(back[2], Is.EqualTo(3));
            _kernel.Close(fd);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
