using Eal.Devargs;

namespace Eal.Classes;

/// <summary>
/// A device class (DPDK's <c>struct rte_class</c>): <c>eth</c>, <c>vdpa</c>. Named by the <c>class=</c> layer
/// of devargs.
/// </summary>
public interface IDeviceClass
{
    /// <summary>The class name used in devargs, e.g. <c>eth</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Whether <paramref name="device"/> matches the class layer of a filter (DPDK's <c>cls-&gt;dev_iterate</c>),
    /// e.g. <c>class=eth,mac=02:00:00:00:00:01</c>; the <c>class</c> key itself is already removed.
    /// </summary>
    /// <exception cref="DevargsException">A key the class does not know.</exception>
    bool Matches(Bus.Device device, KvArgs classLayer) =>
        classLayer.Pairs.Count == 0
            ? true
            : throw new DevargsException($"class '{Name}' cannot filter devices on '{classLayer}'");
}
