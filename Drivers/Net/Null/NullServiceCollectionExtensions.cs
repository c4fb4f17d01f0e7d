using Eal.Bus.Vdev;
using Eal.Net.Null;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the null PMD.</summary>
public static class NullServiceCollectionExtensions
{
    /// <summary>Adds the <c>net_null</c> driver, the vdev bus and the ethdev registry.</summary>
    public static IServiceCollection AddNullPmd(this IServiceCollection services)
    {
        services.AddVdevBus();
        services.AddEthdev();
        services.TryAddSingleton<NullPmd>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<VdevDriver, NullPmd>(sp => sp.GetRequiredService<NullPmd>()));
        return services;
    }
}
