using Eal.Net.E1000e;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the e1000e driver.</summary>
public static class E1000eServiceCollectionExtensions
{
    /// <summary>Adds the <c>net_e1000e</c> PCI driver (and the PCI bus).</summary>
    public static IServiceCollection AddE1000e(this IServiceCollection services) => services.AddPciDriver<E1000eDriver>();
}
