using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Uapi;

[TestFixture]
public sealed class IoctlCodeTests
{
    [Test]
    public void Decode_ReturnsTheParts()
    {
        uint request = IoctlCode.Iowr(0x41, 0x20, 4096);
        Assert.That((IoctlCode.Direction(request), IoctlCode.Type(request), IoctlCode.Nr(request), IoctlCode.Size(request)),
            Is.EqualTo((IoctlCode.DirRead | IoctlCode.DirWrite, (byte)0x41, (byte)0x20, 4096)));
    }

    [Test]
    public void VfioAndIommufdRequests_AreIoWithTypeSemicolon()
    {
        Assert.That(VfioIoctl.DeviceGetRegionInfo, Is.EqualTo(IoctlCode.Io((byte)';', 100 + 8)));
        Assert.That(IommuFdIoctl.IoasMap, Is.EqualTo(IoctlCode.Io((byte)';', 0x85)));
        Assert.That(IoctlCode.Size(VfioIoctl.IommuMapDma), Is.Zero);
    }

    [Test]
    public void Encode_RejectsASizeThatDoesNotFitFourteenBits()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => IoctlCode.Ior(0x56, 1, 16384));
        Assert.That(ex!.ParamName, Is.EqualTo("size"));
    }
}
