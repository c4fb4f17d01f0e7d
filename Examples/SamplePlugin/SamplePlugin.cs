using Eal.Bus;
using Eal.Bus.Vdev;
using Eal.Plugins;
using Microsoft.Extensions.DependencyInjection;
using SamplePlugin;

[assembly: EalPlugin(typeof(SamplePluginRegistration))]

namespace SamplePlugin;

/// <summary>Registers what this plugin ships: a vdev driver and a bus of its own.</summary>
public sealed class SamplePluginRegistration : IEalPlugin
{
    /// <inheritdoc />
    public void Register(IServiceCollection services)
    {
        services.AddVdevDriver<SampleVdevDriver>();
        services.AddSingleton<Bus, SampleBus>();
    }
}

/// <summary>
/// A vdev driver named <c>net_sample</c> with one parameter; it records the devices it drives so a
/// test can see that probe and remove reached plugin code.
/// </summary>
public sealed class SampleVdevDriver : VdevDriver
{
    private readonly List<string> _active = [];

    /// <inheritdoc />
    public override string Name => "net_sample";

    /// <inheritdoc />
    public override IReadOnlyList<string> Aliases => ["eth_sample"];

    /// <inheritdoc />
    public override IReadOnlyList<DriverParameter> Parameters => [new("greeting", "<string>", "a word to remember")];

    /// <summary>Devices currently probed by this driver.</summary>
    public IReadOnlyList<string> Active => _active;

    /// <inheritdoc />
    public override ProbeOutcome Probe(VdevDevice device)
    {
        _active.Add(device.Name);
        return ProbeOutcome.Probed;
    }

    /// <inheritdoc />
    public override void Remove(VdevDevice device) => _active.Remove(device.Name);
}
