using System.Diagnostics.CodeAnalysis;

namespace Eal.Devargs;

/// <summary>
/// Parses device argument strings the way DPDK's <c>rte_devargs_parse</c> does, against a fixed set of buses and
/// device classes. Two syntaxes, tried in this order:
/// <list type="bullet">
/// <item>layered: up to three layers <c>bus=&lt;bus&gt;,...</c>, <c>class=&lt;class&gt;,...</c>, <c>driver=&lt;drv&gt;,...</c>
/// in any order, separated by a <c>/</c> that is directly followed by a layer key; it counts only when it names a
/// bus or a class;</item>
/// <item>legacy: <c>[&lt;bus&gt;:]&lt;name&gt;[,&lt;args&gt;]</c>, the bus being the one the prefix names or the first
/// bus that recognises the name.</item>
/// </list>
/// The parser keeps no mutable state; one instance may be used from any thread.
/// </summary>
public sealed class DevargsParser
{
    private static readonly string[] LayerKeys = ["bus=", "class=", "driver="];

    /// <summary>DPDK's <c>RTE_DEV_NAME_MAX_LEN</c>: names must be shorter than this.</summary>
    public const int DeviceNameMaxLength = Bus.Bus.DeviceNameMaxLength;

    /// <summary>The most layers a layered string may have.</summary>
    public const int MaxLayers = 3;

    private readonly Bus.Bus[] _buses;
    private readonly string[] _classes;

    /// <summary>Creates a parser.</summary>
    /// <param name="buses">The registered buses in registration order; the order decides which bus gets a bare
    /// name that several buses would accept.</param>
    /// <param name="classNames">The registered device class names (<c>eth</c>, <c>vdpa</c>).</param>
    public DevargsParser(IReadOnlyList<Bus.Bus> buses, IEnumerable<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(buses);
        ArgumentNullException.ThrowIfNull(classNames);
        _buses = [.. buses];
        _classes = [.. classNames];
        foreach (var b in _buses) ArgumentNullException.ThrowIfNull(b, nameof(buses));
        foreach (var c in _classes) ArgumentNullException.ThrowIfNull(c, nameof(classNames));
    }

    /// <summary>The buses, in registration order.</summary>
    public IReadOnlyList<Bus.Bus> Buses => _buses;

    /// <summary>The device class names.</summary>
    public IReadOnlyList<string> ClassNames => _classes;

    /// <summary>
    /// Parses <paramref name="text"/> like <c>rte_devargs_parse</c>. A layered string with only a class layer
    /// parses with a null <see cref="DeviceArguments.Bus"/>; use <see cref="ParseOption"/> for EAL options.
    /// </summary>
    /// <exception cref="DevargsException">No syntax accepts the string; the message says where and why.</exception>
    public DeviceArguments Parse(string text, DevargsPolicy policy = DevargsPolicy.Allow)
    {
        if (!TryParse(text, out var result, out var error))
            throw new DevargsException(error);
        return policy == DevargsPolicy.Allow ? result : result with { Policy = policy, Type = DevargsType.Blocked };
    }

    /// <summary>Parses <paramref name="text"/> like <see cref="Parse"/> without throwing.</summary>
    public bool TryParse(string text, [NotNullWhen(true)] out DeviceArguments? result, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        // DPDK tries the layered syntax first and falls back to the legacy one on any failure, so a string that
        // is a bad layered string may still be a good legacy one ("net_ring0/class=x" is a vdev name).
        error = null;
        if (TryParseLayers(text, out result, out var layeredError))
            return true;
        if (TryParseLegacy(text, out result, out var legacyError))
            return true;
        // Both failed: the layered diagnosis is the useful one when the string got far enough to have one.
        error = layeredError ?? legacyError;
        return false;
    }

