using Eal.Ethdev;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the ethdev class.</summary>
public static class EthdevServiceCollectionExtensions
{
    /// <summary>Adds the <see cref="EthdevRegistry"/> (one per container, idempotent).</summary>
    public static IServiceCollection AddEthdev(this IServiceCollection services)
    {
        services.TryAddSingleton<EthdevRegistry>();
        return services;
    }
}
