using System.Globalization;
using Eal.Memory.Os;

namespace Eal.Memory.Hugepages;

/// <summary>One hugepage size as the kernel reports it: pools per NUMA node and the hugetlbfs mount for it.</summary>
/// <param name="PageSize">Page size in bytes.</param>
/// <param name="TotalPages">Pages reserved in the pool (<c>nr_hugepages</c>), all nodes.</param>
/// <param name="FreePagesPerSocket">Free pages per NUMA node (index = node).</param>
/// <param name="MountPoint">The hugetlbfs mount for this size, or null when none is mounted.</param>
public sealed record HugepageSize(ulong PageSize, long TotalPages, IReadOnlyList<long> FreePagesPerSocket, string? MountPoint)
{
    /// <summary>Page size in kB as the kernel names it (<c>hugepages-2048kB</c>).</summary>
    public ulong SizeKb => PageSize / 1024;

    /// <summary>Free pages on every node.</summary>
    public long FreePages => FreePagesPerSocket.Sum();
}

/// <summary>
/// Reads hugepage pools from sysfs (<c>kernel/mm/hugepages</c>, <c>devices/system/node/node*/hugepages</c>) and
/// hugetlbfs mounts from <c>/proc/mounts</c> through <see cref="IMemoryOs"/>.
/// </summary>
public sealed class HugepageInventory
{
    private HugepageInventory(IReadOnlyList<HugepageSize> sizes, int socketCount, ulong defaultPageSize)
    {
        Sizes = sizes;
        SocketCount = socketCount;
        DefaultPageSize = defaultPageSize;
    }

    /// <summary>Every hugepage size the kernel supports, ascending.</summary>
    public IReadOnlyList<HugepageSize> Sizes { get; }

    /// <summary>Number of NUMA nodes (at least 1).</summary>
    public int SocketCount { get; }

    /// <summary>The default hugepage size (<c>Hugepagesize</c> in <c>/proc/meminfo</c>), 0 when unknown.</summary>
    public ulong DefaultPageSize { get; }

    /// <summary>Reads the inventory.</summary>
    public static HugepageInventory Read(IMemoryOs os)
    {
        ArgumentNullException.ThrowIfNull(os);
        ulong defaultSize = ReadDefaultPageSize(os);
        string nodeRoot = Path.Combine(os.SysfsRoot, "devices", "system", "node");
        int[] nodes = os.ListDirectory(nodeRoot)
            .Where(n => n.StartsWith("node", StringComparison.Ordinal) && int.TryParse(n.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(n => int.Parse(n.AsSpan(4), CultureInfo.InvariantCulture))
            .Order()
            .ToArray();
        int socketCount = nodes.Length == 0 ? 1 : nodes[^1] + 1;
        var mounts = ReadMounts(os, defaultSize);

        var sizes = new List<HugepageSize>();
        string poolRoot = Path.Combine(os.SysfsRoot, "kernel", "mm", "hugepages");
        foreach (string dir in os.ListDirectory(poolRoot))
        {
            ulong? kb = ParsePoolDirectory(dir);
            if (kb == null)
            {
                continue;
            }

            long total = ReadLong(os, Path.Combine(poolRoot, dir, "nr_hugepages"));
            var free = new long[socketCount];
            if (nodes.Length == 0)
            {
                free[0] = ReadLong(os, Path.Combine(poolRoot, dir, "free_hugepages"));
            }
            else
            {
                foreach (int node in nodes)
                {
                    free[node] = ReadLong(os, Path.Combine(nodeRoot, "node" + node.ToString(CultureInfo.InvariantCulture), "hugepages", dir, "free_hugepages"));
                }
            }

            ulong pageSize = kb.Value * 1024;
            mounts.TryGetValue(pageSize, out string? mount);
            sizes.Add(new HugepageSize(pageSize, total, free, mount));
        }

        sizes.Sort((a, b) => a.PageSize.CompareTo(b.PageSize));
        return new HugepageInventory(sizes, socketCount, defaultSize);
    }

    /// <summary>hugetlbfs mounts by page size (first mount of each size wins), from <c>/proc/mounts</c>.</summary>
    public static Dictionary<ulong, string> ReadMounts(IMemoryOs os, ulong defaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(os);
        var result = new Dictionary<ulong, string>();
        foreach (var (mountPoint, pageSize) in ReadAllMounts(os, defaultPageSize))
        {
            result.TryAdd(pageSize, mountPoint);
        }

        return result;
    }

    /// <summary>Every hugetlbfs mount with its page size, in <c>/proc/mounts</c> order.</summary>
    public static IReadOnlyList<(string MountPoint, ulong PageSize)> ReadAllMounts(IMemoryOs os, ulong defaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(os);
        var list = new List<(string, ulong)>();
        string? text = os.ReadText(Path.Combine(os.ProcRoot, "mounts"));
        foreach (string line in (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            if (f.Length < 4 || f[2] != "hugetlbfs")
            {
                continue;
            }

            ulong size = defaultPageSize;
            foreach (string opt in f[3].Split(','))
            {
                if (opt.StartsWith("pagesize=", StringComparison.Ordinal))
                {
                    size = ParseSize(opt["pagesize=".Length..]);
                }
            }

            list.Add((f[1].Replace("\\040", " ", StringComparison.Ordinal), size));
        }

        return list;
    }

    /// <summary>Parses sizes like <c>2M</c>, <c>1G</c>, <c>2048k</c>, <c>2097152</c>.</summary>
    public static ulong ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        ulong mult = 1;
        if (t.Length > 0)
        {
            switch (char.ToUpperInvariant(t[^1]))
            {
                case 'K': mult = 1UL << 10; t = t[..^1]; break;
                case 'M': mult = 1UL << 20; t = t[..^1]; break;
                case 'G': mult = 1UL << 30; t = t[..^1]; break;
            }
        }

        return ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v * mult : 0;
    }

    private static ulong? ParsePoolDirectory(string dir)
    {
        // hugepages-2048kB
        if (!dir.StartsWith("hugepages-", StringComparison.Ordinal) || !dir.EndsWith("kB", StringComparison.Ordinal))
        {
            return null;
        }

        return ulong.TryParse(dir.AsSpan(10, dir.Length - 12), NumberStyles.None, CultureInfo.InvariantCulture, out ulong kb) ? kb : null;
    }

    private static ulong ReadDefaultPageSize(IMemoryOs os)
    {
        string? meminfo = os.ReadText(Path.Combine(os.ProcRoot, "meminfo"));
        foreach (string line in (meminfo ?? string.Empty).Split('\n'))
        {
            if (line.StartsWith("Hugepagesize:", StringComparison.Ordinal))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length >= 2 && ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong kb))
                {
                    return kb * 1024;
                }
            }
        }

        return 0;
    }

    private static long ReadLong(IMemoryOs os, string path) =>
        long.TryParse(os.ReadText(path)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : 0;
}
