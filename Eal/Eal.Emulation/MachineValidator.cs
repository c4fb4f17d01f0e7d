using System.Globalization;

namespace Eal.Emulation;

/// <summary>Checks that a machine description is one Linux could show; errors name the field and the fix.</summary>
internal static class MachineValidator
{
    public static void Validate(MachineDescription m, string source)
    {
        string where = $"machine description {source}";
        if (m.Cpus < 1 || m.Cpus > 4096)
            throw new FormatException($"{where}: cpus is {m.Cpus}; use 1..4096");
        if (m.ThreadsPerCore < 1 || m.Cpus % m.ThreadsPerCore != 0)
            throw new FormatException($"{where}: threadsPerCore is {m.ThreadsPerCore}; it must be at least 1 and divide cpus ({m.Cpus})");
        var nodeIds = new HashSet<int>();
        var cpuOwner = new Dictionary<int, int>();
        foreach (var n in m.NumaNodes)
        {
            if (n.Id < 0 || n.Id > 1023 || !nodeIds.Add(n.Id))
                throw new FormatException($"{where}: NUMA node id {n.Id} is out of range 0..1023 or repeated; give each node a distinct id");
            if (n.Cpus.Length > 0)
            {
                if (!CpuList.TryParse(n.Cpus, out var cpus))
                    throw new FormatException($"{where}: node {n.Id} cpus '{n.Cpus}' is not a CPU list; write e.g. '0-3,8'");
                foreach (int c in cpus)
                {
                    if (c >= m.Cpus)
                        throw new FormatException($"{where}: node {n.Id} lists cpu {c} but the machine has cpus 0-{m.Cpus - 1}");
                    if (!cpuOwner.TryAdd(c, n.Id))
                        throw new FormatException($"{where}: cpu {c} is in both node {cpuOwner[c]} and node {n.Id}");
                }
            }
            foreach (var h in n.Hugepages)
            {
                if (h.SizeKiB <= 0 || (h.SizeKiB & (h.SizeKiB - 1)) != 0)
                    throw new FormatException($"{where}: node {n.Id} hugepage size {h.SizeKiB} kB is not a power of two; use 2048 or 1048576");
                if (h.Total < 0 || h.Free < 0 || h.Free > h.Total)
                    throw new FormatException($"{where}: node {n.Id} hugepages-{h.SizeKiB}kB has total {h.Total}, free {h.Free}; need 0 <= free <= total");
            }
        }
        foreach (var key in m.ModuleParameters.Keys)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || dot == key.Length - 1 || key.Contains('/', StringComparison.Ordinal))
                throw new FormatException($"{where}: module parameter key '{key}' must be 'module.parameter', e.g. 'vfio.enable_unsafe_noiommu_mode'");
        }
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in m.PciFunctions)
        {
            if (!PciAddressText.TryNormalize(f.Address, out var addr))
                throw new FormatException($"{where}: PCI address '{f.Address}' is not DDDD:BB:DD.F (e.g. 0000:01:00.0)");
            f.Address = addr;
            if (!addresses.Add(addr))
                throw new FormatException($"{where}: PCI function {addr} is listed twice");
        }
        foreach (var f in m.PciFunctions)
        {
            string dev = $"{where}: PCI function {f.Address}";
            if (f.VendorId > 0xFFFF || f.DeviceId > 0xFFFF || f.SubsystemVendorId > 0xFFFF || f.SubsystemDeviceId > 0xFFFF)
                throw new FormatException($"{dev}: vendor, device and subsystem ids are 16-bit; use 0x0000..0xffff");
            if (f.ClassCode > 0xFFFFFF) throw new FormatException($"{dev}: classCode 0x{f.ClassCode:x} is more than 24 bits");
            if (f.Revision > 0xFF) throw new FormatException($"{dev}: revision 0x{f.Revision:x} is more than 8 bits");
            if (f.ConfigSpaceSize is not (256 or 4096))
                throw new FormatException($"{dev}: configSpaceSize {f.ConfigSpaceSize}; use 256 (PCI) or 4096 (PCI Express)");
            var bars = new HashSet<int>();
            foreach (var b in f.Bars)
            {
                if (b.Index is < 0 or > 5 || !bars.Add(b.Index))
                    throw new FormatException($"{dev}: BAR index {b.Index} is out of 0..5 or repeated");
                if (b.Size == 0 || (b.Size & (b.Size - 1)) != 0)
                    throw new FormatException($"{dev}: BAR{b.Index} size 0x{b.Size:x} is not a non-zero power of two");
                if ((b.Flags & (PciBarFlags.Memory | PciBarFlags.Io)) is not (PciBarFlags.Memory or PciBarFlags.Io))
                    throw new FormatException($"{dev}: BAR{b.Index} flags '{b.Flags}' must contain exactly one of Memory or Io");
                if ((b.Flags & PciBarFlags.Memory64) != 0 && b.Index == 5)
                    throw new FormatException($"{dev}: BAR5 cannot be 64-bit (it would need BAR6)");
            }
            if (f.MsixVectors is < 0 or > 2048)
                throw new FormatException($"{dev}: msixVectors {f.MsixVectors}; use 0..2048");
            if (f.MsixVectors > 0 && !bars.Contains(f.MsixTableBar))
                throw new FormatException($"{dev}: msixTableBar {f.MsixTableBar} is not one of its BARs");
            if (f.Sriov is { } s && (s.TotalVfs < 0 || s.NumVfs < 0 || s.NumVfs > s.TotalVfs))
                throw new FormatException($"{dev}: SR-IOV numVfs {s.NumVfs}, totalVfs {s.TotalVfs}; need 0 <= numVfs <= totalVfs");
            if (f.PhysicalFunction is not null)
            {
                if (!PciAddressText.TryNormalize(f.PhysicalFunction, out var pf) || !addresses.Contains(pf))
                    throw new FormatException($"{dev}: physicalFunction '{f.PhysicalFunction}' is not a PCI function of this machine");
                f.PhysicalFunction = pf;
            }
            if (f.Driver is { } drv && (drv.Length == 0 || drv.Contains('/', StringComparison.Ordinal)))
                throw new FormatException($"{dev}: driver '{drv}' is not a driver name; use e.g. 'vfio-pci' or null for unbound");
            if (f.IommuGroup is < 0 || f.VfioCdev is < 0)
                throw new FormatException($"{dev}: iommuGroup and vfioCdev must be non-negative or null");
        }
    }
}

