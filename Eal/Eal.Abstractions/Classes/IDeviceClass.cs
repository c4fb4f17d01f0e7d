namespace Eal.Classes;

/// <summary>
/// A device class (DPDK's <c>struct rte_class</c>): <c>eth</c>, <c>vdpa</c>. Named by the <c>class=</c> layer
/// of devargs.
/// </summary>
public interface IDeviceClass
{
    /// <summary>The class name used in devargs, e.g. <c>eth</c>.</summary>
    string Name { get; }
}
