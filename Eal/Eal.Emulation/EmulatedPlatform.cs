using System.Globalization;
using Eal.Platform;

namespace Eal.Emulation;

/// <summary>
/// The emulated OS seam: a private temporary directory holding <c>sys</c>, <c>dev</c> and <c>proc</c> trees
/// written from a <see cref="MachineDescription"/>. Every instance owns its own tree, so several EAL
/// instances can run side by side; <see cref="Dispose"/> deletes it. Functions can be added, removed and
/// re-bound at runtime to exercise hotplug.
/// </summary>
public sealed class EmulatedPlatform : IPlatform, IDisposable
{
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Writes the trees of <paramref name="machine"/> (or <see cref="MachineSpec.Default"/>) under a new temporary directory.</summary>
    /// <param name="machine">The machine; the platform keeps and updates this instance.</param>
    /// <param name="parentDirectory">
    /// Where to create the temporary directory. By default <c>/dev/shm</c> when it is a writable directory (a
    /// memory filesystem, like real sysfs: creating tens of thousands of files on a disk filesystem is slow),
    /// otherwise the system temp directory.
    /// </param>
    /// <exception cref="FormatException">The description is invalid.</exception>
    public EmulatedPlatform(MachineDescription? machine = null, string? parentDirectory = null)
    {
        Machine = machine ?? MachineSpec.Default();
        Root = Path.Combine(parentDirectory ?? DefaultParentDirectory(), "eal-emu-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            Directory.CreateDirectory(Root);
            SysfsTreeWriter.Write(Machine, SysfsRoot);
            SysfsTreeWriter.WriteDevNodes(Machine, DevRoot);
            SysfsTreeWriter.WriteProc(Machine, ProcRoot, DevRoot);
        }
        catch
        {
            TryDelete(Root);
            throw;
        }
    }

    /// <summary>Creates a platform from an <c>--emulate</c> value (see <see cref="MachineSpec.Resolve"/>).</summary>
    public static EmulatedPlatform FromSpec(string? spec) => new(MachineSpec.Resolve(spec));

    /// <summary>The machine the trees show.</summary>
    public MachineDescription Machine { get; }

    /// <summary>The temporary directory holding <c>sys</c>, <c>dev</c> and <c>proc</c>.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public string Name => "emulated";

    /// <inheritdoc />
    public bool IsEmulated => true;

    /// <inheritdoc />
    public string SysfsRoot => Path.Combine(Root, "sys");

    /// <inheritdoc />
    public string DevRoot => Path.Combine(Root, "dev");

    /// <inheritdoc />
    public string ProcRoot => Path.Combine(Root, "proc");

    /// <summary>Hot-adds a PCI function: it appears under <c>bus/pci/devices</c> for the next bus scan.</summary>
    /// <exception cref="FormatException">The function is invalid or its address is taken; nothing changes.</exception>
    public void AddPciFunction(PciFunctionDescription function)
    {
        ArgumentNullException.ThrowIfNull(function);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Machine.PciFunctions.Add(function);
            try
            {
                MachineValidator.Validate(Machine, "(hot-added " + function.Address + ")");
                SysfsTreeWriter.WritePciFunction(Machine, SysfsRoot, function);
                SysfsTreeWriter.WriteDevNodesOf(Machine, DevRoot, function);
            }
            catch
            {
                Machine.PciFunctions.Remove(function);
                if (PciAddressText.TryNormalize(function.Address, out var a) && Machine.FindPciFunction(a) is null)
                    SysfsTreeWriter.RemovePciFunction(SysfsRoot, a);
                throw;
            }
        }
    }

    /// <summary>Hot-removes the PCI function at <paramref name="address"/> (as <c>echo 1 &gt; remove</c> would).</summary>
    /// <exception cref="ArgumentException">No such function.</exception>
    public void RemovePciFunction(string address)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var f = Find(address);
            SysfsTreeWriter.RemoveDevNodesOf(Machine, DevRoot, f);
            Machine.PciFunctions.Remove(f);
            SysfsTreeWriter.RemovePciFunction(SysfsRoot, f.Address);
        }
    }

    /// <summary>Binds the function to <paramref name="driver"/> (null unbinds it), rewriting its sysfs entries.</summary>
    /// <exception cref="ArgumentException">No such function.</exception>
    public void BindDriver(string address, string? driver)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var f = Find(address);
            SysfsTreeWriter.RemoveDevNodesOf(Machine, DevRoot, f);
            SysfsTreeWriter.RemovePciFunction(SysfsRoot, f.Address);
            f.Driver = driver;
            SysfsTreeWriter.WritePciFunction(Machine, SysfsRoot, f);
            SysfsTreeWriter.WriteDevNodesOf(Machine, DevRoot, f);
        }
    }

    private PciFunctionDescription Find(string address) =>
        (PciAddressText.TryNormalize(address, out var a) ? Machine.FindPciFunction(a) : null)
        ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"the emulated machine has no PCI function '{address}'; it has {Machine.PciFunctions.Count} functions"), nameof(address));

    /// <summary>Deletes the temporary tree.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            TryDelete(Root);
        }
    }

    private static string DefaultParentDirectory()
    {
        const string shm = "/dev/shm";
        if (OperatingSystem.IsLinux() && Directory.Exists(shm))
        {
            try
            {
                string probe = Path.Combine(shm, ".eal-emu-probe-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(probe);
                Directory.Delete(probe);
                return shm;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return Path.GetTempPath();
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException) { /* best effort: a reader may still hold a file */ }
        catch (UnauthorizedAccessException) { }
    }

    /// <inheritdoc />
    public override string ToString() => $"emulated ({Root})";
}
