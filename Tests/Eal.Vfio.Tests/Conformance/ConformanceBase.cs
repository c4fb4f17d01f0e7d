using System.Runtime.InteropServices;
using System.Text;
using Eal.Platform;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>
/// Shared plumbing of the ioctl-level conformance cases: a target per test, fds closed and memory freed after
/// each, small helpers that return the raw kernel result (a value or -errno). Cases assert exact errnos, the
/// ones Linux 6.12 answers (checked on the VM's real kernel).
/// </summary>
public abstract unsafe class ConformanceBase
{
    private readonly List<int> _fds = [];
    private readonly List<nint> _buffers = [];

    /// <summary>The target of the current test.</summary>
    protected ConformanceTarget T { get; private set; } = null!;

    /// <summary>The kernel of the current test.</summary>
    protected IKernel K => T.Kernel;

    /// <summary>The flavour this fixture tests.</summary>
    protected abstract VfioFlavour Flavour { get; }

    /// <summary>The function the cases need, or null for any vfio-pci function (the emulated twin then gets two generic NICs).</summary>
    protected virtual ConformanceDevice? Function => null;

    /// <summary>The emulated twin's target: the emulated kernel with <see cref="Function"/>'s model in this flavour.</summary>
    protected ConformanceTarget? CreateEmulated(out string reason)
    {
        // a device model still being written has no spec key yet: say so instead of failing every case
        if (Function is { } f && !Eal.Emulation.MachineSpec.Keys.Contains(f.SpecKey))
        {
            reason = $"the emulated platform has no {f.Name} model yet (no --emulate key '{f.SpecKey}')";
            return null;
        }
        reason = string.Empty;
        return new EmulatedTarget(Flavour, Function);
    }

    /// <summary>The real twin's target: this machine's <see cref="Function"/> bound to vfio-pci in this flavour, or null with the reason.</summary>
    protected ConformanceTarget? CreateReal(out string reason) => RealTarget.TryCreate(Flavour, out reason, Function);

    /// <summary>Creates the target, or null with the reason to skip.</summary>
    protected abstract ConformanceTarget? CreateTarget(out string reason);

    /// <summary>Per-test setup.</summary>
    [SetUp]
    public void SetUpTarget()
    {
        var target = CreateTarget(out string reason);
        if (target is null) Assert.Ignore(reason);
        T = target!;
    }

    /// <summary>Per-test teardown: closes fds (newest first), frees buffers, checks the emulated kernel holds nothing.</summary>
    [TearDown]
    public void TearDownTarget()
    {
        if (T is null) return;
        for (int i = _fds.Count - 1; i >= 0; i--) K.Close(_fds[i]);
        _fds.Clear();
        foreach (var b in _buffers) NativeMemory.AlignedFree((void*)b);
        _buffers.Clear();
        var leaks = T.Emulated?.Resources;
        T.Dispose();
        if (leaks is { } r) Assert.That(r.IsEmpty, Is.True, $"the kernel still holds {r} after every fd was closed");
        T = null!;
    }

