using Eal.Bus.Vdev;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the vdev bus and its drivers.</summary>
public static class VdevServiceCollectionExtensions
{
    /// <summary>Adds the vdev bus (idempotent).</summary>
    public static IServiceCollection AddVdevBus(this IServiceCollection services)
    {
        services.TryAddSingleton<VdevBus>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Eal.Bus.Bus, VdevBus>(sp => sp.GetRequiredService<VdevBus>()));
        return services;
    }

    /// <summary>Adds a vdev driver (and the vdev bus).</summary>
    public static IServiceCollection AddVdevDriver<TDriver>(this IServiceCollection services)
        where TDriver : VdevDriver, new()
    {
        services.AddVdevBus();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<VdevDriver, TDriver>(_ => new TDriver()));
        return services;
    }
}
