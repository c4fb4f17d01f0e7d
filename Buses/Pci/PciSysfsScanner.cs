using System.Globalization;
using System.Text;

namespace Eal.Bus.Pci;

/// <summary>
/// Reads PCI functions from <c>&lt;sysfs&gt;/bus/pci/devices</c> as DPDK's <c>linux/pci.c</c> does, keeping
/// OS reading apart from the generic match/probe logic of <see cref="PciBus"/>. A missing or malformed file
/// skips only its function and is reported as a <see cref="PciScanDiagnostic"/> naming the file.
/// </summary>
internal static class PciSysfsScanner
{
    private const int ParallelThreshold = 512;

    public static (List<PciDeviceInfo> Devices, List<PciScanDiagnostic> Diagnostics) Scan(string sysfsRoot)
    {
        string dir = Path.Combine(sysfsRoot, "bus", "pci", "devices");
        var devices = new List<PciDeviceInfo>();
        var diagnostics = new List<PciScanDiagnostic>();
        if (!Directory.Exists(dir))
        {
            diagnostics.Add(new PciScanDiagnostic(string.Empty, dir,
                $"PCI scan: directory '{dir}' does not exist; no PCI functions found (is sysfs mounted, or is this root right?)", DeviceSkipped: false));
            return (devices, diagnostics);
        }
        var entries = new List<(PciAddress Address, string Path)>();
        foreach (var path in Directory.EnumerateFileSystemEntries(dir))
        {
            string name = Path.GetFileName(path);
            // DPDK: skip dot entries and anything that is not DDDD:BB:DD.F.
            if (name.StartsWith('.') || name.Count(c => c == ':') != 2 || !PciAddress.TryParse(name, out var address)) continue;
            entries.Add((address, path));
        }
        entries.Sort((a, b) => a.Address.CompareTo(b.Address));

        var results = new PciDeviceInfo?[entries.Count];
        var perDevice = new List<PciScanDiagnostic>?[entries.Count];
        void One(int i)
        {
            List<PciScanDiagnostic>? diags = null;
            results[i] = ScanOne(entries[i].Address, entries[i].Path, ResolveDirectory(entries[i].Path), ref diags);
            perDevice[i] = diags;
        }
        if (entries.Count >= ParallelThreshold)
            Parallel.For(0, entries.Count, One);
        else
            for (int i = 0; i < entries.Count; i++) One(i);

        for (int i = 0; i < entries.Count; i++)
        {
            if (results[i] is { } info) devices.Add(info);
            if (perDevice[i] is { } d) diagnostics.AddRange(d);
        }
        return (devices, diagnostics);
    }

    /// <summary>
    /// The real directory behind a <c>bus/pci/devices</c> link. Reading a dozen files through the resolved path
    /// spares the kernel a symlink walk per open; the link itself is what DPDK reads, so fall back to it.
    /// </summary>
    private static string ResolveDirectory(string linkPath)
    {
        try
        {
            string? target = new FileInfo(linkPath).LinkTarget;
            if (target is null) return linkPath;
            string full = Path.GetFullPath(target, Path.GetDirectoryName(linkPath)!);
            return Directory.Exists(full) ? full : linkPath;
        }
        catch (IOException)
        {
            return linkPath;
        }
    }

