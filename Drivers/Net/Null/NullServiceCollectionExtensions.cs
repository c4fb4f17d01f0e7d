using Eal.Net.Null;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the null PMD.</summary>
public static class NullServiceCollectionExtensions
{
    /// <summary>Adds the <c>net_null</c> driver (and the vdev bus).</summary>
    public static IServiceCollection AddNullPmd(this IServiceCollection services) => services.AddVdevDriver<NullPmd>();
}
