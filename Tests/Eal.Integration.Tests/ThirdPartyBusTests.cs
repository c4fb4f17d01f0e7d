using Eal.Bus;
using Eal.Emulation;
using Eal.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Eal.Integration.Tests;

/// <summary>The sample plugin's bus, loaded with -d, takes part in scan, probe and the IOVA decision.</summary>
[TestFixture]
public sealed class ThirdPartyBusTests
{
    private string _pluginDir = null!;

    [SetUp]
    public void CopyPlugin() => _pluginDir = TestPaths.PrivateSamplePluginCopy();

    [TearDown]
    public void RemovePlugin() => Directory.Delete(_pluginDir, recursive: true);

    private EalInstance Init(EmulatedPlatform platform, params string[] extra) =>
        EalInstance.Init(["-l", "0", "-d", Path.Combine(_pluginDir, "SamplePlugin.dll"), .. extra], s =>
        {
            EalInfo.EalInfoApp.RegisterShippedBusesAndDrivers(s);
            s.AddSingleton<IPlatform>(platform);
        });

    private static void AddSampleDevice(EmulatedPlatform platform, string name, string? iova)
    {
        string dir = Path.Combine(platform.SysfsRoot, "bus", "sample", "devices", name);
        Directory.CreateDirectory(dir);
        if (iova is not null) File.WriteAllText(Path.Combine(dir, "iova"), iova + "\n");
    }

    [Test]
    public void Plugin_bus_scans_and_probes_its_devices()
    {
        using var platform = new EmulatedPlatform();
        AddSampleDevice(platform, "sample-0", null);
        AddSampleDevice(platform, "sample-1", null);
        using var eal = Init(platform);
        var bus = eal.Buses.Single(b => b.Name == "sample");
        Assert.That(bus.Devices.Select(d => (d.Name, d.Driver?.Name)),
            Is.EqualTo(new[] { ("sample-0", (string?)"sample_drv"), ("sample-1", (string?)"sample_drv") }));
    }

    [Test]
    public void Plugin_bus_wanting_PA_decides_the_process_IOVA_mode()
    {
        using var platform = new EmulatedPlatform();
        AddSampleDevice(platform, "sample-0", "pa");
        using var eal = Init(platform);
        Assert.That(eal.IovaMode, Is.EqualTo(IovaMode.PA), "an IOMMU is present, yet the bus's PA wins");
        Assert.That(eal.IovaDecision.Reason, Does.Contain("bus sample requires IOVA as 'pa'"));
        Assert.That(eal.ProbeFailures, Is.Empty);
    }

    [Test]
    public void Plugin_devices_refuse_a_mode_they_cannot_use()
    {
        using var platform = new EmulatedPlatform();
        AddSampleDevice(platform, "sample-0", "pa");
        using var eal = Init(platform, "--iova-mode=va");
        Assert.That(eal.IovaMode, Is.EqualTo(IovaMode.VA));
        Assert.That(eal.IovaDecision.Warnings.Single(), Does.Contain("overrides bus sample which wants 'pa'"));
        Assert.That(eal.ProbeFailures.Single().Reason, Does.Contain("sample-0 needs IOVA as 'pa' but EAL selected 'va'"));
    }

    [Test]
    public void Plugin_bus_honours_the_block_list()
    {
        using var platform = new EmulatedPlatform();
        AddSampleDevice(platform, "sample-0", null);
        AddSampleDevice(platform, "sample-1", null);
        using var eal = Init(platform, "-b", "sample:sample-1");
        Assert.That(eal.Devargs.Single().Bus, Is.EqualTo("sample"));
        Assert.That(eal.Buses.Single(b => b.Name == "sample").Devices.Select(d => d.Name), Is.EqualTo(new[] { "sample-0" }));
    }
}
