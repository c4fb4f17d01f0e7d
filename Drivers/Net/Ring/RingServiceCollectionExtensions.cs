using Eal.Net.Ring;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the ring PMD.</summary>
public static class RingServiceCollectionExtensions
{
    /// <summary>Adds the <c>net_ring</c> driver (and the vdev bus).</summary>
    public static IServiceCollection AddRingPmd(this IServiceCollection services) => services.AddVdevDriver<RingPmd>();
}