    /// <summary>Tracks an fd for teardown; asserts it is valid.</summary>
    protected int Keep(int fd, string what)
    {
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"{what} failed with {Errno.Name(-fd)}");
        _fds.Add(fd);
        return fd;
    }

    /// <summary>Closes a tracked fd now.</summary>
    protected void CloseNow(int fd)
    {
        _fds.Remove(fd);
        Assert.That(K.Close(fd), Is.EqualTo(0));
    }

    /// <summary>A page-aligned, touched buffer of <paramref name="size"/> bytes.</summary>
    protected ulong Buffer(ulong size = 1 << 21)
    {
        var p = NativeMemory.AlignedAlloc((nuint)size, 4096);
        new Span<byte>(p, (int)size).Fill(1);
        _buffers.Add((nint)p);
        return (ulong)p;
    }

    protected string Dev(string relative) => Path.Combine(T.DevRoot, relative);

    protected int OpenContainer() => Keep(K.Open(Dev("vfio/vfio"), LibC.OpenReadWrite), "open container");

    protected int OpenGroup() =>
        Keep(K.Open(Dev(Flavour == VfioFlavour.NoIommu ? $"vfio/noiommu-{T.Group}" : $"vfio/{T.Group}"), LibC.OpenReadWrite), "open group");

    protected int SetContainer(int group, int container) => K.Ioctl(group, VfioIoctl.GroupSetContainer, &container);

    /// <summary>Container with the device's group set and the IOMMU type set (type1v2 or no-IOMMU).</summary>
    protected (int Container, int Group) ContainerReady()
    {
        int c = OpenContainer(), g = OpenGroup();
        Assert.That(SetContainer(g, c), Is.EqualTo(0));
        uint type = Flavour == VfioFlavour.NoIommu ? VfioConstants.NoiommuIommu : VfioConstants.Type1v2Iommu;
        Assert.That(K.IoctlValue(c, VfioIoctl.SetIommu, (nint)type), Is.EqualTo(0));
        return (c, g);
    }

    protected int GetDeviceFd(int group, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes) return K.Ioctl(group, VfioIoctl.GroupGetDeviceFd, p);
    }

    /// <summary>A device fd in group/no-IOMMU flavour, or a bound+attached cdev in cdev flavour.</summary>
    protected int OpenDevice()
    {
        if (Flavour == VfioFlavour.Cdev)
        {
            var (iommufd, ioas) = IommufdWithIoas();
            int d = OpenCdev();
            Assert.That(BindCdev(d, iommufd, out _), Is.EqualTo(0));
            Assert.That(AttachCdev(d, ioas, out _), Is.EqualTo(0));
            return d;
        }
        var (_, g) = ContainerReady();
        return Keep(GetDeviceFd(g, T.Device), "VFIO_GROUP_GET_DEVICE_FD");
    }

    protected int Map(int container, ulong iova, ulong vaddr, ulong size, uint flags = 3, uint argsz = 32)
    {
        var m = new VfioIommuType1DmaMap { Argsz = argsz, Flags = flags, Vaddr = vaddr, Iova = iova, Size = size };
        return K.Ioctl(container, VfioIoctl.IommuMapDma, &m);
    }

    protected int Unmap(int container, ulong iova, ulong size, out ulong unmapped, uint flags = 0)
    {
        var u = new VfioIommuType1DmaUnmap { Argsz = 24, Flags = flags, Iova = iova, Size = size };
        int r = K.Ioctl(container, VfioIoctl.IommuUnmapDma, &u);
        unmapped = u.Size;
        return r;
    }

    protected int OpenIommufd() => Keep(K.Open(Dev("iommu"), LibC.OpenReadWrite), "open /dev/iommu");

    protected int OpenCdev() => Keep(K.Open(Dev($"vfio/devices/vfio{T.Cdev}"), LibC.OpenReadWrite), "open cdev");

    protected int IoasAlloc(int iommufd, out uint id, uint flags = 0, uint size = 12)
    {
        var a = new IommuIoasAlloc { Size = size, Flags = flags };
        int r = K.Ioctl(iommufd, IommuFdIoctl.IoasAlloc, &a);
        id = a.OutIoasId;
        return r;
    }

    protected (int Iommufd, uint Ioas) IommufdWithIoas()
    {
        int fd = OpenIommufd();
        Assert.That(IoasAlloc(fd, out uint id), Is.EqualTo(0));
        return (fd, id);
    }

    protected int BindCdev(int device, int iommufd, out uint devid, uint argsz = 16, uint flags = 0)
    {
        var b = new VfioDeviceBindIommufd { Argsz = argsz, Flags = flags, Iommufd = iommufd };
        int r = K.Ioctl(device, VfioIoctl.DeviceBindIommufd, &b);
        devid = b.OutDevid;
        return r;
    }

    protected int AttachCdev(int device, uint ptId, out uint attached, uint argsz = 16, uint flags = 0)
    {
        var a = new VfioDeviceAttachIommufdPt { Argsz = argsz, Flags = flags, PtId = ptId };
        int r = K.Ioctl(device, VfioIoctl.DeviceAttachIommufdPt, &a);
        attached = a.PtId;
        return r;
    }

    protected int DetachCdev(int device)
    {
        var d = new VfioDeviceDetachIommufdPt { Argsz = 12 };
        return K.Ioctl(device, VfioIoctl.DeviceDetachIommufdPt, &d);
    }

    protected int IoasMap(int iommufd, uint ioas, ulong iova, ulong va, ulong length, out ulong outIova, uint flags = 7, uint reserved = 0)
    {
        var m = new IommuIoasMap { Size = 40, Flags = flags, IoasId = ioas, Reserved = reserved, UserVa = va, Length = length, Iova = iova };
        int r = K.Ioctl(iommufd, IommuFdIoctl.IoasMap, &m);
        outIova = m.Iova;
        return r;
    }

    protected int IoasUnmap(int iommufd, uint ioas, ulong iova, ulong length, out ulong unmapped)
    {
        var u = new IommuIoasUnmap { Size = 24, IoasId = ioas, Iova = iova, Length = length };
        int r = K.Ioctl(iommufd, IommuFdIoctl.IoasUnmap, &u);
        unmapped = u.Length;
        return r;
    }

    protected int Destroy(int iommufd, uint id)
    {
        var d = new IommuDestroy { Size = 8, Id = id };
        return K.Ioctl(iommufd, IommuFdIoctl.Destroy, &d);
    }

    /// <summary>VFIO_DEVICE_SET_IRQS with up to 8 eventfds (argsz computed unless given); the raw result.</summary>
    protected int SetIrqs(int device, uint flags, uint index, uint start, uint count, int[]? fds = null, uint? argsz = null)
    {
        var buffer = stackalloc byte[64];
        var set = (VfioIrqSet*)buffer;
        *set = new VfioIrqSet { Argsz = argsz ?? (uint)(20 + 4 * (fds?.Length ?? 0)), Flags = flags, Index = index, Start = start, Count = count };
        for (int i = 0; fds is not null && i < fds.Length; i++) ((int*)(buffer + 20))[i] = fds[i];
        return K.Ioctl(device, VfioIoctl.DeviceSetIrqs, buffer);
    }

    /// <summary>The VFIO flavour this fixture tests (the runner files its cases under this mode).</summary>
    public VfioFlavour Mode => Flavour;

    /// <summary>
    /// Asserts the raw result is -<paramref name="errno"/>, naming both in the message, and records the answer in the
    /// test's output for the errno differential (<see cref="ErrnoDifferential"/>): every invalid call goes through here.
    /// On a real kernel, an answer that <see cref="ErrnoDifferential.Known"/> documents for its version is accepted.
    /// </summary>
    protected void AssertErrno(long result, int errno, string what)
    {
        TestContext.Out.WriteLine(ErrnoRecord.Line(what, result));
        string answer = ErrnoRecord.AnswerOf(result);
        if (T.Emulated is null && answer != Errno.Name(errno)
            && ErrnoDifferential.Allowing(GetType().BaseType!.Name, TestContext.CurrentContext.Test.Name, what, answer, Environment.OSVersion.Version) is { } known)
        {
            TestContext.Out.WriteLine($"{what}: {answer} instead of {Errno.Name(errno)} is documented for kernel {Environment.OSVersion.Version}: {known.Why}");
            return;
        }
        Assert.That(result, Is.EqualTo(-errno), $"{what}: expected {Errno.Name(errno)}, got {answer}");
    }
}
