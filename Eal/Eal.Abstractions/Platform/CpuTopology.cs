using System.Globalization;

namespace Eal.Platform;

/// <summary>One CPU the kernel reports as present, with its place in the machine.</summary>
/// <param name="Id">The kernel CPU number (the <c>N</c> of <c>cpuN</c>).</param>
/// <param name="CoreId">Physical core id from <c>topology/core_id</c>.</param>
/// <param name="PackageId">Socket/package id from <c>topology/physical_package_id</c>, or -1 when the file is absent.</param>
/// <param name="NumaNode">The NUMA node the CPU belongs to (0 when no node claims it, as DPDK assumes).</param>
public readonly record struct CpuInfo(int Id, int CoreId, int PackageId, int NumaNode);

/// <summary>
/// The CPUs of a machine and their NUMA nodes, read from a sysfs tree the way DPDK's
/// <c>eal_cpu_detected</c>/<c>eal_cpu_socket_id</c> read it: a CPU exists when
/// <c>devices/system/cpu/cpuN/topology/core_id</c> exists (offline CPUs have no topology directory),
/// and its node is the lowest <c>M</c> with a <c>devices/system/node/nodeM/cpuN</c> entry
/// (falling back to <c>nodeM/cpulist</c>, then to node 0).
/// </summary>
public sealed class CpuTopology
{
    /// <summary>DPDK's <c>RTE_MAX_NUMA_NODES</c>: node directories at or above it are ignored, as DPDK does.</summary>
    public const int MaxNumaNodes = 32;

    private readonly Dictionary<int, CpuInfo> _byId;

    private CpuTopology(List<CpuInfo> cpus)
    {
        cpus.Sort((a, b) => a.Id.CompareTo(b.Id));
        Cpus = cpus.AsReadOnly();
        _byId = cpus.ToDictionary(c => c.Id);
        NumaNodes = cpus.Select(c => c.NumaNode).Distinct().Order().ToList().AsReadOnly();
    }

    /// <summary>Every detected CPU, ordered by id.</summary>
    public IReadOnlyList<CpuInfo> Cpus { get; }

    /// <summary>The distinct NUMA nodes that hold at least one detected CPU, ascending.</summary>
    public IReadOnlyList<int> NumaNodes { get; }

    /// <summary>True when CPU <paramref name="cpu"/> exists (DPDK: <c>eal_cpu_detected</c>).</summary>
    public bool IsDetected(int cpu) => _byId.ContainsKey(cpu);

    /// <summary>The NUMA node of a detected CPU, or 0 for an unknown CPU (DPDK: <c>eal_cpu_socket_id</c>).</summary>
    public int GetNumaNode(int cpu) => _byId.TryGetValue(cpu, out var info) ? info.NumaNode : 0;

    /// <summary>Formats the detected CPU ids as a compact list such as <c>0-3,8</c> (for error messages).</summary>
    public string FormatCpuList() => FormatCpuList(Cpus.Select(c => c.Id));

    /// <summary>Builds a topology from known CPUs (tests, or an emulator that already has the model).</summary>
    /// <exception cref="ArgumentException">A CPU id is negative or appears twice.</exception>
    public static CpuTopology Create(IEnumerable<CpuInfo> cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        var list = cpus.ToList();
        var seen = new HashSet<int>();
        foreach (var cpu in list)
        {
            if (cpu.Id < 0)
                throw new ArgumentException($"CPU id {cpu.Id} is negative; CPU ids start at 0.", nameof(cpus));
            if (!seen.Add(cpu.Id))
                throw new ArgumentException($"CPU {cpu.Id} is listed twice; each CPU id must be unique.", nameof(cpus));
        }
        return new CpuTopology(list);
    }

