using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Eal.Emulation;

/// <summary>
/// Writes the directory trees a Linux kernel would show for a <see cref="MachineDescription"/>: sysfs (CPUs,
/// NUMA nodes, hugepages, modules, PCI functions, IOMMU groups, VFIO cdevs), the device nodes under
/// <c>/dev</c> and the <c>/proc</c> files the framework reads. Links are relative, as in real sysfs, so a
/// reader cannot tell the emulated tree from <c>/sys</c> by its layout.
/// </summary>
public static class SysfsTreeWriter
{
    /// <summary>Writes the sysfs tree of <paramref name="machine"/> under <paramref name="sysfsRoot"/> (the emulated <c>/sys</c>).</summary>
    /// <exception cref="FormatException">The description is invalid; the message names the field.</exception>
    public static void Write(MachineDescription machine, string sysfsRoot)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        MachineValidator.Validate(machine, "(in code)");
        Directory.CreateDirectory(sysfsRoot);
        WriteCpusAndNodes(machine, sysfsRoot);
        WriteModules(machine, sysfsRoot);
        Directory.CreateDirectory(Path.Combine(sysfsRoot, "bus", "pci", "devices"));
        Directory.CreateDirectory(Path.Combine(sysfsRoot, "bus", "pci", "drivers"));
        Directory.CreateDirectory(Path.Combine(sysfsRoot, "kernel", "iommu_groups"));
        Directory.CreateDirectory(Path.Combine(sysfsRoot, "class", "vfio-dev"));
        if (machine.LoadedModules.Contains("vfio_pci")) CreateDriverDirectory(sysfsRoot, "vfio-pci");

