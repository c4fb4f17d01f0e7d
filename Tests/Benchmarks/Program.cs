using BenchmarkDotNet.Running;

namespace Eal.Benchmarks;

/// <summary>
/// Benchmark entry point. <c>dpdk-compare</c> runs the quick DPDK-comparable console measurements; anything else
/// goes to BenchmarkDotNet's switcher over this assembly (e.g. <c>--filter '*Ring*'</c>).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks.</summary>
    /// <param name="args">Command line.</param>
    /// <returns>Exit code.</returns>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "dpdk-compare")
        {
            return Rings.DpdkComparable.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
