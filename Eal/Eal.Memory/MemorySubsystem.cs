using System.Globalization;
using System.Text;
using Eal.Bus;
using Eal.Memory.Heap;
using Eal.Memory.Hugepages;
using Eal.Memory.Iova;
using Eal.Memory.Memsegs;
using Eal.Memory.Memzones;
using Eal.Memory.Os;

namespace Eal.Memory;

/// <summary>
/// The memory of one EAL instance: memseg lists (reserved address space per page size and socket, backed on
/// demand), IOVA assignment, memory events, the malloc heap and memzones. Thread safe. Dispose releases every
/// mapping, descriptor and (unless <see cref="HugeUnlinkMode.Never"/>) hugepage file it created.
/// </summary>
public sealed partial class MemorySubsystem : IDisposable
{
    /// <summary>The IOVA of memory whose IOVA is unknown (DPDK's <c>RTE_BAD_IOVA</c>).</summary>
    public const ulong BadIova = ulong.MaxValue;

    private const ulong MiB = 1UL << 20;

    private readonly Lock _lock = new();
    private readonly IMemoryOs _os;
    private readonly List<MemsegList> _lists = [];
    private readonly List<(string Name, MemoryEventCallback Callback)> _callbacks = [];
    private readonly ulong[] _usedPerSocket;
    private bool _disposed;

    private MemorySubsystem(MemoryOptions options, IMemoryOs os, HugepageInventory? inventory, int socketCount, IovaMode iovaMode)
    {
        Options = options;
        _os = os;
        Hugepages = inventory;
        SocketCount = socketCount;
        IovaMode = iovaMode;
        _usedPerSocket = new ulong[socketCount];
        Heap = new MallocHeap(this, socketCount);
        Memzones = new MemzoneAllocator(this);
    }

    /// <summary>The settings the subsystem was created with.</summary>
    public MemoryOptions Options { get; }

    /// <summary>The hugepage pools and mounts found at start; null with <c>--no-huge</c>.</summary>
    public HugepageInventory? Hugepages { get; }

    /// <summary>Number of NUMA sockets.</summary>
    public int SocketCount { get; }

    /// <summary>The IOVA mode in force (VA or PA).</summary>
    public IovaMode IovaMode { get; }

    /// <summary>True when memory can be added and given back at run time (not legacy, not <c>--no-huge</c>).</summary>
    public bool IsDynamic => !Options.LegacyMem && !Options.NoHuge;

    /// <summary>The malloc heap (one per socket).</summary>
    public MallocHeap Heap { get; }

    /// <summary>Named memzones.</summary>
    public MemzoneAllocator Memzones { get; }

    /// <summary>A snapshot of the memseg lists.</summary>
    public IReadOnlyList<MemsegList> MemsegLists
    {
        get
        {
            lock (_lock)
            {
                return _lists.ToArray();
            }
        }
    }

    /// <summary>The OS seam this memory lives on (real or emulated): physical addresses, NUMA placement.</summary>
    public IMemoryOs Os => _os;

    /// <summary>
    /// Reserves the memseg lists and backs the memory asked at start (<c>-m</c>, <c>--socket-mem</c>, everything with
    /// <c>--legacy-mem</c>). Throws <see cref="MemoryException"/> saying what to do when hugepages are missing.
    /// </summary>
    public static MemorySubsystem Create(MemoryOptions options, IMemoryOs os)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(os);
        options.Validate();

        HugepageInventory? inventory = options.NoHuge ? null : HugepageInventory.Read(os);
        IovaMode mode = options.IovaMode;
        if (mode == IovaMode.DontCare || mode == IovaMode.PA)
        {
            bool phys = ProbePhysicalAddresses(os, !options.NoHuge);
            try
            {
                mode = IovaModeSelector.Select(new IovaModeInputs(
                    mode == IovaMode.DontCare ? null : mode, [], phys,
                    mode == IovaMode.DontCare && PhysicalAddressProbe.IommuPresent(os))).Mode;
            }
            catch (IovaModeException ex)
            {
                throw new MemoryException(ex.Message);
            }
        }

        int sockets = inventory?.SocketCount ?? 1;
        var memory = new MemorySubsystem(options, os, inventory, sockets, mode);
        try
        {
            if (options.NoHuge)
            {
                memory.InitNoHuge();
            }
            else
            {
                memory.InitHugepages(inventory!);
            }

            var ranges = new List<(int Socket, nint Start, nuint Length)>();
            memory.ForEachBackedRange((in MemoryEvent e) => ranges.Add((e.List.Socket, e.Address, e.Length)));
            foreach (var (socket, start, length) in ranges)
            {
                memory.Heap.AddMemory(socket, start, length);
            }
        }
        catch
        {
            memory.Dispose();
            throw;
        }