        // Shared directories first (sequentially), then one independent device directory per function in parallel.
        foreach (var f in machine.PciFunctions)
        {
            if (f.Driver is not null && !f.Overrides.ContainsKey("driver")) CreateDriverDirectory(sysfsRoot, f.Driver);
            Directory.CreateDirectory(DeviceParent(sysfsRoot, f.Address));
        }
        Parallel.ForEach(machine.PciFunctions, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            f => WritePciFunctionCore(machine, sysfsRoot, f));
    }

    /// <summary>Writes the device nodes (<c>vfio/vfio</c>, <c>vfio/&lt;group&gt;</c>, <c>vfio/devices/vfioN</c>, <c>iommu</c>) as placeholder files.</summary>
    public static void WriteDevNodes(MachineDescription machine, string devRoot)
    {
        ArgumentNullException.ThrowIfNull(machine);
        Directory.CreateDirectory(Path.Combine(devRoot, "vfio", "devices"));
        Directory.CreateDirectory(Path.Combine(devRoot, "hugepages"));
        if (machine.LoadedModules.Contains("vfio")) WriteText(Path.Combine(devRoot, "vfio", "vfio"), string.Empty);
        if (machine.IommufdPresent) WriteText(Path.Combine(devRoot, "iommu"), string.Empty);
        foreach (var f in machine.PciFunctions) WriteDevNodesOf(machine, devRoot, f);
    }

    /// <summary>Writes <c>mounts</c> (sysfs, proc, a hugetlbfs mount at <c>&lt;devRoot&gt;/hugepages</c>) and <c>meminfo</c>.</summary>
    public static void WriteProc(MachineDescription machine, string procRoot, string devRoot)
    {
        ArgumentNullException.ThrowIfNull(machine);
        Directory.CreateDirectory(procRoot);
        var mounts = new StringBuilder();
        mounts.Append("sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n");
        mounts.Append("proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
        var pools = Pools(machine);
        if (pools.Any(p => p.Size == 2048 && p.Total > 0))
            mounts.Append(CultureInfo.InvariantCulture, $"hugetlbfs {Path.Combine(devRoot, "hugepages")} hugetlbfs rw,relatime,pagesize=2M 0 0\n");
        WriteText(Path.Combine(procRoot, "mounts"), mounts.ToString());
        long memKiB = Nodes(machine).Sum(n => n.MemoryMiB) * 1024;
        var two = pools.FirstOrDefault(p => p.Size == 2048);
        WriteText(Path.Combine(procRoot, "meminfo"), string.Create(CultureInfo.InvariantCulture,
            $"MemTotal:       {memKiB,8} kB\nMemFree:        {memKiB / 2,8} kB\nHugePages_Total: {two.Total,6}\nHugePages_Free:  {two.Free,6}\nHugePages_Rsvd:        0\nHugePages_Surp:        0\nHugepagesize:       2048 kB\n"));
    }

    /// <summary>
    /// Adds the sysfs entries of one PCI function (hotplug): its device directory, the <c>bus/pci/devices</c>
    /// link, the driver back-link, the IOMMU group and VFIO cdev entries. The function must already be in
    /// <paramref name="machine"/>.
    /// </summary>
    public static void WritePciFunction(MachineDescription machine, string sysfsRoot, PciFunctionDescription function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (function.Driver is not null && !function.Overrides.ContainsKey("driver")) CreateDriverDirectory(sysfsRoot, function.Driver);
        Directory.CreateDirectory(DeviceParent(sysfsRoot, function.Address));
        WritePciFunctionCore(machine, sysfsRoot, function);
    }

    /// <summary>Removes every sysfs entry of the PCI function at <paramref name="address"/> (hot removal).</summary>
    public static void RemovePciFunction(string sysfsRoot, string address)
    {
        string busLink = Path.Combine(sysfsRoot, "bus", "pci", "devices", address);
        string dir = DeviceDirectory(sysfsRoot, address);
        DeleteIfExists(busLink);
        foreach (var drv in SafeDirectories(Path.Combine(sysfsRoot, "bus", "pci", "drivers")))
            DeleteIfExists(Path.Combine(drv, address));
        foreach (var group in SafeDirectories(Path.Combine(sysfsRoot, "kernel", "iommu_groups")))
        {
            string link = Path.Combine(group, "devices", address);
            if (!DeleteIfExists(link)) continue;
            if (!Directory.EnumerateFileSystemEntries(Path.Combine(group, "devices")).Any())
                Directory.Delete(group, recursive: true);
        }
        string vfioDev = Path.Combine(dir, "vfio-dev");
        if (Directory.Exists(vfioDev))
            foreach (var cdev in Directory.EnumerateDirectories(vfioDev))
                DeleteIfExists(Path.Combine(sysfsRoot, "class", "vfio-dev", Path.GetFileName(cdev)));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Removes the device nodes of one function (its cdev; its group node when no other member needs it).</summary>
    internal static void RemoveDevNodesOf(MachineDescription machine, string devRoot, PciFunctionDescription f)
    {
        if (f.VfioCdev is int cdev) DeleteIfExists(Path.Combine(devRoot, "vfio", "devices", "vfio" + cdev.ToString(CultureInfo.InvariantCulture)));
        if (f.IommuGroup is int g && !machine.PciFunctions.Any(o => o != f && o.IommuGroup == g && o.Driver == "vfio-pci"))
        {
            DeleteIfExists(Path.Combine(devRoot, "vfio", GroupNodeName(machine, g)));
        }
    }

    internal static void WriteDevNodesOf(MachineDescription machine, string devRoot, PciFunctionDescription f)
    {
        if (f.Driver != "vfio-pci") return;
        // The kernel creates the group node and the cdev when vfio-pci binds the function.
        if (f.IommuGroup is int g) WriteText(Path.Combine(devRoot, "vfio", GroupNodeName(machine, g)), string.Empty);
        if (f.VfioCdev is int cdev)
        {
            Directory.CreateDirectory(Path.Combine(devRoot, "vfio", "devices"));
            WriteText(Path.Combine(devRoot, "vfio", "devices", "vfio" + cdev.ToString(CultureInfo.InvariantCulture)), string.Empty);
        }
    }

    private static string GroupNodeName(MachineDescription machine, int group) =>
        (!machine.IommuPresent && machine.NoIommuModeEnabled ? "noiommu-" : string.Empty) + group.ToString(CultureInfo.InvariantCulture);

    // ---- CPUs, nodes, hugepages, modules ------------------------------------------------------

    internal readonly record struct ResolvedNode(int Id, List<int> Cpus, long MemoryMiB, List<HugepagePoolDescription> Hugepages);

    internal readonly record struct Pool(long Size, long Total, long Free);

    /// <summary>The nodes with their CPUs resolved: explicit lists kept, empty lists get an even share of the rest.</summary>
    internal static List<ResolvedNode> Nodes(MachineDescription m)
    {
        var described = m.NumaNodes.Count > 0 ? m.NumaNodes.OrderBy(n => n.Id).ToList() : [new NumaNodeDescription { Id = 0 }];
        var taken = new HashSet<int>();
        var result = new List<ResolvedNode>();
        foreach (var n in described)
        {
            CpuList.TryParse(n.Cpus, out var cpus);
            taken.UnionWith(cpus);
            result.Add(new ResolvedNode(n.Id, cpus, n.MemoryMiB, n.Hugepages));
        }
        var rest = Enumerable.Range(0, m.Cpus).Where(c => !taken.Contains(c)).ToList();
        var empty = result.Where(r => r.Cpus.Count == 0).ToList();
        var receivers = empty.Count > 0 ? empty : [result[0]];
        int share = (rest.Count + receivers.Count - 1) / receivers.Count, k = 0;
        foreach (var r in receivers)
        {
            r.Cpus.AddRange(rest.Skip(k).Take(share));
            r.Cpus.Sort();
            k += share;
        }
        return result;
    }

    internal static List<Pool> Pools(MachineDescription m)
    {
        var sizes = new SortedSet<long> { 2048, 1048576 };
        foreach (var n in m.NumaNodes) foreach (var h in n.Hugepages) sizes.Add(h.SizeKiB);
        return sizes.Select(s => new Pool(s,
            m.NumaNodes.SelectMany(n => n.Hugepages).Where(h => h.SizeKiB == s).Sum(h => (long)h.Total),
            m.NumaNodes.SelectMany(n => n.Hugepages).Where(h => h.SizeKiB == s).Sum(h => (long)h.Free))).ToList();
    }

    private static void WriteCpusAndNodes(MachineDescription m, string root)
    {
        string cpuRoot = Path.Combine(root, "devices", "system", "cpu");
        string nodeRoot = Path.Combine(root, "devices", "system", "node");
        Directory.CreateDirectory(cpuRoot);
        Directory.CreateDirectory(nodeRoot);
        string all = CpuList.Format(Enumerable.Range(0, m.Cpus).ToList()) + "\n";
        foreach (var name in new[] { "online", "possible", "present" }) WriteText(Path.Combine(cpuRoot, name), all);
        WriteText(Path.Combine(cpuRoot, "offline"), "\n");
        WriteText(Path.Combine(cpuRoot, "kernel_max"), "8191\n");

        var nodes = Nodes(m);
        var pools = Pools(m);
        string nodeList = CpuList.Format(nodes.Select(n => n.Id).ToList()) + "\n";
        foreach (var name in new[] { "online", "possible", "has_cpu", "has_memory", "has_normal_memory" })
            WriteText(Path.Combine(nodeRoot, name), name == "has_cpu" ? CpuList.Format(nodes.Where(n => n.Cpus.Count > 0).Select(n => n.Id).ToList()) + "\n" : nodeList);

        for (int package = 0; package < nodes.Count; package++)
        {
            var node = nodes[package];
            string nodeDir = Path.Combine(nodeRoot, "node" + Inv(node.Id));
            Directory.CreateDirectory(nodeDir);
            string nodeCpus = CpuList.Format(node.Cpus);
            WriteText(Path.Combine(nodeDir, "cpulist"), nodeCpus + "\n");
            WriteText(Path.Combine(nodeDir, "distance"), string.Join(' ', nodes.Select(o => o.Id == node.Id ? "10" : "20")) + "\n");
            WriteText(Path.Combine(nodeDir, "meminfo"), string.Create(CultureInfo.InvariantCulture,
                $"Node {node.Id} MemTotal:       {node.MemoryMiB * 1024,8} kB\nNode {node.Id} MemFree:        {node.MemoryMiB * 512,8} kB\n"));
            foreach (var pool in pools)
            {
                var desc = node.Hugepages.FirstOrDefault(h => h.SizeKiB == pool.Size);
                string hp = Path.Combine(nodeDir, "hugepages", $"hugepages-{Inv(pool.Size)}kB");
                Directory.CreateDirectory(hp);
                WriteText(Path.Combine(hp, "nr_hugepages"), Inv(desc?.Total ?? 0) + "\n");
                WriteText(Path.Combine(hp, "free_hugepages"), Inv(desc?.Free ?? 0) + "\n");
                WriteText(Path.Combine(hp, "surplus_hugepages"), "0\n");
            }
            // Threads of one core are consecutive in the node's CPU list; a package per node.
            for (int i = 0; i < node.Cpus.Count; i++)
            {
                int cpu = node.Cpus[i];
                int core = i / m.ThreadsPerCore;
                var siblings = node.Cpus.Skip(core * m.ThreadsPerCore).Take(m.ThreadsPerCore).ToList();
                string cpuDir = Path.Combine(cpuRoot, "cpu" + Inv(cpu));
                string topo = Path.Combine(cpuDir, "topology");
                Directory.CreateDirectory(topo);
                WriteText(Path.Combine(topo, "core_id"), Inv(core) + "\n");
                WriteText(Path.Combine(topo, "physical_package_id"), Inv(package) + "\n");
                WriteText(Path.Combine(topo, "die_id"), "0\n");
                WriteText(Path.Combine(topo, "thread_siblings_list"), CpuList.Format(siblings) + "\n");
                WriteText(Path.Combine(topo, "core_cpus_list"), CpuList.Format(siblings) + "\n");
                WriteText(Path.Combine(topo, "core_siblings_list"), nodeCpus + "\n");
                WriteText(Path.Combine(topo, "package_cpus_list"), nodeCpus + "\n");
                if (cpu != 0) WriteText(Path.Combine(cpuDir, "online"), "1\n");
                File.CreateSymbolicLink(Path.Combine(cpuDir, "node" + Inv(node.Id)), "../../node/node" + Inv(node.Id));
                File.CreateSymbolicLink(Path.Combine(nodeDir, "cpu" + Inv(cpu)), "../../cpu/cpu" + Inv(cpu));
            }
        }

        foreach (var pool in pools)
        {
            string hp = Path.Combine(root, "kernel", "mm", "hugepages", $"hugepages-{Inv(pool.Size)}kB");
            Directory.CreateDirectory(hp);
            WriteText(Path.Combine(hp, "nr_hugepages"), Inv(pool.Total) + "\n");
            WriteText(Path.Combine(hp, "nr_hugepages_mempolicy"), Inv(pool.Total) + "\n");
            WriteText(Path.Combine(hp, "free_hugepages"), Inv(pool.Free) + "\n");
            WriteText(Path.Combine(hp, "resv_hugepages"), "0\n");
            WriteText(Path.Combine(hp, "surplus_hugepages"), "0\n");
            WriteText(Path.Combine(hp, "nr_overcommit_hugepages"), "0\n");
        }
    }

    private static void WriteModules(MachineDescription m, string root)
    {
        foreach (var module in m.LoadedModules)
        {
            string dir = Path.Combine(root, "module", module);
            Directory.CreateDirectory(dir);
            WriteText(Path.Combine(dir, "initstate"), "live\n");
        }
        foreach (var (key, value) in m.ModuleParameters)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            string dir = Path.Combine(root, "module", key[..dot], "parameters");
            Directory.CreateDirectory(dir);
            WriteText(Path.Combine(dir, key[(dot + 1)..]), value + "\n");
        }
    }

    // ---- PCI -----------------------------------------------------------------------------------

    private static string RootBusName(string address) => "pci" + address[..7]; // pciDDDD:BB

    private static string DeviceParent(string sysfsRoot, string address) => Path.Combine(sysfsRoot, "devices", RootBusName(address));

    internal static string DeviceDirectory(string sysfsRoot, string address) => Path.Combine(DeviceParent(sysfsRoot, address), address);

    private static string DeviceLinkFromDepth(int depth, string address) =>
        string.Concat(Enumerable.Repeat("../", depth)) + "devices/" + RootBusName(address) + "/" + address;

    private static void CreateDriverDirectory(string sysfsRoot, string driver)
    {
        string dir = Path.Combine(sysfsRoot, "bus", "pci", "drivers", driver);
        if (Directory.Exists(dir)) return;
        Directory.CreateDirectory(dir);
        WriteText(Path.Combine(dir, "bind"), string.Empty);
        WriteText(Path.Combine(dir, "unbind"), string.Empty);
        WriteText(Path.Combine(dir, "new_id"), string.Empty);
    }

    private static void WritePciFunctionCore(MachineDescription machine, string root, PciFunctionDescription f)
    {
        string a = f.Address;
        string dir = DeviceDirectory(root, a);
        Directory.CreateDirectory(dir);
        var ov = f.Overrides;
        var used = ov.Count == 0 ? null : new HashSet<string>(StringComparer.Ordinal);

        void File(string name, string content)
        {
            if (used is not null && ov.TryGetValue(name, out var o))
            {
                used.Add(name);
                if (o is not null) WriteText(Path.Combine(dir, name), o);
                return;
            }
            WriteText(Path.Combine(dir, name), content);
        }
        void Link(string name, string target)
        {
            if (used is not null && ov.TryGetValue(name, out var o))
            {
                used.Add(name);
                if (o is not null) WriteText(Path.Combine(dir, name), o);
                return;
            }
            System.IO.File.CreateSymbolicLink(Path.Combine(dir, name), target);
        }

        File("vendor", Hex4(f.VendorId));
        File("device", Hex4(f.DeviceId));
        File("subsystem_vendor", Hex4(f.SubsystemVendorId));
        File("subsystem_device", Hex4(f.SubsystemDeviceId));
        File("class", "0x" + f.ClassCode.ToString("x6", CultureInfo.InvariantCulture) + "\n");
        File("revision", "0x" + f.Revision.ToString("x2", CultureInfo.InvariantCulture) + "\n");
        File("numa_node", Inv(f.NumaNode) + "\n");
        File("resource", ResourceText(f));
        File("enable", f.Driver is null ? "0\n" : "1\n");
        File("driver_override", "(null)\n");
        File("modalias", string.Create(CultureInfo.InvariantCulture,
            $"pci:v{f.VendorId:X8}d{f.DeviceId:X8}sv{f.SubsystemVendorId:X8}sd{f.SubsystemDeviceId:X8}bc{f.ClassCode >> 16:X2}sc{(f.ClassCode >> 8) & 0xFF:X2}i{f.ClassCode & 0xFF:X2}\n"));
        if (f.Sriov is { } sriov)
        {
            File("sriov_totalvfs", Inv(sriov.TotalVfs) + "\n");
            File("sriov_numvfs", Inv(sriov.NumVfs) + "\n");
            int n = 0;
            foreach (var vf in machine.PciFunctions)
                if (vf.PhysicalFunction == a)
                    Link("virtfn" + Inv(n++), "../../" + RootBusName(vf.Address) + "/" + vf.Address);
        }
        if (f.Driver == "igb_uio" && f.Sriov is { } s2) File("max_vfs", Inv(s2.NumVfs) + "\n");
        if (f.PhysicalFunction is { } pf) Link("physfn", "../../" + RootBusName(pf) + "/" + pf);
        Link("subsystem", "../../../bus/pci");
        if (f.Driver is { } drv)
        {
            Link("driver", "../../../bus/pci/drivers/" + drv);
            if (used is null || !ov.ContainsKey("driver"))
                System.IO.File.CreateSymbolicLink(Path.Combine(root, "bus", "pci", "drivers", drv, a), DeviceLinkFromDepth(4, a));
        }
        if (f.IommuGroup is int g)
        {
            string gdir = Path.Combine(root, "kernel", "iommu_groups", Inv(g));
            Directory.CreateDirectory(Path.Combine(gdir, "devices"));
            string type = Path.Combine(gdir, "type");
            if (!System.IO.File.Exists(type))
            {
                try { WriteText(type, machine.IommuPresent ? "DMA\n" : "identity\n"); }
                catch (IOException) { /* another function of the group wrote it concurrently */ }
            }
            Link("iommu_group", "../../../kernel/iommu_groups/" + Inv(g));
            System.IO.File.CreateSymbolicLink(Path.Combine(gdir, "devices", a), DeviceLinkFromDepth(4, a));
        }
        if (f.VfioCdev is int cdev && f.Driver == "vfio-pci")
        {
            string name = "vfio" + Inv(cdev);
            string cdir = Path.Combine(dir, "vfio-dev", name);
            Directory.CreateDirectory(cdir);
            WriteText(Path.Combine(cdir, "dev"), "237:" + Inv(cdev) + "\n");
            System.IO.File.CreateSymbolicLink(Path.Combine(root, "class", "vfio-dev", name),
                "../../devices/" + RootBusName(a) + "/" + a + "/vfio-dev/" + name);
        }
        if (used is null || !ov.TryGetValue("config", out var cfgOverride))
            System.IO.File.WriteAllBytes(Path.Combine(dir, "config"), ConfigSpace.Build(f, machine));
        else if (cfgOverride is not null)
            WriteText(Path.Combine(dir, "config"), cfgOverride);
        System.IO.File.CreateSymbolicLink(Path.Combine(root, "bus", "pci", "devices", a), DeviceLinkFromDepth(3, a));

        if (used is null) return;
        // Overrides naming files the kernel would not show for this function are added as given.
        foreach (var (name, content) in ov)
        {
            if (used.Contains(name) || content is null || name == "config") continue;
            string path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteText(path, content);
        }
    }

    private static string ResourceText(PciFunctionDescription f)
    {
        // Six BARs, the expansion ROM and the six SR-IOV BARs of a CONFIG_PCI_IOV kernel: 13 lines.
        var sb = new StringBuilder(13 * 57);
        for (int i = 0; i < 13; i++)
        {
            var bar = i < 6 ? f.Bars.FirstOrDefault(b => b.Index == i) : null;
            ulong start = 0, end = 0, flags = 0;
            if (bar is not null)
            {
                start = bar.Address;
                end = bar.Address + bar.Size - 1;
                flags = ResourceFlags(bar.Flags);
            }
            sb.Append(CultureInfo.InvariantCulture, $"0x{start:x16} 0x{end:x16} 0x{flags:x16}\n");
        }
        return sb.ToString();
    }

    /// <summary>The <c>IORESOURCE_*</c> flags Linux prints for a BAR (with the BAR type bits in the low byte).</summary>
    internal static ulong ResourceFlags(PciBarFlags f)
    {
        const ulong Io = 0x100, Mem = 0x200, Prefetch = 0x2000, SizeAlign = 0x40000, Mem64 = 0x100000;
        if ((f & PciBarFlags.Io) != 0) return Io | SizeAlign | 0x1;
        ulong v = Mem | SizeAlign;
        if ((f & PciBarFlags.Memory64) != 0) v |= Mem64 | 0x4;
        if ((f & PciBarFlags.Prefetchable) != 0) v |= Prefetch | 0x8;
        return v;
    }

    // ---- file helpers --------------------------------------------------------------------------

    private static string Hex4(uint v) => "0x" + v.ToString("x4", CultureInfo.InvariantCulture) + "\n";

    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);

    internal static void WriteText(string path, string content)
    {
        using var h = System.IO.File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        if (content.Length == 0) return;
        Span<byte> small = stackalloc byte[1024];
        int max = Encoding.UTF8.GetMaxByteCount(content.Length);
        byte[]? rented = max > small.Length ? new byte[max] : null;
        Span<byte> buf = rented ?? small;
        int n = Encoding.UTF8.GetBytes(content, buf);
        RandomAccess.Write(h, buf[..n], 0);
    }

    private static bool DeleteIfExists(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null) return false;
        info.Delete();
        return true;
    }

    private static IEnumerable<string> SafeDirectories(string path) =>
        Directory.Exists(path) ? Directory.EnumerateDirectories(path) : [];
}

