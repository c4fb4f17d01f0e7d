using Eal.Bus.Pci;
using Eal.Devargs;
using NUnit.Framework;

namespace Eal.Abstractions.Tests.Pci;

[TestFixture]
public class PciAddressTests
{
    [TestCase("0000:01:00.0", 0u, 1, 0, 0, "0000:01:00.0")]
    [TestCase("01:00.0", 0u, 1, 0, 0, "0000:01:00.0")]
    [TestCase("1:2.3", 0u, 1, 2, 3, "0000:01:02.3")]
    [TestCase("ffff:ff:1f.7", 0xffffu, 0xff, 0x1f, 7, "ffff:ff:1f.7")]
    [TestCase("FFFF:AB:1F.7", 0xffffu, 0xab, 0x1f, 7, "ffff:ab:1f.7")]
    [TestCase("10000:00:00.0", 0x10000u, 0, 0, 0, "10000:00:00.0")]
    [TestCase("ffffffff:00:00.1", 0xffffffffu, 0, 0, 1, "ffffffff:00:00.1")]
    [TestCase("00000000:00:00.0", 0u, 0, 0, 0, "0000:00:00.0")]
    public void Parse_Valid(string text, uint domain, int bus, int device, int function, string normalized)
    {
        var a = PciAddress.Parse(text);
        Assert.That((a.Domain, (int)a.Bus, (int)a.Device, (int)a.Function), Is.EqualTo((domain, bus, device, function)));
        Assert.That(a.ToString(), Is.EqualTo(normalized));
        Assert.That($"{a}", Is.EqualTo(normalized));
    }

    [TestCase("", "no '.' before the function")]
    [TestCase("0000:01:00", "no '.' before the function")]
    [TestCase("01.0", "no ':' between bus and device")]
    [TestCase("0000:01:00.8", "function '8' is not a digit 0-7")]
    [TestCase("0000:00:1f.a", "function 'a' is not a digit 0-7")]
    [TestCase("0000:01:00.0.1", "device '00.0' is not 1-2 hex digits")]
    [TestCase("0000:00:20.0", "device 0x20 is above 0x1f (a PCI device number has 5 bits)")]
    [TestCase("0000:00:ff.0", "device 0xff is above 0x1f (a PCI device number has 5 bits)")]
    [TestCase("0000:1g:00.0", "bus '1g' is not 1-2 hex digits")]
    [TestCase("0000:100:00.0", "bus '100' is not 1-2 hex digits")]
    [TestCase(":00.0", "bus '' is not 1-2 hex digits")]
    [TestCase("000000000:00:00.0", "domain '000000000' is not 1-8 hex digits")]
    [TestCase("1:2:3:4.5", "domain '1:2' is not 1-8 hex digits")]
    [TestCase("0x1:2.3", "bus '0x1' is not 1-2 hex digits")]
    [TestCase(" 1:2.3", "bus ' 1' is not 1-2 hex digits")]
    [TestCase("+1:2.3", "bus '+1' is not 1-2 hex digits")]
    [TestCase("1:.3", "device '' is not 1-2 hex digits")]
    [TestCase("1:2.", "function '' is not a digit 0-7")]
    public void Parse_Invalid_SaysWhichPart(string text, string why)
    {
        Assert.That(PciAddress.TryParse(text, out var a, out var error), Is.False);
        Assert.That(a, Is.EqualTo(default(PciAddress)));
        Assert.That(error, Is.EqualTo($"invalid PCI address \"{text}\": {why}; expected DDDD:BB:DD.F or BB:DD.F in hex " +
                                      "(device 00-1f, function 0-7), e.g. 0000:01:00.0"));
        var ex = Assert.Throws<FormatException>(() => PciAddress.Parse(text));
        Assert.That(ex!.Message, Is.EqualTo(error));
    }

    [Test]
    public void TryParse_Null()
    {
        Assert.That(PciAddress.TryParse(null, out _), Is.False);
    }

    [Test]
    public void EqualityAndOrdering_FollowDomainBusDeviceFunction()
    {
        var sorted = new[] { "1:0:00.0", "0:1:00.0", "0:0:1f.0", "0:0:01.7", "0:0:01.1" }
            .Select(PciAddress.Parse).Order().Select(a => a.ToString());
        Assert.That(sorted, Is.EqualTo(new[] { "0000:00:01.1", "0000:00:01.7", "0000:00:1f.0", "0000:01:00.0", "0001:00:00.0" }));
        Assert.That(PciAddress.Parse("1:2.3") == PciAddress.Parse("0000:01:02.3"), Is.True);
        Assert.That(PciAddress.Parse("1:2.3") != PciAddress.Parse("0000:01:02.4"), Is.True);
        Assert.That(PciAddress.Parse("1:2.3").GetHashCode(), Is.EqualTo(PciAddress.Parse("0000:01:02.3").GetHashCode()));
        Assert.That(PciAddress.Parse("ffff:ff:1f.7") < PciAddress.Parse("10000:00:00.0"), Is.True);
        Assert.That(PciAddress.Parse("0:0:0.1") >= PciAddress.Parse("0:0:0.1"), Is.True);
    }

    [Test]
    public void Constructor_ChecksRanges()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PciAddress(0, 0, 32, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PciAddress(0, 0, 0, 8));
        Assert.That(new PciAddress(1, 2, 3, 4).ToString(), Is.EqualTo("0001:02:03.4"));
    }

    [Test]
    public void DeviceNameFromBusLayer_NormalisesAddr()
    {
        Assert.That(PciAddress.DeviceNameFromBusLayer(KvArgs.Parse("bus=pci,addr=1:2.3")), Is.EqualTo("0000:01:02.3"));
        Assert.That(PciAddress.DeviceNameFromBusLayer(KvArgs.Parse("bus=pci")), Is.EqualTo(""));
        Assert.That(PciAddress.DeviceNameFromBusLayer(KvArgs.Parse("bus=pci,addr")), Is.EqualTo(""));
        var ex = Assert.Throws<DevargsException>(() => PciAddress.DeviceNameFromBusLayer(KvArgs.Parse("bus=pci,addr=0000:00:20.0")));
        Assert.That(ex!.Message, Does.StartWith("addr=0000:00:20.0: invalid PCI address \"0000:00:20.0\": device 0x20 is above 0x1f"));
    }
}
