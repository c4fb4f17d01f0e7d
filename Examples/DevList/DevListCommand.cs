using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Eal.Bus;
using Eal.Bus.Pci;
using Eal.Emulation;
using Eal.Platform;
using Microsoft.Extensions.Logging.Abstractions;

namespace DevList;

/// <summary>One PCI function as DevList reports it.</summary>
public sealed record DevListEntry(
    string Address,
    string VendorId,
    string DeviceId,
    string SubsystemVendorId,
    string SubsystemDeviceId,
    string Class,
    string Revision,
    string? Driver,
    string DriverKind,
    int? IommuGroup,
    int NumaNode,
    string? VfioCdev,
    IReadOnlyList<string> VfioModes);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<DevListEntry>))]
internal sealed partial class DevListJsonContext : JsonSerializerContext;

/// <summary>
/// Lists every PCI function the PCI bus sees, like <c>dpdk-devbind.py --status</c>, on the real <c>/sys</c> or
/// on an emulated machine (<c>--emulate[=spec]</c>). No EAL init: the bus is built and scanned directly.
/// </summary>
public static class DevListCommand
{
    private const string Usage =
        "usage: DevList [--emulate[=<machine.json|spec>]] [--json]\n" +
        "  --emulate[=spec]  list an emulated machine (spec e.g. 'cpus=8,numa=2,vfio=4' or a JSON file)\n" +
        "  --json            print a JSON array instead of the devbind-style table\n";

    /// <summary>Runs the tool; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool json = false;
        string? emulate = null;
        foreach (var arg in args)
        {
            if (arg == "--json") json = true;
            else if (arg == "--emulate") emulate = string.Empty;
            else if (arg.StartsWith("--emulate=", StringComparison.Ordinal)) emulate = arg["--emulate=".Length..];
            else if (arg is "-h" or "--help") { stdout.Write(Usage); return 0; }
            else
            {
                stderr.Write($"DevList: unknown argument '{arg}'\n{Usage}");
                return 2;
            }
        }

        EmulatedPlatform? emulated = null;
        try
        {
            IPlatform platform;
            try
            {
                platform = emulate is null ? new LinuxPlatform() : emulated = EmulatedPlatform.FromSpec(emulate);
            }
            catch (Exception ex) when (ex is FormatException or IOException)
            {
                stderr.WriteLine($"DevList: {ex.Message}");
                return 2;
            }
            using var bus = new PciBus([]);
            bus.Scan(new BusContext(platform, [], NullLoggerFactory.Instance));
            foreach (var d in bus.ScanDiagnostics) stderr.WriteLine($"warning: {d.Message}");
            var entries = Collect(bus, platform);
            if (json) stdout.WriteLine(JsonSerializer.Serialize(entries, DevListJsonContext.Default.ListDevListEntry));
            else WriteTable(entries, stdout);
            return 0;
        }
        finally
        {
            emulated?.Dispose();
        }
    }

    /// <summary>Describes every function of a scanned bus, with the VFIO modes that could drive it.</summary>
    public static List<DevListEntry> Collect(PciBus bus, IPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(platform);
        bool noIommu = bus.IsNoIommuModeEnabled();
        bool iommufd = File.Exists(Path.Combine(platform.DevRoot, "iommu"));
        var byAddress = bus.PciDevices.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var result = new List<DevListEntry>();
        foreach (var d in bus.PciDevices)
        {
            var modes = new List<string>();
            bool vfio = d.KernelDriverKind == PciKernelDriverKind.Vfio;
            if (vfio && d.IommuGroup is int g && IsGroupViable(platform, g, byAddress)) modes.Add("group");
            if (vfio && d.VfioCdev is not null && iommufd) modes.Add("cdev");
            if (vfio && noIommu) modes.Add("noiommu");
            result.Add(new DevListEntry(
                d.Name,
                Hex(d.Id.VendorId, 4), Hex(d.Id.DeviceId, 4), Hex(d.Id.SubsystemVendorId, 4), Hex(d.Id.SubsystemDeviceId, 4),
                Hex(d.Id.ClassId, 6), Hex(d.Revision, 2),
                d.KernelDriver, KindName(d.KernelDriverKind), d.IommuGroup, d.NumaNode,
                d.VfioCdev is int c ? "vfio" + c.ToString(CultureInfo.InvariantCulture) : null,
                modes));
        }
        return result;
    }

    /// <summary>
    /// A group is viable for VFIO when every device in it is bound to vfio-pci or to no driver (the kernel's
    /// rule); a member the bus could not read is judged by its <c>driver</c> link.
    /// </summary>
    private static bool IsGroupViable(IPlatform platform, int group, Dictionary<string, PciDevice> devices)
    {
        string dir = Path.Combine(platform.SysfsRoot, "kernel", "iommu_groups", group.ToString(CultureInfo.InvariantCulture), "devices");
        if (!Directory.Exists(dir)) return false;
        foreach (var member in Directory.EnumerateFileSystemEntries(dir))
        {
            string name = Path.GetFileName(member);
            string? driver = devices.TryGetValue(name, out var d)
                ? d.KernelDriver
                : new FileInfo(Path.Combine(member, "driver")).LinkTarget is { } t ? Path.GetFileName(t) : null;
            if (driver is not null && driver != "vfio-pci") return false;
        }
        return true;
    }

    private static string KindName(PciKernelDriverKind kind) => kind switch
    {
        PciKernelDriverKind.Vfio => "vfio",
        PciKernelDriverKind.IgbUio => "igb_uio",
        PciKernelDriverKind.UioGeneric => "uio_generic",
        PciKernelDriverKind.Other => "kernel",
        _ => "none",
    };

    private static string Hex(uint v, int digits) => "0x" + v.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static void WriteTable(List<DevListEntry> entries, TextWriter o)
    {
        void Section(string title, IEnumerable<DevListEntry> list)
        {
            var items = list.ToList();
            if (items.Count == 0) return;
            o.WriteLine();
            o.WriteLine(title);
            o.WriteLine(new string('=', title.Length));
            foreach (var e in items)
            {
                string group = e.IommuGroup is int g ? g.ToString(CultureInfo.InvariantCulture) : "none";
                string drv = e.Driver is null ? "unused" : $"drv={e.Driver}";
                string modes = e.VfioModes.Count == 0 ? string.Empty : " vfio=" + string.Join(',', e.VfioModes);
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{e.Address} '{e.VendorId[2..]}:{e.DeviceId[2..]}' class={e.Class} numa_node={e.NumaNode} iommu_group={group} {drv}{modes}"));
            }
        }
        Section("Devices using a DPDK-compatible driver", entries.Where(e => e.DriverKind is "vfio" or "igb_uio" or "uio_generic"));
        Section("Devices using a kernel driver", entries.Where(e => e.DriverKind == "kernel"));
        Section("Devices bound to no driver", entries.Where(e => e.DriverKind == "none"));
        if (entries.Count == 0) o.WriteLine("No PCI functions found.");
    }
}
