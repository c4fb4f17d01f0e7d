using Eal.Bus;
using Eal.Emulation;
using Eal.Hotplug;
using Eal.Options;
using Eal.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Eal.Integration.Tests;

[TestFixture]
public sealed class EalInstanceTests
{
    private static void Shipped(IServiceCollection s) => EalInfo.EalInfoApp.RegisterShippedBusesAndDrivers(s);

    [Test]
    public void Emulated_init_reports_lcores_iova_and_probes_vdevs_last()
    {
        using var eal = EalInstance.Init(["--emulate=cpus=4,numa=2", "-l", "1-3", "--main-lcore", "2",
            "--vdev", "net_null0,size=128", "--vdev", "eth_ring0", "--", "app"], Shipped);

        Assert.That(eal.Consumed, Is.EqualTo(10), "9 EAL arguments plus the -- terminator");
        Assert.That(eal.ApplicationArguments, Is.EqualTo(new[] { "app" }));
        Assert.That(eal.Settings.Lcores.Select(l => l.LcoreId), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(eal.Settings.MainLcore, Is.EqualTo(2));
        Assert.That(eal.Platform.IsEmulated, Is.True);
        Assert.That(eal.IovaMode, Is.EqualTo(IovaMode.VA), "the emulated machine has an IOMMU");
        Assert.That(eal.Buses.Last().Name, Is.EqualTo("vdev"), "vdev probes last");
        var vdev = eal.Buses.Single(b => b.Name == "vdev");
        Assert.That(vdev.Devices.Select(d => (d.Name, d.Driver?.Name)),
            Is.EqualTo(new[] { ("net_null0", (string?)"net_null"), ("eth_ring0", (string?)"net_ring") }));
        Assert.That(eal.ProbeFailures, Is.Empty);
    }

    [Test]
    public void Two_instances_coexist_in_one_process()
    {
        using var a = EalInstance.Init(["--emulate=cpus=2", "-l", "0", "--vdev", "net_null0"], Shipped);
        using var b = EalInstance.Init(["--emulate=cpus=8", "-l", "7", "--vdev", "net_null0"], Shipped);
        Assert.That(a.Platform.SysfsRoot, Is.Not.EqualTo(b.Platform.SysfsRoot));
        Assert.That(a.Settings.MainLcore, Is.EqualTo(0));
        Assert.That(b.Settings.MainLcore, Is.EqualTo(7));
        Assert.That(a.Buses.Single(x => x.Name == "vdev").Devices.Single().IsProbed, Is.True);
        Assert.That(b.Buses.Single(x => x.Name == "vdev").Devices.Single().IsProbed, Is.True);
    }

    [Test]
    public void Lcore_that_the_machine_lacks_is_refused()
    {
        var ex = Assert.Throws<EalArgumentException>(() => EalInstance.Init(["--emulate=cpus=2", "-l", "0-3"], Shipped));
        Assert.That(ex!.Message, Does.StartWith("-l/--lcores:").And.Contain("CPU 2 does not exist on this machine").And.Contain("part of 0-1"));
    }

    [Test]
    public void Unparsable_device_fails_init_naming_the_option()
    {
        var ex = Assert.Throws<EalInitException>(() => EalInstance.Init(["--emulate", "-l", "0", "--vdev", "bogus0"], Shipped));
        Assert.That(ex!.Message, Does.StartWith("--vdev bogus0: Unable to parse device"));
    }

    [Test]
    public void A_failing_driver_is_reported_and_init_goes_on()
    {
        using var eal = EalInstance.Init(["--emulate", "-l", "0", "--vdev", "net_null0,copy=7", "--vdev", "net_null1"], Shipped);
        Assert.That(eal.ProbeFailures, Has.Count.EqualTo(1));
        Assert.That(eal.ProbeFailures[0].Device.Name, Is.EqualTo("net_null0"));
        Assert.That(eal.ProbeFailures[0].Reason, Does.Contain("copy=7: expected 0 or 1"));
        Assert.That(eal.Buses.Single(b => b.Name == "vdev").FindDevice("net_null1")!.IsProbed, Is.True);
    }

    [Test]
    public void Settings_from_configuration_equal_settings_from_arguments()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Eal:Emulate"] = "cpus=4",
            ["Eal:Lcores"] = "0-1",
            ["Eal:Vdev:0"] = "net_null0",
            ["Eal:NoHuge"] = "true",
        }).Build();
        var services = new ServiceCollection().AddEal(config.GetSection("Eal"));
        Shipped(services);
        using var provider = services.BuildServiceProvider();
        var eal = provider.GetRequiredService<EalInstance>();
        eal.Start();

        using var fromArgs = EalInstance.Init(["--emulate=cpus=4", "-l", "0-1", "--vdev", "net_null0", "--no-huge"], Shipped);
        static string Layout(EalInstance e) => string.Join(";", e.Settings.Lcores.Select(l => $"{l.LcoreId}@{string.Join(",", l.Cpus)}/{l.NumaNode}"));
        Assert.That(Layout(eal), Is.EqualTo(Layout(fromArgs)).And.EqualTo("0@0/0;1@1/0"));
        Assert.That(eal.UsesHugepages, Is.EqualTo(fromArgs.UsesHugepages).And.False);
        Assert.That(eal.Devargs.Select(d => d.Name), Is.EqualTo(fromArgs.Devargs.Select(d => d.Name)));
        Assert.That(eal.Consumed, Is.EqualTo(0), "no command line, nothing consumed");
    }

    [Test]
    public void Invalid_configuration_is_refused_at_start_with_the_option_named()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Eal:Emulate"] = "",
            ["Eal:IovaMode"] = "xx",
        }).Build();
        var services = new ServiceCollection().AddEal(config.GetSection("Eal"));
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<EalArgumentException>(() => provider.GetRequiredService<EalInstance>().Start());
        Assert.That(ex!.Message, Does.Contain("--iova-mode").And.Contain("'xx'"));
    }

    [Test]
    public async Task Hotplug_attach_and_detach_deliver_events()
    {
        using var eal = EalInstance.Init(["--emulate", "-l", "0"], Shipped);
        using var events = eal.SubscribeDeviceEvents();

        var device = eal.Attach("net_null5,size=64");
        Assert.That(device.Driver?.Name, Is.EqualTo("net_null"));
        var dup = Assert.Throws<DeviceProbeException>(() => eal.Attach("net_null5"));
        Assert.That(dup!.Message, Does.Contain("already exists (EEXIST)"));

        eal.Detach(device);
        Assert.That(eal.Buses.Single(b => b.Name == "vdev").FindDevice("net_null5"), Is.Null, "a detached vdev is gone");

        var first = await events.Reader.ReadAsync();
        var second = await events.Reader.ReadAsync();
        Assert.That(first, Is.EqualTo(new DeviceEvent(DeviceEventKind.Attached, "vdev", "net_null5", "net_null")));
        Assert.That(second, Is.EqualTo(new DeviceEvent(DeviceEventKind.Detached, "vdev", "net_null5", "net_null")));
        Assert.That(events.Reader.TryRead(out _), Is.False, "the failed attach published nothing");
    }

    [Test]
    public void Hotplug_of_an_unknown_device_says_so()
    {
        using var eal = EalInstance.Init(["--emulate", "-l", "0"], Shipped);
        var ex = Assert.Throws<Eal.Devargs.DevargsException>(() => eal.Attach("nothing_here0"));
        Assert.That(ex!.Message, Does.Contain("nothing_here0"));
    }

    [Test]
    public void Dispose_ends_subscriptions_and_releases_the_emulated_tree()
    {
        var eal = EalInstance.Init(["--emulate", "-l", "0", "--vdev", "net_null0"], Shipped);
        var events = eal.SubscribeDeviceEvents();
        string root = Path.GetDirectoryName(eal.Platform.SysfsRoot)!;
        Assert.That(Directory.Exists(root), Is.True);
        eal.Dispose();
        Assert.That(events.Reader.Completion.IsCompleted, Is.True);
        Assert.That(Directory.Exists(root), Is.False);
    }

    [Test]
    public void A_second_primary_with_the_same_prefix_is_refused_until_the_first_is_gone()
    {
        using var platform = new EmulatedPlatform();
        void Configure(IServiceCollection s) { Shipped(s); s.AddSingleton<IPlatform>(platform); }
        var first = EalInstance.Init(["-l", "0", "--proc-type=primary"], Configure);
        var ex = Assert.Throws<EalInitException>(() => EalInstance.Init(["-l", "0", "--proc-type=primary"], Configure));
        Assert.That(ex!.Message, Does.Contain("Is another primary process running?"));
        using (var auto = EalInstance.Init(["-l", "0", "--proc-type=auto"], Configure))
            Assert.That(auto.ProcessType, Is.EqualTo(EalProcessType.Secondary));
        first.Dispose();
        using var again = EalInstance.Init(["-l", "0", "--proc-type=auto"], Configure);
        Assert.That(again.ProcessType, Is.EqualTo(EalProcessType.Primary));
    }

    [Test]
    public void Secondary_without_primary_is_refused()
    {
        var ex = Assert.Throws<EalInitException>(() => EalInstance.Init(["--emulate", "-l", "0", "--proc-type=secondary"], Shipped));
        Assert.That(ex!.Message, Does.Contain("no primary process holds"));
    }
}
