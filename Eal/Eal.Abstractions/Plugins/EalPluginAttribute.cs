using Microsoft.Extensions.DependencyInjection;

namespace Eal.Plugins;

/// <summary>
/// Names the type that registers a plugin assembly's buses and drivers. Every assembly loaded
/// with <c>-d</c> must carry exactly one of these.
/// </summary>
/// <example><code>[assembly: EalPlugin(typeof(MyVendorPlugin))]</code></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class EalPluginAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="registrationType">A public type with a public parameterless constructor that implements <see cref="IEalPlugin"/>.</param>
    public EalPluginAttribute(Type registrationType) => RegistrationType = registrationType;

    /// <summary>The type implementing <see cref="IEalPlugin"/>.</summary>
    public Type RegistrationType { get; }
}

/// <summary>Registration entry point of a plugin assembly (buses, drivers, device classes).</summary>
public interface IEalPlugin
{
    /// <summary>Adds the plugin's services, exactly as an <c>Add*</c> extension method would.</summary>
    void Register(IServiceCollection services);
}