    private static PciDeviceInfo? ScanOne(PciAddress address, string shown, string dir, ref List<PciScanDiagnostic>? diags)
    {
        string a = address.ToString();
        Span<byte> buf = stackalloc byte[4096];
        // One directory read tells which optional entries exist: cheaper than a stat for each of them.
        var present = ListEntries(dir);

        if (!Required(shown, dir, a, "vendor", 0xFFFF, buf, out ulong vendor, ref diags)
            | !Required(shown, dir, a, "device", 0xFFFF, buf, out ulong device, ref diags)
            | !Required(shown, dir, a, "subsystem_vendor", 0xFFFF, buf, out ulong subVendor, ref diags)
            | !Required(shown, dir, a, "subsystem_device", 0xFFFF, buf, out ulong subDevice, ref diags))
            return null;
        string classPath = Path.Combine(dir, "class"), classShown = Path.Combine(shown, "class");
        int cn = ReadFile(classPath, buf);
        if (cn < 0 || !TryParseSysfsValue(buf[..cn], out long classValue) || classValue < 0)
        {
            (diags ??= []).Add(new(a, classShown, cn < 0
                ? $"{a}: cannot read {classShown}: the file is missing; the function is skipped"
                : $"{a}: cannot parse {classShown}: \"{Show(buf[..cn])}\" is not a class code such as 0x020000 followed by a newline; the function is skipped", true));
            return null;
        }
        uint classId = (uint)(classValue & 0xFFFFFF); // DPDK keeps the low 24 bits

        // revision is not read by DPDK; a missing or bad one is reported but does not cost the function.
        byte revision = 0;
        string revPath = Path.Combine(dir, "revision"), revShown = Path.Combine(shown, "revision");
        int rn = ReadFile(revPath, buf);
        if (rn >= 0 && TryParseSysfsValue(buf[..rn], out long rev) && rev is >= 0 and <= 0xFF) revision = (byte)rev;
        else (diags ??= []).Add(new(a, revShown, $"{a}: {revShown} is missing or not a number in 0..0xff; revision taken as 0", false));

        int maxVfs = ((present & Entry.MaxVfs) != 0 ? OptionalInt(dir, shown, "max_vfs", buf, a, ref diags) : null)
            ?? ((present & Entry.NumVfs) != 0 ? OptionalInt(dir, shown, "sriov_numvfs", buf, a, ref diags) : null) ?? 0;
        int totalVfs = ((present & Entry.TotalVfs) != 0 ? OptionalInt(dir, shown, "sriov_totalvfs", buf, a, ref diags) : null) ?? 0;

        // numa_node: missing means no affinity (-1); present but malformed skips the function, as DPDK does.
        int numa = -1;
        string numaPath = Path.Combine(dir, "numa_node"), numaShown = Path.Combine(shown, "numa_node");
        int nn = (present & Entry.NumaNode) != 0 ? ReadFile(numaPath, buf) : -1;
        if (nn >= 0)
        {
            if (!TryParseSysfsValue(buf[..nn], out long nv) || nv < -1 || nv > int.MaxValue)
            {
                (diags ??= []).Add(new(a, numaShown, $"{a}: cannot parse {numaShown}: \"{Show(buf[..nn])}\" is not a NUMA node number (or -1) followed by a newline; the function is skipped", true));
                return null;
            }
            numa = (int)nv;
        }

        string resPath = Path.Combine(dir, "resource"), resShown = Path.Combine(shown, "resource");
        int resLen = ReadFile(resPath, buf);
        if (resLen < 0)
        {
            (diags ??= []).Add(new(a, resShown, $"{a}: cannot read {resShown}: the file is missing; the function is skipped", true));
            return null;
        }
        if (!TryParseResources(buf[..resLen], out var resources, out string? resError))
        {
            (diags ??= []).Add(new(a, resShown, $"{a}: cannot parse {resShown}: {resError}; the function is skipped", true));
            return null;
        }

        string driverPath = Path.Combine(dir, "driver"), driverShown = Path.Combine(shown, "driver");
        string? driver = null;
        if ((present & Entry.Driver) != 0 && !TryReadLinkName(driverPath, out driver))
        {
            (diags ??= []).Add(new(a, driverShown, $"{a}: {driverShown} is not a symbolic link to bus/pci/drivers/<name>; the function is skipped", true));
            return null;
        }
        var kind = driver switch
        {
            null => PciKernelDriverKind.None,
            "vfio-pci" => PciKernelDriverKind.Vfio,
            "igb_uio" => PciKernelDriverKind.IgbUio,
            "uio_pci_generic" => PciKernelDriverKind.UioGeneric,
            _ => PciKernelDriverKind.Other,
        };

        string groupPath = Path.Combine(dir, "iommu_group"), groupShown = Path.Combine(shown, "iommu_group");
        int? group = null;
        string? groupName = null;
        if ((present & Entry.IommuGroup) != 0 && !TryReadLinkName(groupPath, out groupName)
            || (groupName is not null && (!int.TryParse(groupName, NumberStyles.None, CultureInfo.InvariantCulture, out int g) || (group = g) is null)))
        {
            (diags ??= []).Add(new(a, groupShown, $"{a}: {groupShown} is not a symbolic link to kernel/iommu_groups/<number>; the function is skipped", true));
            return null;
        }

        int? cdev = null;
        string vfioDev = Path.Combine(dir, "vfio-dev");
        if ((present & Entry.VfioDev) != 0 && Directory.Exists(vfioDev))
        {
            foreach (var entry in Directory.EnumerateDirectories(vfioDev, "vfio*"))
            {
                if (int.TryParse(Path.GetFileName(entry).AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int c)) cdev = c;
                break;
            }
        }

        PciAddress? physfn = null;
        string physfnPath = Path.Combine(dir, "physfn"), physfnShown = Path.Combine(shown, "physfn");
        string? pf = null;
        if ((present & Entry.Physfn) != 0 && (!TryReadLinkName(physfnPath, out pf) || (pf is not null && !PciAddress.TryParse(pf, out _))))
        {
            (diags ??= []).Add(new(a, physfnShown, $"{a}: {physfnShown} is not a symbolic link to the PF's directory; the function is skipped", true));
            return null;
        }
        if (pf is not null) physfn = PciAddress.Parse(pf);

        return new PciDeviceInfo(address, shown,
            new PciDeviceId((ushort)vendor, (ushort)device, (ushort)subVendor, (ushort)subDevice, classId),
            revision, numa, resources, driver, kind, group, cdev, maxVfs, totalVfs, physfn);
    }

