using Eal.Memory.Os;
using Eal.Options;
using Eal.Platform;
using Microsoft.Extensions.Logging;

namespace Eal.Lcores;

/// <summary>
/// The lcores of one EAL instance and DPDK's launch API (<c>rte_launch.h</c>, <c>rte_lcore.h</c>): one pinned
/// thread per worker lcore, <see cref="RemoteLaunch(int, Func{int})"/>, <see cref="MpRemoteLaunch(Func{int}, CallMain)"/>,
/// <see cref="Wait(int)"/>, <see cref="MpWaitLcore"/>, <see cref="CurrentLcoreId"/>.
/// </summary>
/// <remarks>
/// <para>The threads start at EAL init and are joined when the instance is disposed. As in DPDK, launching and
/// waiting are meant to be done by one controlling thread (normally the main lcore).</para>
/// <para>The current lcore is found through a <c>[ThreadStatic]</c> reference to the <see cref="Lcore"/> object,
/// set only on threads this instance created (and on the main thread while it runs a function for
/// <see cref="MpRemoteLaunch(Func{int}, CallMain)"/>). Each instance compares the owner of that object with
/// itself, so two instances in one process never see each other's lcores.</para>
/// </remarks>
public sealed class LcoreManager : IDisposable
{
    /// <summary>DPDK's <c>LCORE_ID_ANY</c>: the calling thread is not an lcore of this instance.</summary>
    public const int LcoreIdAny = -1;

    [ThreadStatic] private static Lcore? t_current;

    private readonly Lcore?[] _byId = new Lcore?[EalSettings.MaxLcore];
    private readonly IThreadAffinity _affinity;
    private readonly ILogger _log;
    private readonly int _initThread;
    private bool _disposed;

