namespace Eal.Lcores;

/// <summary>The state of an lcore as DPDK's launch API sees it (<c>enum rte_lcore_state_t</c>).</summary>
public enum LcoreState
{
    /// <summary>Idle, waiting for a function (<c>WAIT</c>).</summary>
    Wait,

    /// <summary>Running a launched function (<c>RUNNING</c>).</summary>
    Running,

    /// <summary>The function returned; its value is collected by <see cref="LcoreManager.Wait(int)"/> (<c>FINISHED</c>).</summary>
    Finished,
}

/// <summary>What an lcore is for (DPDK's <c>enum rte_lcore_role_t</c>).</summary>
public enum LcoreRole
{
    /// <summary>An EAL lcore: the main lcore or a worker (<c>ROLE_RTE</c>).</summary>
    Rte,

    /// <summary>A service lcore named by <c>-S</c>/<c>-s</c> (<c>ROLE_SERVICE</c>); skipped by <see cref="LcoreManager.MpRemoteLaunch(Func{int}, CallMain)"/>.</summary>
    Service,
}

/// <summary>Whether <see cref="LcoreManager.MpRemoteLaunch(Func{int}, CallMain)"/> also runs the function on the main lcore.</summary>
public enum CallMain
{
    /// <summary>Only the workers run it (<c>SKIP_MAIN</c>).</summary>
    Skip,

    /// <summary>The calling (main) thread runs it too, after launching the workers (<c>CALL_MAIN</c>).</summary>
    Call,
}

/// <summary>How lcore threads are pinned to CPUs.</summary>
public enum LcorePinning
{
    /// <summary>Real machine: each worker thread is pinned to exactly the CPUs of its lcore.</summary>
    Exact,

    /// <summary>
    /// Emulated machine: its CPUs need not exist here, so emulated CPU <c>c</c> is pinned to the
    /// <c>(c mod N)</c>-th of the N host CPUs this process may run on. The thread is really pinned (so
    /// forwarding on the emulated platform measures what a pinned thread does), but several emulated
    /// CPUs can share one host CPU. <see cref="Lcore.HostCpus"/> shows the result.
    /// </summary>
    FoldedOntoHostCpus,
}

/// <summary>
/// A function run on an lcore without a delegate call per invocation of the work inside: the launch API
/// specialises on the struct type, so a packet loop inside <see cref="Run"/> is compiled for that type.
/// </summary>
public interface ILcoreJob
{
    /// <summary>Runs on the lcore thread; the return value is what <see cref="LcoreManager.Wait(int)"/> returns.</summary>
    /// <param name="lcoreId">The lcore running the job.</param>
    int Run(int lcoreId);
}

/// <summary>A function launched on an lcore threw; <see cref="Exception.InnerException"/> is what it threw.</summary>
public sealed class LcoreJobException : Exception
{
    /// <summary>Creates the exception for <paramref name="lcoreId"/>.</summary>
    public LcoreJobException(int lcoreId, Exception inner)
        : base($"The function launched on lcore {lcoreId} threw {inner.GetType().Name}: {inner.Message}", inner)
    {
        LcoreId = lcoreId;
    }

    /// <summary>The lcore whose function threw.</summary>
    public int LcoreId { get; }
}

/// <summary>An lcore cannot take a function now: it is running one, or its result has not been collected.</summary>
public sealed class LcoreBusyException : InvalidOperationException
{
    /// <summary>Creates the exception (DPDK's <c>-EBUSY</c> from <c>rte_eal_remote_launch</c>).</summary>
    public LcoreBusyException(int lcoreId, LcoreState state)
        : base(state == LcoreState.Running
            ? $"lcore {lcoreId} is busy: it is still RUNNING a function; call Wait({lcoreId}) before launching another"
            : $"lcore {lcoreId} is busy: its last function FINISHED but its result was not collected; call Wait({lcoreId}) first")
    {
        LcoreId = lcoreId;
        State = state;
    }

    /// <summary>The busy lcore.</summary>
    public int LcoreId { get; }

    /// <summary>Its state when the launch was refused.</summary>
    public LcoreState State { get; }
}
