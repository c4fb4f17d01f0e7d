using System.Runtime.Loader;
using Eal.Bus.Vdev;
using Eal.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Eal.Integration.Tests;

[TestFixture]
public sealed class PluginLoadingTests
{
    private readonly List<string> _dirs = [];

    [TearDown]
    public void RemoveDirectories()
    {
        foreach (var d in _dirs)
        {
            if (!Directory.Exists(d)) continue;
            File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(d, recursive: true);
        }
        _dirs.Clear();
    }

    private string Private() { var d = TestPaths.PrivateDirectory(); _dirs.Add(d); return d; }

    private string PluginCopy() { var d = TestPaths.PrivateSamplePluginCopy(); _dirs.Add(d); return d; }

    private static EalInstance InitWith(params string[] args) =>
        EalInstance.Init(args, s => s.AddVdevBus().AddNullPmd());

    [Test]
    public void Plugin_file_registers_its_driver_which_probes_a_vdev()
    {
        string dll = Path.Combine(PluginCopy(), "SamplePlugin.dll");
        using var eal = InitWith("--emulate", "-l", "0", "-d", dll, "--vdev", "net_sample0,greeting=hi");

        var device = eal.Buses.Single(b => b.Name == "vdev").FindDevice("net_sample0");
        Assert.That(device, Is.Not.Null);
        Assert.That(device!.Driver?.Name, Is.EqualTo("net_sample"));
        Assert.That(eal.ProbeFailures, Is.Empty);
        // The driver type came from the plugin's own load context, bound to the host's contracts.
        var ctx = AssemblyLoadContext.GetLoadContext(device.Driver!.GetType().Assembly);
        Assert.That(ctx, Is.Not.SameAs(AssemblyLoadContext.Default));
        Assert.That(ctx!.Name, Is.EqualTo("EalPlugin:SamplePlugin"));
        Assert.That(device.Driver, Is.InstanceOf<VdevDriver>());
    }

    [Test]
    public void Plugin_directory_loads_every_plugin_in_it()
    {
        string dir = PluginCopy();
        using var eal = InitWith("--emulate", "-l", "0", "-d", dir, "--vdev", "eth_sample7");
        var device = eal.Buses.Single(b => b.Name == "vdev").FindDevice("eth_sample7");
        Assert.That(device?.Driver?.Name, Is.EqualTo("net_sample"), "the alias eth_sample matches the plugin driver");
    }

    [Test]
    public void Plugin_parameters_are_checked_against_the_declaration()
    {
        string dll = Path.Combine(PluginCopy(), "SamplePlugin.dll");
        using var eal = InitWith("--emulate", "-l", "0", "-d", dll, "--vdev", "net_sample0,colour=red");
        Assert.That(eal.ProbeFailures, Has.Count.EqualTo(1));
        Assert.That(eal.ProbeFailures[0].Reason, Does.Contain("has no parameter 'colour'").And.Contain("greeting=<string>"));
    }

    [Test]
    public void Missing_file_is_refused()
    {
        string missing = Path.Combine(Private(), "nope.dll");
        var ex = Assert.Throws<PluginLoadException>(() => InitWith("--emulate", "-d", missing));
        Assert.That(ex!.Message, Does.Contain($"-d {missing}: no such file or directory"));
    }

    [Test]
    public void Non_dotnet_file_is_refused()
    {
        string path = Path.Combine(Private(), "native.dll");
        File.WriteAllBytes(path, [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0]);
        var ex = Assert.Throws<PluginLoadException>(() => InitWith("--emulate", "-d", path));
        Assert.That(ex!.Message, Does.Contain("not a .NET assembly"));
    }

    [Test]
    public void Assembly_without_plugin_attribute_is_refused()
    {
        string path = Path.Combine(Private(), "NotAPlugin.dll");
        FakePluginAssembly.Write(path, PluginLoader.ContractsVersion, withPluginAttribute: false);
        var ex = Assert.Throws<PluginLoadException>(() => InitWith("--emulate", "-d", path));
        Assert.That(ex!.Message, Does.Contain("is not an EAL plugin").And.Contain("[assembly: EalPlugin("));
    }

    [Test]
    public void Directory_without_plugins_is_refused()
    {
        string dir = Private();
        FakePluginAssembly.Write(Path.Combine(dir, "Helper.dll"), PluginLoader.ContractsVersion, withPluginAttribute: false);
        var ex = Assert.Throws<PluginLoadException>(() => InitWith("--emulate", "-d", dir));
        Assert.That(ex!.Message, Does.Contain("the directory holds no plugin assembly"));
    }

    [TestCase(2, 0)]
    [TestCase(0, 9)]
    [TestCase(1, 5)]
    public void Plugin_built_against_incompatible_contracts_is_refused(int major, int minor)
    {
        string path = Path.Combine(Private(), "Foreign.dll");
        FakePluginAssembly.Write(path, new Version(major, minor, 0, 0));
        var ex = Assert.Throws<PluginLoadException>(() => InitWith("--emulate", "-d", path));
        Assert.That(ex!.Message, Does.Contain($"built against Eal.Abstractions {major}.{minor}.0.0 but this host provides {PluginLoader.ContractsVersion}"));
    }

    [Test]
    public void World_writable_directory_is_refused()
    {
        string dir = PluginCopy();
        File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.OtherWrite);
        var ex = Assert.Throws<PluginLoadException>(() => InitWith("--emulate", "-d", Path.Combine(dir, "SamplePlugin.dll")));
        Assert.That(ex!.Message, Does.Contain($"directory {dir} is world-writable and insecure"));
    }

    [Test]
    public void World_writable_file_is_refused()
    {
        string dll = Path.Combine(PluginCopy(), "SamplePlugin.dll");
        File.SetUnixFileMode(dll, File.GetUnixFileMode(dll) | UnixFileMode.OtherWrite);
        var ex = Assert.Throws<PluginLoadException>(() => InitWith("--emulate", "-d", dll));
        Assert.That(ex!.Message, Does.Contain($"file {dll} is world-writable"));
    }

    [Test]
    public void Failed_plugin_registers_nothing()
    {
        var services = new ServiceCollection();
        string good = Path.Combine(PluginCopy(), "SamplePlugin.dll");
        string bad = Path.Combine(Private(), "x.dll");
        File.WriteAllText(bad, "not an assembly");
        int before = services.Count;
        Assert.Throws<PluginLoadException>(() => new PluginLoader().Load([bad, good], services));
        Assert.That(services, Has.Count.EqualTo(before));
    }
}
