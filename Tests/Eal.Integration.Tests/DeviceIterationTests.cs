using Eal.Devargs;
using Eal.Emulation;
using Eal.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Eal.Integration.Tests;

[TestFixture]
public sealed class DeviceIterationTests
{
    private EmulatedPlatform _platform = null!;
    private EalInstance _eal = null!;

    [SetUp]
    public void Start()
    {
        _platform = new EmulatedPlatform();
        _eal = EalInstance.Init(["-l", "0", "--vdev", "net_null0", "--vdev", "net_null1"], s =>
        {
            EalInfo.EalInfoApp.RegisterShippedBusesAndDrivers(s);
            s.AddSingleton<IPlatform>(_platform);
        });
    }

    [TearDown]
    public void Stop()
    {
        _eal.Dispose();
        _platform.Dispose();
    }

    [Test]
    public void Bus_layer_filters_by_the_bus_keys()
    {
        var pciAddresses = _platform.Machine.PciFunctions.Select(f => f.Address).Order(StringComparer.Ordinal).ToArray();
        Assert.That(_eal.FindDevices("bus=pci").Select(d => d.Name), Is.EqualTo(pciAddresses));
        Assert.That(_eal.FindDevices($"bus=pci,addr={pciAddresses[1]}").Select(d => d.Name), Is.EqualTo(new[] { pciAddresses[1] }));
        Assert.That(_eal.FindDevices("bus=vdev,name=net_null1").Select(d => d.Name), Is.EqualTo(new[] { "net_null1" }));
        Assert.That(_eal.FindDevices("bus=vdev").Select(d => d.Name), Is.EqualTo(new[] { "net_null0", "net_null1" }));
    }

    [Test]
    public void Class_layer_alone_iterates_every_bus()
    {
        var all = _eal.FindDevices("class=eth");
        Assert.That(all.Select(d => d.Name), Does.Contain("net_null0").And.Contain(_platform.Machine.PciFunctions[0].Address));
    }

    [Test]
    public void Unknown_filter_keys_are_errors()
    {
        var ex = Assert.Throws<DevargsException>(() => _eal.FindDevices("bus=vdev,colour=red"));
        Assert.That(ex!.Message, Does.Contain("cannot filter on key 'colour'"));
        var noLayer = Assert.Throws<DevargsException>(() => _eal.FindDevices("net_null0"));
        Assert.That(noLayer!.Message, Does.Contain("needs a bus or class layer"));
    }
}