    /// <summary>
    /// Reads the CPUs under <c>&lt;sysfsRoot&gt;/devices/system/cpu</c> and their NUMA nodes under
    /// <c>&lt;sysfsRoot&gt;/devices/system/node</c>. Works on the real <c>/sys</c> and on a tree an emulator writes.
    /// </summary>
    /// <param name="sysfsRoot">The sysfs root, <c>/sys</c> on a real machine.</param>
    /// <exception cref="InvalidDataException">The tree is missing or malformed; the message names the file.</exception>
    public static CpuTopology Read(string sysfsRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        string cpuDir = Path.Combine(sysfsRoot, "devices", "system", "cpu");
        if (!Directory.Exists(cpuDir))
            throw new InvalidDataException(
                $"Cannot read the CPU topology: directory '{cpuDir}' does not exist; " +
                $"'{sysfsRoot}' must be a sysfs root such as /sys.");

        var found = new List<(int Id, string Dir)>();
        foreach (string dir in Directory.EnumerateDirectories(cpuDir, "cpu*"))
        {
            if (!TryParseIndexedName(Path.GetFileName(dir), "cpu", out int id))
                continue; // cpufreq, cpuidle: not CPUs
            // DPDK's eal_cpu_detected: the CPU exists iff topology/core_id exists.
            if (File.Exists(Path.Combine(dir, "topology", "core_id")))
                found.Add((id, dir));
        }
        if (found.Count == 0)
            throw new InvalidDataException(
                $"Cannot read the CPU topology: no '{cpuDir}/cpuN/topology/core_id' file exists, so no CPU is online.");

        var nodes = ReadNodeMembership(Path.Combine(sysfsRoot, "devices", "system", "node"), found.Select(f => f.Id));
        var cpus = new List<CpuInfo>(found.Count);
        foreach (var (id, dir) in found)
        {
            string topo = Path.Combine(dir, "topology");
            int coreId = ReadIntFile(Path.Combine(topo, "core_id"));
            string packageFile = Path.Combine(topo, "physical_package_id");
            int packageId = File.Exists(packageFile) ? ReadIntFile(packageFile) : -1;
            cpus.Add(new CpuInfo(id, coreId, packageId, nodes.TryGetValue(id, out int node) ? node : 0));
        }
        return new CpuTopology(cpus);
    }

    private static Dictionary<int, int> ReadNodeMembership(string nodeDir, IEnumerable<int> cpuIds)
    {
        var result = new Dictionary<int, int>();
        if (!Directory.Exists(nodeDir))
            return result; // kernels without NUMA: every CPU on node 0, as DPDK assumes
        var nodeDirs = new List<(int Node, string Dir)>();
        foreach (string dir in Directory.EnumerateDirectories(nodeDir, "node*"))
        {
            if (TryParseIndexedName(Path.GetFileName(dir), "node", out int node) && node < MaxNumaNodes)
                nodeDirs.Add((node, dir));
        }
        nodeDirs.Sort((a, b) => a.Node.CompareTo(b.Node));
        var wanted = cpuIds.ToList();

        // DPDK: the lowest node that has a nodeM/cpuN entry wins.
        foreach (int cpu in wanted)
        {
            foreach (var (node, dir) in nodeDirs)
            {
                if (Path.Exists(Path.Combine(dir, "cpu" + cpu.ToString(CultureInfo.InvariantCulture))))
                {
                    result[cpu] = node;
                    break;
                }
            }
        }
        // Trees that only carry nodeM/cpulist (no per-cpu links) are still understood.
        foreach (var (node, dir) in nodeDirs)
        {
            string listFile = Path.Combine(dir, "cpulist");
            if (!File.Exists(listFile))
                continue;
            foreach (int cpu in ParseCpuList(File.ReadAllText(listFile), listFile))
                result.TryAdd(cpu, node);
        }
        return result;
    }

    /// <summary>Parses a kernel CPU list such as <c>0-3,8,10-11</c> (the format of <c>online</c> and <c>cpulist</c>).</summary>
    /// <param name="text">The list; surrounding whitespace and an empty list are allowed.</param>
    /// <param name="source">Where the text came from, for the error message.</param>
    /// <exception cref="InvalidDataException">The text is not a CPU list.</exception>
    public static IReadOnlyList<int> ParseCpuList(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cpus = new List<int>();
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
            return cpus;
        foreach (string part in trimmed.Split(','))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            string first = dash < 0 ? part : part[..dash];
            string last = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out int lo) ||
                !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out int hi) || hi < lo)
                throw new InvalidDataException(
                    $"Malformed CPU list '{trimmed}' in '{source}': '{part}' is not 'N' or 'N-M' with N <= M.");
            for (int cpu = lo; cpu <= hi; cpu++)
                cpus.Add(cpu);
        }
        return cpus;
    }

    /// <summary>Formats CPU ids as a compact ascending list such as <c>0-3,8</c>.</summary>
    public static string FormatCpuList(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sorted = ids.Distinct().Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
                j++;
            parts.Add(j == i
                ? sorted[i].ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }
        return string.Join(',', parts);
    }

    private static int ReadIntFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"Cannot read '{path}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidDataException($"Cannot read '{path}': {e.Message}", e);
        }
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new InvalidDataException($"Malformed '{path}': expected a decimal integer, found '{text}'.");
        return value;
    }

    private static bool TryParseIndexedName(string name, string prefix, out int index)
    {
        index = -1;
        return name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal) &&
               int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