/// <summary>Builds a PCI configuration space image with the registers and capability list of a function.</summary>
internal static class ConfigSpace
{
    public const int PmCap = 0x40, MsixCap = 0x50, PcieCap = 0x70, SriovExtCap = 0x100;

    public static byte[] Build(PciFunctionDescription f, MachineDescription machine)
    {
        var c = new byte[f.ConfigSpaceSize];
        var s = c.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x00..], (ushort)f.VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x02..], (ushort)f.DeviceId);
        // A kernel driver enables memory decoding and bus mastering; vfio-pci and unbound functions leave them off.
        ushort command = f.Driver is null or "vfio-pci" ? (ushort)0 : (ushort)0x0006;
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x04..], command);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x06..], 0x0010); // capability list present
        c[0x08] = (byte)f.Revision;
        c[0x09] = (byte)f.ClassCode;
        c[0x0A] = (byte)(f.ClassCode >> 8);
        c[0x0B] = (byte)(f.ClassCode >> 16);
        foreach (var bar in f.Bars)
        {
            int reg = 0x10 + 4 * bar.Index;
            if ((bar.Flags & PciBarFlags.Io) != 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(s[reg..], ((uint)bar.Address & ~3u) | 1u);
                continue;
            }
            uint low = (uint)bar.Address & ~0xFu;
            if ((bar.Flags & PciBarFlags.Memory64) != 0) low |= 0x4;
            if ((bar.Flags & PciBarFlags.Prefetchable) != 0) low |= 0x8;
            BinaryPrimitives.WriteUInt32LittleEndian(s[reg..], low);
            if ((bar.Flags & PciBarFlags.Memory64) != 0)
                BinaryPrimitives.WriteUInt32LittleEndian(s[(reg + 4)..], (uint)(bar.Address >> 32));
        }
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x2C..], (ushort)f.SubsystemVendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x2E..], (ushort)f.SubsystemDeviceId);
        c[0x34] = PmCap;
        c[0x3D] = 1; // INTA#

        bool pcie = f.ConfigSpaceSize == 4096;
        byte afterPm = f.MsixVectors > 0 ? (byte)MsixCap : pcie ? (byte)PcieCap : (byte)0;
        c[PmCap] = 0x01;
        c[PmCap + 1] = afterPm;
        BinaryPrimitives.WriteUInt16LittleEndian(s[(PmCap + 2)..], 0x0003); // PM version 3
        if (f.MsixVectors > 0)
        {
            c[MsixCap] = 0x11;
            c[MsixCap + 1] = pcie ? (byte)PcieCap : (byte)0;
            BinaryPrimitives.WriteUInt16LittleEndian(s[(MsixCap + 2)..], (ushort)(f.MsixVectors - 1));
            uint table = (f.MsixTableOffset & ~7u) | (uint)f.MsixTableBar;
            uint pbaOffset = ((f.MsixTableOffset & ~7u) + (uint)(16 * f.MsixVectors) + 7u) & ~7u;
            BinaryPrimitives.WriteUInt32LittleEndian(s[(MsixCap + 4)..], table);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(MsixCap + 8)..], pbaOffset | (uint)f.MsixTableBar);
        }
        if (pcie)
        {
            c[PcieCap] = 0x10;
            c[PcieCap + 1] = 0;
            BinaryPrimitives.WriteUInt16LittleEndian(s[(PcieCap + 2)..], 0x0002); // version 2, endpoint
            if (f.Sriov is { } sriov)
            {
                // SR-IOV extended capability (id 0x0010, version 1, last in the list).
                BinaryPrimitives.WriteUInt32LittleEndian(s[SriovExtCap..], 0x0010u | (1u << 16));
                BinaryPrimitives.WriteUInt16LittleEndian(s[(SriovExtCap + 0x0C)..], (ushort)sriov.TotalVfs);
                BinaryPrimitives.WriteUInt16LittleEndian(s[(SriovExtCap + 0x0E)..], (ushort)sriov.TotalVfs);
                BinaryPrimitives.WriteUInt16LittleEndian(s[(SriovExtCap + 0x10)..], (ushort)sriov.NumVfs);
                var firstVf = machine.PciFunctions.FirstOrDefault(v => v.PhysicalFunction == f.Address);
                if (firstVf is not null) BinaryPrimitives.WriteUInt16LittleEndian(s[(SriovExtCap + 0x1A)..], (ushort)firstVf.DeviceId);
            }
        }
        return c;
    }
}