    private LcoreManager(IThreadAffinity affinity, ILogger log, LcorePinning pinning)
    {
        _affinity = affinity;
        _log = log;
        Pinning = pinning;
        _initThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>Every lcore, ordered by id (main, workers and service lcores).</summary>
    public IReadOnlyList<Lcore> Lcores { get; private set; } = [];

    /// <summary>The ids of the worker lcores with the EAL role, ascending (<c>RTE_LCORE_FOREACH_WORKER</c>).</summary>
    public IReadOnlyList<int> WorkerIds { get; private set; } = [];

    /// <summary>The main lcore id (<c>rte_get_main_lcore</c>).</summary>
    public int MainLcoreId { get; private set; }

    /// <summary>How threads are pinned: exactly, or folded onto host CPUs on the emulated platform.</summary>
    public LcorePinning Pinning { get; }

    /// <summary>How long <see cref="Dispose"/> waits for a running function to return before abandoning its thread.</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The lcore id of the calling thread (<c>rte_lcore_id</c>): a worker's id on its thread, the main lcore's id on
    /// the thread that initialised EAL, otherwise <see cref="LcoreIdAny"/>.
    /// </summary>
    public int CurrentLcoreId
    {
        get
        {
            var current = t_current;
            if (current is not null && ReferenceEquals(current.Owner, this)) return current.Id;
            return Environment.CurrentManagedThreadId == _initThread ? MainLcoreId : LcoreIdAny;
        }
    }

    /// <summary>The lcore with id <paramref name="lcoreId"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not an lcore of this instance.</exception>
    public Lcore this[int lcoreId] => Find(lcoreId);

    /// <summary>True when <paramref name="lcoreId"/> is an lcore of this instance (<c>rte_lcore_is_enabled</c>, any role).</summary>
    public bool Contains(int lcoreId) => (uint)lcoreId < (uint)_byId.Length && _byId[lcoreId] is not null;

    /// <summary>Creates the lcores from the EAL settings and starts a pinned thread for every non-main lcore.</summary>
    /// <exception cref="EalInitException">A thread could not be pinned; no thread is left running.</exception>
    internal static LcoreManager Start(EalSettings settings, IPlatform platform, ILoggerFactory loggerFactory) =>
        Start(settings.Lcores, settings.MainLcore, settings.ServiceLcores, platform.IsEmulated, new LinuxThreadAffinity(),
            loggerFactory.CreateLogger("lib.eal"));

    /// <summary>Testable core of <see cref="Start(EalSettings, IPlatform, ILoggerFactory)"/>.</summary>
    internal static LcoreManager Start(IReadOnlyList<LcoreAssignment> lcores, int mainLcore, IReadOnlyList<int> serviceLcores,
        bool emulated, IThreadAffinity affinity, ILogger log)
    {
        var manager = new LcoreManager(affinity, log, emulated ? LcorePinning.FoldedOntoHostCpus : LcorePinning.Exact);
        try
        {
            manager.Create(lcores, mainLcore, serviceLcores);
            return manager;
        }
        catch
        {
            manager.Dispose();
            throw;
        }
    }

    private void Create(IReadOnlyList<LcoreAssignment> assignments, int mainLcore, IReadOnlyList<int> serviceLcores)
    {
        if (!assignments.Any(a => a.LcoreId == mainLcore))
            throw new EalInitException($"main lcore {mainLcore} is not in the lcore list ({CpuTopology.FormatCpuList(assignments.Select(a => a.LcoreId))}); add it to -l or change --main-lcore");
        MainLcoreId = mainLcore;
        // Emulated CPUs need not exist here: fold them onto the CPUs the initialising thread may use.
        IReadOnlyList<int> host = Pinning == LcorePinning.FoldedOntoHostCpus ? _affinity.Get(0) : [];
        var service = serviceLcores.ToHashSet();
        var list = new List<Lcore>(assignments.Count);
        foreach (var a in assignments.OrderBy(a => a.LcoreId))
        {
            IReadOnlyList<int> hostCpus = Pinning == LcorePinning.Exact
                ? a.Cpus
                : a.Cpus.Select(c => host[c % host.Count]).Distinct().Order().ToArray();
            var lcore = new Lcore(this, a.LcoreId, a.Cpus, a.NumaNode, service.Contains(a.LcoreId) ? LcoreRole.Service : LcoreRole.Rte,
                a.LcoreId == mainLcore, hostCpus);
            _byId[a.LcoreId] = lcore;
            list.Add(lcore);
        }
        Lcores = list.AsReadOnly();
        WorkerIds = list.Where(l => !l.IsMain && l.Role == LcoreRole.Rte).Select(l => l.Id).ToArray();

        foreach (var lcore in list)
        {
            if (lcore.IsMain) continue;
            StartThread(lcore);
            if (Pinning == LcorePinning.FoldedOntoHostCpus)
                _log.LogInformation("lcore {Lcore} (emulated CPUs {Cpus}) runs on host CPUs {HostCpus}", lcore.Id,
                    CpuTopology.FormatCpuList(lcore.Cpus), CpuTopology.FormatCpuList(lcore.HostCpus));
        }
    }

    private void StartThread(Lcore lcore)
    {
        int pinError = -1;
        using var ready = new ManualResetEventSlim(false);
        var thread = new Thread(() =>
        {
            pinError = _affinity.SetCurrentThread(lcore.HostCpus);
            if (pinError == 0)
            {
                lcore.OsThreadId = _affinity.CurrentThreadId();
                t_current = lcore;
            }
            ready.Set();
            if (pinError == 0) WorkerLoop(lcore);
        })
        {
            IsBackground = true, // a process that forgets Dispose must still be able to exit
            Name = $"lcore-worker-{lcore.Id}",
        };
        thread.Start();
        ready.Wait();
        if (pinError != 0)
        {
            thread.Join();
            throw new EalInitException(
                $"lcore {lcore.Id}: cannot pin its thread to CPUs {CpuTopology.FormatCpuList(lcore.HostCpus)} (sched_setaffinity: {Errno.Name(pinError)}); " +
                $"this process may only run on CPUs {CpuTopology.FormatCpuList(_affinity.Get(0))} (taskset or cgroup cpuset): choose lcores among them with -l");
        }
        lcore.Thread = thread;
    }

    private static void WorkerLoop(Lcore lcore)
    {
        while (true)
        {
            lcore.StartSignal.Wait();
            var job = lcore.Job;
            if (job is null) return; // stop request from Dispose
            lcore.Job = null;
            try
            {
                lcore.Result = job();
                lcore.Error = null;
            }
#pragma warning disable CA1031 // anything the function throws is handed to Wait
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lcore.Result = -1;
                lcore.Error = ex;
            }
            lcore.SetState(LcoreState.Finished);
            lcore.Done.Set();
        }
    }

    /// <summary>Runs <paramref name="function"/> on worker lcore <paramref name="lcoreId"/> (<c>rte_eal_remote_launch</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such lcore.</exception>
    /// <exception cref="ArgumentException">It is the main lcore, which has no thread of its own.</exception>
    /// <exception cref="LcoreBusyException">The lcore is not in <see cref="LcoreState.Wait"/>.</exception>
    public void RemoteLaunch(int lcoreId, Func<int> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        Launch(lcoreId, function);
    }

    /// <summary>Runs <paramref name="function"/>(<paramref name="state"/>) on worker lcore <paramref name="lcoreId"/>.</summary>
    /// <inheritdoc cref="RemoteLaunch(int, Func{int})" path="/exception"/>
    public void RemoteLaunch<TState>(int lcoreId, Func<TState, int> function, TState state)
    {
        ArgumentNullException.ThrowIfNull(function);
        Launch(lcoreId, () => function(state));
    }

    /// <summary>
    /// Runs <paramref name="job"/> on worker lcore <paramref name="lcoreId"/>; the call to <see cref="ILcoreJob.Run"/> is
    /// specialised for <typeparamref name="TJob"/> (no interface dispatch inside when it is a struct).
    /// </summary>
    /// <inheritdoc cref="RemoteLaunch(int, Func{int})" path="/exception"/>
    public void RemoteLaunch<TJob>(int lcoreId, TJob job) where TJob : ILcoreJob
    {
        ArgumentNullException.ThrowIfNull(job);
        Launch(lcoreId, () => job.Run(lcoreId));
    }