    /// <summary>
    /// Parses the value of an EAL device option like <c>rte_devargs_add</c>: <c>-a</c> (<see cref="DevargsType.Allowed"/>),
    /// <c>-b</c> (<see cref="DevargsType.Blocked"/>, policy <see cref="DevargsPolicy.Block"/>) or <c>--vdev</c>
    /// (<see cref="DevargsType.Virtual"/>). The string must name a bus.
    /// </summary>
    /// <exception cref="DevargsException">The string does not parse, or names no bus (DPDK dereferences a null bus
    /// there; we report it).</exception>
    public DeviceArguments ParseOption(string text, DevargsType type)
    {
        if (!TryParse(text, out var da, out var error))
            throw new DevargsException(error);
        if (da.Bus is null)
            throw new DevargsException(
                $"devargs \"{text}\": names class '{da.Class}' but no bus; a device option needs a device on a bus, " +
                $"e.g. \"bus=<{string.Join("|", _buses.Select(b => b.Name))}>,...{(da.ClassLayer is null ? "" : "/" + da.ClassLayer)}\" or a plain device name");
        return da with
        {
            Type = type,
            Policy = type == DevargsType.Blocked ? DevargsPolicy.Block : DevargsPolicy.Allow,
        };
    }

    /// <summary>
    /// Parses a <c>--vdev</c> value. DPDK's <c>--vdev</c> is <c>rte_devargs_add(RTE_DEVTYPE_VIRTUAL, str)</c>: the
    /// ordinary parse, with no vdev bus forced, so <c>--vdev net_null0</c> lands on <c>vdev</c> because the vdev
    /// bus recognises the name, and <c>--vdev 0000:01:00.0</c> is an allow entry on <c>pci</c>.
    /// </summary>
    /// <exception cref="DevargsException">As <see cref="ParseOption"/>.</exception>
    public DeviceArguments ParseVdev(string text) => ParseOption(text, DevargsType.Virtual);

