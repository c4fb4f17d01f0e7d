using Eal.Options;
using Eal.Platform;
using Microsoft.Extensions.Configuration;

namespace Eal.Tests.Options;

internal static class EalTestHelpers
{
    /// <summary>16 CPUs: 0-7 on node 0, 8-15 on node 1.</summary>
    public static CpuTopology Machine { get; } = CpuTopology.Create(
        Enumerable.Range(0, 16).Select(i => new CpuInfo(i, i % 8, i / 8, i / 8)));

    public static EalOptions Bind(params string[] args) =>
        new ConfigurationBuilder().AddEalArguments(args).Build().GetEalOptions();

    public static EalSettings Resolve(params string[] args) => EalSettings.Resolve(Bind(args), Machine);

    public static EalSettings ResolveOn(CpuTopology cpus, params string[] args) => EalSettings.Resolve(Bind(args), cpus);

    public static EalArgumentException Fails(params string[] args) =>
        NUnit.Framework.Assert.Throws<EalArgumentException>(() => Resolve(args))!;
}
