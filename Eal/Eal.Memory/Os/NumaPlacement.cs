using System.Globalization;

namespace Eal.Memory.Os;

/// <summary>How strictly backed memory must come from its NUMA node (the values are the kernel's <c>MPOL_*</c> modes).</summary>
public enum NumaPolicy
{
    /// <summary><c>MPOL_DEFAULT</c>: no binding; the kernel places pages near the faulting CPU.</summary>
    Default = 0,

    /// <summary><c>MPOL_PREFERRED</c>: the node first, any other node when it has no free page.</summary>
    Preferred = 1,

    /// <summary><c>MPOL_BIND</c>: only the node; the allocation fails when it has no free page.</summary>
    Bind = 2,
}

/// <summary>
/// Where the memory subsystem wants the pages of a backing operation: a NUMA node and a <see cref="NumaPolicy"/>.
/// DPDK sets <c>MPOL_PREFERRED</c> for the socket around a hugepage allocation and then checks the node it got; we
/// bind (<c>MPOL_BIND</c>), so memory of socket N is on node N or the allocation fails with a message saying so.
/// </summary>
/// <param name="Node">NUMA node (socket) id, or -1 with <see cref="NumaPolicy.Default"/>.</param>
/// <param name="Policy">How strictly.</param>
public readonly record struct NumaPlacement(int Node, NumaPolicy Policy)
{
    /// <summary>Largest node id the seams accept (the node mask passed to the kernel has 1024 bits, as libnuma's).</summary>
    public const int MaxNode = 1023;

    /// <summary>No binding (the kernel's default placement).</summary>
    public static NumaPlacement Anywhere => new(-1, NumaPolicy.Default);

    /// <summary>Only node <paramref name="node"/> (<c>MPOL_BIND</c>).</summary>
    /// <param name="node">NUMA node id, 0..<see cref="MaxNode"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The node is out of range.</exception>
    public static NumaPlacement BindTo(int node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(node, MaxNode);
        return new(node, NumaPolicy.Bind);
    }

    /// <summary>True when the placement asks the kernel for a node (policy other than <see cref="NumaPolicy.Default"/>).</summary>
    public bool IsBound => Policy != NumaPolicy.Default;

    /// <inheritdoc />
    public override string ToString() => Policy switch
    {
        NumaPolicy.Default => "MPOL_DEFAULT",
        NumaPolicy.Preferred => string.Create(CultureInfo.InvariantCulture, $"MPOL_PREFERRED node {Node}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"MPOL_BIND node {Node}"),
    };
}