    private static bool Required(string shown, string dir, string a, string file, ulong max, Span<byte> buf, out ulong value, ref List<PciScanDiagnostic>? d)
    {
        value = 0;
        string path = Path.Combine(dir, file), shownPath = Path.Combine(shown, file);
        int n = ReadFile(path, buf);
        if (n < 0)
        {
            (d ??= []).Add(new(a, shownPath, $"{a}: cannot read {shownPath}: the file is missing; the function is skipped (the kernel always shows it, so the sysfs tree is damaged)", true));
            return false;
        }
        if (!TryParseSysfsValue(buf[..n], out long v) || v < 0 || (ulong)v > max)
        {
            (d ??= []).Add(new(a, shownPath, $"{a}: cannot parse {shownPath}: \"{Show(buf[..n])}\" is not a number in 0..0x{max:x} followed by a newline; the function is skipped", true));
            return false;
        }
        value = (ulong)v;
        return true;
    }


    private static int? OptionalInt(string dir, string shown, string file, Span<byte> buf, string a, ref List<PciScanDiagnostic>? diags)
    {
        string shownPath = Path.Combine(shown, file);
        int n = ReadFile(Path.Combine(dir, file), buf);
        if (n < 0) return null;
        if (TryParseSysfsValue(buf[..n], out long v) && v is >= 0 and <= 0xFFFF) return (int)v;
        (diags ??= []).Add(new(a, shownPath, $"{a}: ignoring {shownPath}: \"{Show(buf[..n])}\" is not a VF count in 0..65535", false));
        return null;
    }

    [Flags]
    private enum Entry
    {
        None = 0,
        MaxVfs = 1,
        NumVfs = 2,
        TotalVfs = 4,
        NumaNode = 8,
        Driver = 16,
        IommuGroup = 32,
        Physfn = 64,
        VfioDev = 128,
    }

    /// <summary>Which optional entries a device directory holds, from one directory read.</summary>
    private static Entry ListEntries(string dir)
    {
        var present = Entry.None;
        try
        {
            var names = new System.IO.Enumeration.FileSystemEnumerable<Entry>(dir,
                (ref System.IO.Enumeration.FileSystemEntry e) => e.FileName switch
                {
                    "max_vfs" => Entry.MaxVfs,
                    "sriov_numvfs" => Entry.NumVfs,
                    "sriov_totalvfs" => Entry.TotalVfs,
                    "numa_node" => Entry.NumaNode,
                    "driver" => Entry.Driver,
                    "iommu_group" => Entry.IommuGroup,
                    "physfn" => Entry.Physfn,
                    "vfio-dev" => Entry.VfioDev,
                    _ => Entry.None,
                }, new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false });
            foreach (var flag in names) present |= flag;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return present;
    }