        return memory;
    }

    private static unsafe bool ProbePhysicalAddresses(IMemoryOs os, bool usingHugepages)
    {
        long probe = 1; // a present page of our own stack
        return PhysicalAddressProbe.PhysicalAddressesAvailable(os, usingHugepages, (nint)(&probe));
    }

    /// <summary>Bytes backed on <paramref name="socket"/> (external memory excluded).</summary>
    public ulong UsedBytes(int socket)
    {
        lock (_lock)
        {
            return (uint)socket < (uint)_usedPerSocket.Length ? _usedPerSocket[socket] : 0;
        }
    }

    /// <summary>The memseg list holding <paramref name="address"/>, or null.</summary>
    public MemsegList? FindList(nint address)
    {
        lock (_lock)
        {
            foreach (var list in _lists)
            {
                if (list.Contains(address))
                {
                    return list;
                }
            }

            return null;
        }
    }

    /// <summary>The IOVA of <paramref name="address"/>, or <see cref="BadIova"/> when it is not backed memory of this subsystem.</summary>
    public ulong VirtualToIova(nint address) => FindList(address)?.IovaOf(address) ?? BadIova;

    /// <summary>
    /// Registers a memory event callback under a unique name (DPDK's <c>rte_mem_event_callback_register</c>);
    /// dispose the result to unregister. Existing memory is not replayed: use <see cref="ForEachBackedRange"/>.
    /// </summary>
    public IDisposable RegisterEventCallback(string name, MemoryEventCallback callback)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(callback);
        lock (_lock)
        {
            if (_callbacks.Exists(c => c.Name == name))
            {
                throw new MemoryException($"A memory event callback named '{name}' is already registered; unregister it first or use another name.");
            }

            _callbacks.Add((name, callback));
        }

        return new CallbackRegistration(this, name);
    }

    /// <summary>Unregisters the callback named <paramref name="name"/>; returns false when none was registered.</summary>
    public bool UnregisterEventCallback(string name)
    {
        lock (_lock)
        {
            return _callbacks.RemoveAll(c => c.Name == name) > 0;
        }
    }

    /// <summary>Calls <paramref name="visit"/> for every virtually contiguous backed range of every list (memory lock held).</summary>
    public void ForEachBackedRange(MemoryEventCallback visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        lock (_lock)
        {
            foreach (var list in _lists)
            {
                int i = 0;
                while (i < list.Capacity)
                {
                    if (!list.IsBacked(i))
                    {
                        i++;
                        continue;
                    }

                    int start = i;
                    while (i < list.Capacity && list.IsBacked(i))
                    {
                        i++;
                    }

                    visit(new MemoryEvent(MemoryEventType.Alloc, list.AddressOf(start), list.PageSize * (nuint)(i - start), list));
                }
            }
        }
    }

    /// <summary>Writes the memseg lists and the per-socket usage.</summary>
    public void Dump(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"IOVA mode: {IovaMode.ToShortName()}, {(IsDynamic ? "dynamic" : "legacy")} memory"));
            for (int s = 0; s < _usedPerSocket.Length; s++)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"socket {s}: {_usedPerSocket[s]} bytes backed"));
            }

            foreach (var list in _lists)
            {
                writer.WriteLine(list.ToString());
            }
        }
    }

    /// <summary>Releases every mapping and descriptor; removes hugepage files this instance created (not with <c>--huge-unlink=never</c>).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            List<Exception>? errors = null;
            for (int i = _lists.Count - 1; i >= 0; i--)
            {
                try
                {
                    ReleaseList(_lists[i]);
                }
                catch (MemoryOsException e)
                {
                    (errors ??= []).Add(e);
                }
            }

            _lists.Clear();
            _callbacks.Clear();
            Array.Clear(_usedPerSocket);
            if (errors != null)
            {
                throw new AggregateException("Releasing memory failed; some mappings or hugepage files may remain.", errors);
            }
        }
    }

    private void ReleaseList(MemsegList list)
    {
        if (list.IsExternal || list.Unmapped)
        {
            return; // external memory belongs to the application
        }

        list.Unmapped = true;
        _os.Unmap(list.BaseAddress, list.Length);
        bool removeFiles = Options.HugeUnlink == HugeUnlinkMode.Existing;
        if (list.Backing == MemsegBacking.FilePerPage && removeFiles)
        {
            for (int i = 0; i < list.Capacity; i++)
            {
                if (list.IsBacked(i))
                {
                    _os.Unlink(list.FilePath(Options.FilePrefix, i));
                }
            }
        }

        if (list.SingleFileDescriptor >= 0)
        {
            _os.Close(list.SingleFileDescriptor);
            list.SingleFileDescriptor = -1;
            if (removeFiles)
            {
                _os.Unlink(list.FilePath(Options.FilePrefix, 0));
            }
        }

        for (int i = 0; i < list.Capacity; i++)
        {
            list.SetFree(i);
        }
    }

    private sealed class CallbackRegistration(MemorySubsystem owner, string name) : IDisposable
    {
        public void Dispose() => owner.UnregisterEventCallback(name);
    }

    private static string Mb(ulong bytes) => (bytes / MiB).ToString(CultureInfo.InvariantCulture) + " MiB";

    private static string Kb(nuint bytes) => (bytes / 1024).ToString(CultureInfo.InvariantCulture) + " kB";

    private static void AppendInvariant(StringBuilder sb, FormattableString text) => sb.Append(text.ToString(CultureInfo.InvariantCulture));
}
