namespace Eal.Lcores;

/// <summary>
/// One lcore of an EAL instance: its id, the CPUs it was given (<c>-l</c>), the host CPUs its thread is
/// pinned to and its launch state. Worker lcores own a thread; the main lcore is the thread that initialised EAL.
/// </summary>
public sealed class Lcore
{
    // Launch hand-over: the launcher stores Job then releases StartSignal; the worker publishes Result/Error,
    // sets the state to Finished, then sets Done.
    internal readonly SemaphoreSlim StartSignal = new(0);
    internal readonly ManualResetEventSlim Done = new(false);
    internal Func<int>? Job;
    internal int Result;
    internal Exception? Error;
    internal Thread? Thread;
    private int _state;

    internal Lcore(LcoreManager owner, int id, IReadOnlyList<int> cpus, int numaNode, LcoreRole role, bool isMain, IReadOnlyList<int> hostCpus)
    {
        Owner = owner;
        Id = id;
        Cpus = cpus;
        NumaNode = numaNode;
        Role = role;
        IsMain = isMain;
        HostCpus = hostCpus;
    }

    internal LcoreManager Owner { get; }

    /// <summary>The lcore id.</summary>
    public int Id { get; }

    /// <summary>The CPUs given to this lcore on the command line (emulated CPU numbers on the emulated platform).</summary>
    public IReadOnlyList<int> Cpus { get; }

    /// <summary>The NUMA node (socket) of the lcore's first CPU.</summary>
    public int NumaNode { get; }

    /// <summary>EAL lcore or service lcore.</summary>
    public LcoreRole Role { get; }

    /// <summary>True for the main lcore (the thread that initialised EAL; it has no thread of its own).</summary>
    public bool IsMain { get; }

    /// <summary>
    /// The host CPUs the lcore's thread is pinned to: <see cref="Cpus"/> on a real machine, the folded CPUs on the
    /// emulated platform (see <see cref="LcorePinning.FoldedOntoHostCpus"/>). For the main lcore, the CPUs it
    /// would be pinned to: EAL does not change the affinity of the application's own thread.
    /// </summary>
    public IReadOnlyList<int> HostCpus { get; }

    /// <summary>True when EAL pinned this lcore's thread (every worker; never the main lcore).</summary>
    public bool IsPinned => !IsMain;

    /// <summary>The kernel thread id (<c>gettid</c>) of the worker thread; 0 for the main lcore.</summary>
    public int OsThreadId { get; internal set; }

    /// <summary>The launch state.</summary>
    public LcoreState State => (LcoreState)Volatile.Read(ref _state);

    internal void SetState(LcoreState state) => Volatile.Write(ref _state, (int)state);

    internal bool TryClaim() => Interlocked.CompareExchange(ref _state, (int)LcoreState.Running, (int)LcoreState.Wait) == (int)LcoreState.Wait;

    /// <inheritdoc />
    public override string ToString() => $"lcore {Id} ({(IsMain ? "main" : Role == LcoreRole.Service ? "service" : "worker")}, CPUs {Eal.Platform.CpuTopology.FormatCpuList(Cpus)})";
}
