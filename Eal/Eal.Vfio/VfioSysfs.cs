using System.Globalization;
using Eal.Platform;

namespace Eal.Vfio;

/// <summary>
/// What sysfs and /dev say about VFIO (read through <see cref="IPlatform"/> paths, so the emulated tree is read by
/// the same code as the real one): device → IOMMU group, device → vfio cdev index, the group's members and their
/// drivers, the unsafe no-IOMMU switch, and the device nodes.
/// </summary>
public sealed class VfioSysfs
{
    private readonly IPlatform _platform;

    /// <summary>Creates a reader over <paramref name="platform"/>'s roots.</summary>
    public VfioSysfs(IPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
    }

    /// <summary><c>/dev/vfio/vfio</c> (under the platform's /dev root).</summary>
    public string ContainerPath => Path.Combine(_platform.DevRoot, "vfio", "vfio");

    /// <summary><c>/dev/iommu</c>.</summary>
    public string IommufdPath => Path.Combine(_platform.DevRoot, "iommu");

    /// <summary>The PCI devices directory, the usual <c>sysfsBase</c>: <c>/sys/bus/pci/devices</c>.</summary>
    public string PciDevicesPath => Path.Combine(_platform.SysfsRoot, "bus", "pci", "devices");

    /// <summary><c>/dev/vfio/N</c>.</summary>
    public string GroupPath(int group) => Path.Combine(_platform.DevRoot, "vfio", group.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>/dev/vfio/noiommu-N</c>.</summary>
    public string NoIommuGroupPath(int group) => Path.Combine(_platform.DevRoot, "vfio", "noiommu-" + group.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>/dev/vfio/devices/vfioN</c>.</summary>
    public string CdevPath(int index) => Path.Combine(_platform.DevRoot, "vfio", "devices", "vfio" + index.ToString(CultureInfo.InvariantCulture));

    /// <summary>Whether the vfio module is loaded or built in (<c>/sys/module/vfio</c>).</summary>
    public bool VfioModuleLoaded => Directory.Exists(Path.Combine(_platform.SysfsRoot, "module", "vfio"));

    /// <summary>Whether <c>/dev/vfio/vfio</c> exists.</summary>
    public bool ContainerNodeExists => NodeExists(ContainerPath);

    /// <summary>Whether <c>/dev/iommu</c> exists.</summary>
    public bool IommufdNodeExists => NodeExists(IommufdPath);

    /// <summary>Whether <c>/sys/module/vfio/parameters/enable_unsafe_noiommu_mode</c> is <c>Y</c>.</summary>
    public bool NoIommuEnabled
    {
        get
        {
            string p = Path.Combine(_platform.SysfsRoot, "module", "vfio", "parameters", "enable_unsafe_noiommu_mode");
            try
            {
                return File.Exists(p) && File.ReadAllText(p).Trim() is "Y" or "y" or "1";
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    /// <summary>Whether a device node exists (a regular placeholder file in the emulated tree, a char device on Linux).</summary>
    public static bool NodeExists(string path) => File.Exists(path); // true for character devices too (any non-directory)

    /// <summary>
    /// The IOMMU group of a device: the number at the end of the <c>&lt;sysfsBase&gt;/&lt;address&gt;/iommu_group</c>
    /// link, or null when the link is missing (the device is not behind an IOMMU or no-IOMMU group).
    /// </summary>
    /// <exception cref="VfioException">The link exists but does not end in a group number.</exception>
    public static int? IommuGroup(string sysfsBase, string address)
    {
        string link = Path.Combine(sysfsBase, address, "iommu_group");
        string? target;
        try
        {
            target = new FileInfo(link).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }

        if (target is null) return null;
        string last = Path.GetFileName(target.TrimEnd('/'));
        if (!int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out int group))
        {
            throw VfioException.Create("readlink " + link, 0, address, detail: $"the link points to '{target}', which does not end in an IOMMU group number",
                fix: "the sysfs tree is damaged; check the kernel's IOMMU setup");
        }

        return group;
    }

    /// <summary>The N of <c>&lt;sysfsBase&gt;/&lt;address&gt;/vfio-dev/vfioN</c>, or null when the device has no vfio cdev.</summary>
    public static int? CdevIndex(string sysfsBase, string address)
    {
        string dir = Path.Combine(sysfsBase, address, "vfio-dev");
        if (!Directory.Exists(dir)) return null;
        foreach (string entry in Directory.EnumerateFileSystemEntries(dir))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith("vfio", StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                return n;
            }
        }

        return null;
    }

    /// <summary>The driver a device is bound to (the <c>driver</c> link's last component), or null when unbound.</summary>
    public static string? DriverOf(string deviceDirectory)
    {
        try
        {
            string? target = new FileInfo(Path.Combine(deviceDirectory, "driver")).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Members of IOMMU group <paramref name="group"/> with their drivers (null = unbound), sorted by address.</summary>
    public IReadOnlyList<(string Address, string? Driver)> GroupMembers(int group)
    {
        string dir = Path.Combine(_platform.SysfsRoot, "kernel", "iommu_groups", group.ToString(CultureInfo.InvariantCulture), "devices");
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFileSystemEntries(dir)
            .Select(e => (Path.GetFileName(e), DriverOf(e)))
            .OrderBy(m => m.Item1, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Why group <paramref name="group"/> is not viable: the members bound to a driver other than vfio-pci
    /// ("0000:01:00.1 is bound to e1000e"), or a generic sentence when sysfs does not tell.
    /// </summary>
    public string NonViableReason(int group, out string fix)
    {
        var spoilers = GroupMembers(group).Where(m => m.Driver is not null && m.Driver != "vfio-pci").ToList();
        if (spoilers.Count == 0)
        {
            fix = "bind every device of the group to vfio-pci or unbind it (see /sys/kernel/iommu_groups/" + group.ToString(CultureInfo.InvariantCulture) + "/devices)";
            return "group " + group.ToString(CultureInfo.InvariantCulture) + " is not viable";
        }

        string who = string.Join(", ", spoilers.Select(s => s.Address + " is bound to " + s.Driver));
        fix = spoilers.Count == 1
            ? "bind it to vfio-pci or unbind it"
            : "bind them to vfio-pci or unbind them";
        return "group " + group.ToString(CultureInfo.InvariantCulture) + " is not viable: " + who;
    }
}