    /// <summary>Reads a small file into <paramref name="buf"/>; -1 when it does not exist (or is a directory).</summary>
    internal static int ReadFile(string path, Span<byte> buf)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle h;
        try
        {
            h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return -1;
        }
        using (h)
        {
            int total = 0;
            while (total < buf.Length)
            {
                int n = RandomAccess.Read(h, buf[total..], total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }
    }

    /// <summary>
    /// DPDK's <c>eal_parse_sysfs_value</c>: <c>strtoul(buf, &amp;end, 0)</c> with the number directly followed by
    /// a newline. Hex with <c>0x</c>, octal with a leading <c>0</c>, else decimal; a leading <c>-</c> is allowed
    /// (<c>numa_node</c> is <c>-1</c> on machines without NUMA).
    /// </summary>
    internal static bool TryParseSysfsValue(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (i < s.Length && s[i] == '-') { negative = true; i++; }
        int radix = 10;
        if (i + 1 < s.Length && s[i] == '0' && (s[i + 1] | 0x20) == 'x') { radix = 16; i += 2; }
        else if (i + 1 < s.Length && s[i] == '0' && s[i + 1] != '\n') { radix = 8; i++; }
        int start = i;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            int d = s[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => s[i] - '0',
                >= (byte)'a' and <= (byte)'f' => s[i] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => s[i] - 'A' + 10,
                _ => 99,
            };
            if (d >= radix) break;
            if (v > (ulong.MaxValue - (ulong)d) / (ulong)radix) return false;
            v = v * (ulong)radix + (ulong)d;
        }
        if (i == start || i >= s.Length || s[i] != '\n' || v > long.MaxValue) return false;
        value = negative ? -(long)v : (long)v;
        return true;
    }

    /// <summary>Parses the first six lines of <c>resource</c>: <c>0x%016llx 0x%016llx 0x%016llx</c> (start, end, flags).</summary>
    internal static bool TryParseResources(ReadOnlySpan<byte> s, out PciResource[] resources, out string? error)
    {
        resources = new PciResource[6];
        Span<ulong> f = stackalloc ulong[3];
        for (int i = 0; i < 6; i++)
        {
            int nl = s.IndexOf((byte)'\n');
            if (nl < 0)
            {
                error = $"it has {i} complete line(s); 6 BAR lines \"0x<start> 0x<end> 0x<flags>\" are needed";
                return false;
            }
            var line = s[..nl];
            s = s[(nl + 1)..];
            int k = 0;
            foreach (var range in line.Split((byte)' '))
            {
                var tok = line[range];
                if (tok.IsEmpty) continue;
                if (k == 3 || tok.Length < 3 || tok[0] != '0' || (tok[1] | 0x20) != 'x'
                    || !ulong.TryParse(Encoding.ASCII.GetString(tok[2..]), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out f[k]))
                {
                    k = -1;
                    break;
                }
                k++;
            }
            if (k != 3)
            {
                error = $"line {i + 1} \"{Show(line)}\" is not three hex numbers \"0x<start> 0x<end> 0x<flags>\"";
                return false;
            }
            ulong start = f[0], end = f[1], flags = f[2];
            if ((flags & PciResource.IoResourceMem) != 0 && end < start)
            {
                error = $"line {i + 1}: end 0x{end:x} is below start 0x{start:x}";
                return false;
            }
            ulong len = end >= start && (start != 0 || end != 0) ? end - start + 1 : 0;
            resources[i] = new PciResource(i, start, len, flags);
        }
        error = null;
        return true;
    }

    /// <summary>
    /// The base name of a symbolic link's target. True with null when nothing exists at <paramref name="path"/>;
    /// false when something that is not a link is there.
    /// </summary>
    internal static bool TryReadLinkName(string path, out string? name)
    {
        name = null;
        var info = new FileInfo(path);
        string? target = info.LinkTarget;
        if (target is null) return !info.Exists && !Directory.Exists(path);
        name = Path.GetFileName(target.TrimEnd('/'));
        return name.Length > 0;
    }

    private static string Show(ReadOnlySpan<byte> s)
    {
        if (s.Length > 64) s = s[..64];
        return Encoding.ASCII.GetString(s).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
