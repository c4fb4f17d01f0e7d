using Eal.Bus.Vdev;
using Eal.Net.Ring;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the ring PMD.</summary>
public static class RingServiceCollectionExtensions
{
    /// <summary>Adds the <c>net_ring</c> driver, the vdev bus and the ethdev registry.</summary>
    public static IServiceCollection AddRingPmd(this IServiceCollection services)
    {
        services.AddVdevBus();
        services.AddEthdev();
        services.TryAddSingleton<RingPmd>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<VdevDriver, RingPmd>(sp => sp.GetRequiredService<RingPmd>()));
        return services;
    }
}