/// <summary>PCI address text in the form the kernel uses: <c>DDDD:BB:DD.F</c>, lower-case hex.</summary>
internal static class PciAddressText
{
    /// <summary>Accepts <c>DDDD:BB:DD.F</c> or <c>BB:DD.F</c> (domain 0) and returns the canonical kernel form.</summary>
    public static bool TryNormalize(string text, out string normalized)
    {
        normalized = string.Empty;
        var parts = text.Split(':');
        string dom = "0", bus, rest;
        if (parts.Length == 3) (dom, bus, rest) = (parts[0], parts[1], parts[2]);
        else if (parts.Length == 2) (bus, rest) = (parts[0], parts[1]);
        else return false;
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return false;
        if (!Hex(dom, 8, out uint d) || d > 0xFFFF || !Hex(bus, 2, out uint b) || !Hex(rest[..dot], 2, out uint dv) || dv > 0x1F
            || rest.Length != dot + 2 || rest[dot + 1] is < '0' or > '7')
            return false;
        normalized = string.Create(CultureInfo.InvariantCulture, $"{d:x4}:{b:x2}:{dv:x2}.{rest[dot + 1]}");
        return true;
    }

    private static bool Hex(string s, int maxLen, out uint v)
    {
        v = 0;
        return s.Length > 0 && s.Length <= maxLen && uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v);
    }
}

/// <summary>Linux CPU list syntax (<c>0-3,8,10-11</c>).</summary>
public static class CpuList
{
    /// <summary>Parses a CPU list into sorted distinct CPU numbers.</summary>
    public static bool TryParse(string text, out List<int> cpus)
    {
        cpus = [];
        var set = new SortedSet<int>();
        foreach (var raw in text.Trim().Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0) continue;
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int c)) return false;
                set.Add(c);
                continue;
            }
            if (!int.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int lo)
                || !int.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int hi) || hi < lo || hi - lo > 65536)
                return false;
            for (int c = lo; c <= hi; c++) set.Add(c);
        }
        cpus.AddRange(set);
        return true;
    }

    /// <summary>Formats sorted CPU numbers as the kernel does (<c>0-3,8</c>).</summary>
    public static string Format(IReadOnlyList<int> cpus)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < cpus.Count;)
        {
            int j = i;
            while (j + 1 < cpus.Count && cpus[j + 1] == cpus[j] + 1) j++;
            if (sb.Length > 0) sb.Append(',');
            sb.Append(cpus[i].ToString(CultureInfo.InvariantCulture));
            if (j > i) sb.Append('-').Append(cpus[j].ToString(CultureInfo.InvariantCulture));
            i = j + 1;
        }
        return sb.ToString();
    }
}
