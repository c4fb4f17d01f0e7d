using System.Diagnostics.CodeAnalysis;
using Eal.Bus.Pci;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the PCI bus and its drivers.</summary>
public static class PciServiceCollectionExtensions
{
    /// <summary>
    /// Adds the PCI bus (idempotent), as <see cref="PciBus"/> and as one of the <see cref="Eal.Bus.Bus"/> services.
    /// It takes every <see cref="PciDriver"/> registered in the container.
    /// </summary>
    public static IServiceCollection AddPciBus(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new PciBus(sp.GetServices<PciDriver>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Eal.Bus.Bus, PciBus>(sp => sp.GetRequiredService<PciBus>()));
        return services;
    }

    /// <summary>Adds a PCI driver (and the PCI bus); adding the same driver type twice registers it once.</summary>
    public static IServiceCollection AddPciDriver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDriver>(
        this IServiceCollection services)
        where TDriver : PciDriver
    {
        services.AddPciBus();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<PciDriver, TDriver>());
        return services;
    }
}