    /// <summary>
    /// The first bus that recognises <paramref name="name"/> (DPDK's <c>rte_bus_find_by_device_name</c>: the name is
    /// cut at the first comma and to 63 characters first), or null.
    /// </summary>
    public Bus.Bus? FindBusByDeviceName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > DeviceNameMaxLength - 1) name = name[..(DeviceNameMaxLength - 1)];
        int comma = name.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0) name = name[..comma];
        foreach (var bus in _buses)
            if (bus.TryParseDeviceName(name, out _)) return bus;
        return null;
    }

    /// <summary>The bus named exactly <paramref name="name"/>, or null.</summary>
    public Bus.Bus? FindBus(string name)
    {
        foreach (var bus in _buses)
            if (string.Equals(bus.Name, name, StringComparison.Ordinal)) return bus;
        return null;
    }

    // ---- layered syntax ----------------------------------------------------------------------

    private bool TryParseLayers(string text, [NotNullWhen(true)] out DeviceArguments? result, out string? error)
    {
        result = null;
        error = null;

        // Split: a layer ends at a '/' directly followed by "bus=", "class=" or "driver="; any other '/' belongs to
        // the layer (so "name=/dev/x/class=eth" keeps "/dev/x" in the name).
        var layers = new List<(string Text, int Offset)>(MaxLayers);
        int s = 0;
        while (s >= 0)
        {
            if (layers.Count >= MaxLayers)
            {
                error = $"devargs \"{text}\": a 4th layer starts at offset {s}; at most {MaxLayers} layers " +
                        "(one each of bus=, class=, driver=) separated by '/' are allowed";
                return false;
            }
            int next = FindLayerSeparator(text, s);
            layers.Add(next < 0 ? (text[s..], s) : (text[s..next], s));
            s = next < 0 ? -1 : next + 1;
        }

        Bus.Bus? bus = null;
        KvArgs? busKv = null;
        string? busLayer = null, classLayer = null, driverLayer = null, cls = null;
        foreach (var (layer, offset) in layers)
        {
            if (!KvArgs.TryParse(layer, null, out var kv, out var kvError))
            {
                error = $"devargs \"{text}\": layer at offset {offset}: {kvError}";
                return false;
            }
            if (kv.Pairs.Count == 0) continue;
            // The first pair's key decides what the layer is; a layer led by any other key is ignored.
            var first = kv.Pairs[0];
            switch (first.Key)
            {
                case "bus":
                    busLayer = layer;
                    busKv = kv;
                    bus = first.Value is null ? null : FindBus(first.Value);
                    if (bus is null)
                    {
                        error = $"devargs \"{text}\": could not find bus \"{first.Value}\" (layer at offset {offset}); " +
                                $"registered buses: {Join(_buses.Select(b => b.Name))}";
                        return false;
                    }
                    break;
                case "class":
                    classLayer = layer;
                    cls = first.Value is null ? null : Array.Find(_classes, c => string.Equals(c, first.Value, StringComparison.Ordinal));
                    if (cls is null)
                    {
                        error = $"devargs \"{text}\": could not find class \"{first.Value}\" (layer at offset {offset}); " +
                                $"registered classes: {Join(_classes)}";
                        return false;
                    }
                    break;
                case "driver":
                    driverLayer = layer;
                    break;
            }
        }

        // Not a layered string after all: let the legacy syntax have it (no error of our own to report).
        if (bus is null && cls is null) return false;

        string name = string.Empty;
        if (bus is not null)
        {
            try
            {
                name = bus.ParseBusLayer(busKv!);
            }
            catch (DevargsException ex)
            {
                error = $"devargs \"{text}\": bus '{bus.Name}' rejects its layer \"{busLayer}\": {ex.Message}";
                return false;
            }
        }

        result = new DeviceArguments
        {
            Text = text,
            Bus = bus?.Name,
            Class = cls,
            Name = name,
            Args = driverLayer,
            BusLayer = busLayer,
            ClassLayer = classLayer,
            DriverLayer = driverLayer,
        };
        return true;
    }

    private static int FindLayerSeparator(string text, int from)
    {
        for (int i = text.IndexOf('/', from); i >= 0; i = text.IndexOf('/', i + 1))
        {
            foreach (var key in LayerKeys)
                if (string.CompareOrdinal(text, i + 1, key, 0, key.Length) == 0) return i;
        }
        return -1;
    }

    // ---- legacy syntax -----------------------------------------------------------------------

    private bool TryParseLegacy(string text, [NotNullWhen(true)] out DeviceArguments? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        Bus.Bus? bus = null;
        int nameStart = 0;

        // "<bus>:<name>": every bus whose name prefixes the string is a candidate; it wins when it is the first bus
        // that recognises what follows. Like DPDK the separator character is not checked ("pci/1:2.3" works too).
        foreach (var candidate in _buses)
        {
            if (!text.StartsWith(candidate.Name, StringComparison.Ordinal)) continue;
            // DPDK reads past the end of "pci" alone; we simply do not treat it as a prefix.
            if (text.Length <= candidate.Name.Length) continue;
            if (ReferenceEquals(FindBusByDeviceName(text[(candidate.Name.Length + 1)..]), candidate))
            {
                bus = candidate;
                nameStart = candidate.Name.Length + 1;
                break;
            }
        }

        int comma = text.IndexOf(',', nameStart);
        int nameEnd = comma < 0 ? text.Length : comma;
        if (nameEnd - nameStart >= DeviceNameMaxLength)
        {
            error = $"devargs \"{text}\": the device name starting at offset {nameStart} is {nameEnd - nameStart} characters; " +
                    $"it must be shorter than {DeviceNameMaxLength}";
            return false;
        }
        string name = text[nameStart..nameEnd];
        if (bus is null)
        {
            bus = FindBusByDeviceName(name);
            if (bus is null)
            {
                error = $"devargs \"{text}\": failed to parse device \"{name}\": no bus recognises it " +
                        $"(registered buses: {Join(_buses.Select(b => b.Name))}); give a PCI address, a vdev driver name " +
                        "such as net_null0, a \"<bus>:<name>\" prefix or the layered form \"bus=<bus>,...\"";
                return false;
            }
        }

        result = new DeviceArguments
        {
            Text = text,
            Bus = bus.Name,
            Name = name,
            Args = comma < 0 ? string.Empty : text[(comma + 1)..],
        };
        error = null;
        return true;
    }

    private static string Join(IEnumerable<string> names)
    {
        string s = string.Join(", ", names);
        return s.Length == 0 ? "(none)" : s;
    }
}