    private void Launch(int lcoreId, Func<int> job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lcore = Find(lcoreId);
        if (lcore.IsMain)
            throw new ArgumentException(
                $"lcore {lcoreId} is the main lcore (the thread that initialised EAL) and has no worker thread; call the function directly, or use MpRemoteLaunch(..., CallMain.Call)",
                nameof(lcoreId));
        if (!lcore.TryClaim()) throw new LcoreBusyException(lcoreId, lcore.State);
        lcore.Done.Reset();
        lcore.Job = job;
        lcore.StartSignal.Release();
    }

    /// <summary>
    /// Runs <paramref name="function"/> on every worker lcore with the EAL role and, with <see cref="CallMain.Call"/>, on
    /// the calling thread as the main lcore (<c>rte_eal_mp_remote_launch</c>). Collect the results with
    /// <see cref="MpWaitLcore"/> and <see cref="Wait(int)"/>.
    /// </summary>
    /// <exception cref="LcoreBusyException">A worker is not in <see cref="LcoreState.Wait"/>; nothing was launched.</exception>
    /// <remarks>An exception thrown by the main lcore's call propagates at once; the workers keep running.</remarks>
    public void MpRemoteLaunch(Func<int> function, CallMain callMain)
    {
        ArgumentNullException.ThrowIfNull(function);
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (int id in WorkerIds)
            if (_byId[id]!.State != LcoreState.Wait) throw new LcoreBusyException(id, _byId[id]!.State);
        foreach (int id in WorkerIds) Launch(id, function);
        if (callMain == CallMain.Skip) return;

        var main = _byId[MainLcoreId]!;
        var previous = t_current;
        main.SetState(LcoreState.Running);
        t_current = main;
        try
        {
            main.Result = function();
            main.Error = null;
        }
        finally
        {
            t_current = previous;
            main.SetState(LcoreState.Finished);
        }
    }

    /// <summary>
    /// Waits for lcore <paramref name="lcoreId"/> to finish its function and returns its value
    /// (<c>rte_eal_wait_lcore</c>); returns 0 at once when nothing was launched. The lcore is back in
    /// <see cref="LcoreState.Wait"/> afterwards, also when the function threw.
    /// </summary>
    /// <exception cref="LcoreJobException">The function threw; the inner exception is what it threw.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No such lcore.</exception>
    public int Wait(int lcoreId)
    {
        var lcore = Find(lcoreId);
        var state = lcore.State;
        if (state == LcoreState.Wait) return 0;
        if (!lcore.IsMain) lcore.Done.Wait();
        else if (state != LcoreState.Finished) return 0; // main still running its own call: nothing to wait for here
        int result = lcore.Result;
        var error = lcore.Error;
        lcore.Error = null;
        lcore.SetState(LcoreState.Wait);
        if (error is not null) throw new LcoreJobException(lcoreId, error);
        return result;
    }

    /// <summary>
    /// Waits for every worker lcore with the EAL role (<c>rte_eal_mp_wait_lcore</c>). All are back in
    /// <see cref="LcoreState.Wait"/> afterwards.
    /// </summary>
    /// <exception cref="LcoreJobException">A worker's function threw (the lowest such lcore; the others are logged).</exception>
    public void MpWaitLcore()
    {
        LcoreJobException? first = null;
        foreach (int id in WorkerIds)
        {
            try
            {
                Wait(id);
            }
            catch (LcoreJobException ex)
            {
                if (first is null) first = ex;
                else _log.LogError("{Error}", ex.Message);
            }
        }
        if (first is not null) throw first;
    }

    private Lcore Find(int lcoreId)
    {
        if ((uint)lcoreId < (uint)_byId.Length && _byId[lcoreId] is { } lcore) return lcore;
        throw new ArgumentOutOfRangeException(nameof(lcoreId), lcoreId,
            $"lcore {lcoreId} is not an lcore of this EAL instance; its lcores are {CpuTopology.FormatCpuList(Lcores.Select(l => l.Id))} (set them with -l)");
    }

    /// <summary>Stops and joins every worker thread (<c>rte_eal_cleanup</c>). A function still running is given
    /// <see cref="JoinTimeout"/> to return; past that its (background) thread is abandoned and an error logged.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var started = Lcores.Where(l => l.Thread is not null).ToList();
        foreach (var lcore in started) lcore.StartSignal.Release(); // Job stays null: the loop exits
        var deadline = DateTime.UtcNow + JoinTimeout;
        foreach (var lcore in started)
        {
            var left = deadline - DateTime.UtcNow;
            if (lcore.Thread!.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                lcore.StartSignal.Dispose();
                lcore.Done.Dispose();
                lcore.Thread = null;
            }
            else
            {
                _log.LogError("lcore {Lcore} did not return from its function within {Timeout} s of EAL cleanup; its thread is abandoned. Make lcore functions stop when asked before disposing EAL",
                    lcore.Id, JoinTimeout.TotalSeconds);
            }
        }
    }
}
