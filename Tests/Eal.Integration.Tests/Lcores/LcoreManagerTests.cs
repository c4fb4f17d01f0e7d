using Eal.Lcores;
using Eal.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace Eal.Integration.Tests.Lcores;

[TestFixture]
public sealed class LcoreManagerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Lcores 0..n-1 on host CPUs 0..n-1 folded (emulated), pinned through a fake that records the threads.</summary>
    private static (LcoreManager Manager, List<Thread> Threads) Start(int count, int main = 0, int[]? service = null)
    {
        var threads = new List<Thread>();
        var affinity = new Mock<IThreadAffinity>();
        affinity.Setup(a => a.Get(0)).Returns([0, 1]);
        affinity.Setup(a => a.CurrentThreadId()).Returns(() => 1000 + threads.Count);
        affinity.Setup(a => a.SetCurrentThread(It.IsAny<IReadOnlyList<int>>())).Returns(() =>
        {
            lock (threads) threads.Add(Thread.CurrentThread);
            return 0;
        });
        var lcores = Enumerable.Range(0, count).Select(i => new LcoreAssignment(i, [i], 0)).ToArray();
        var m = LcoreManager.Start(lcores, main, service ?? [], emulated: true, affinity.Object, NullLogger.Instance);
        return (m, threads);
    }

    [Test]
    public void Launch_then_wait_returns_the_function_value_and_the_lcore_is_idle_again()
    {
        var (m, _) = Start(3);
        using (m)
        {
            m.RemoteLaunch(1, () => 41);
            m.RemoteLaunch(2, s => s * 2, 21);
            Assert.That(m.Wait(1), Is.EqualTo(41));
            Assert.That(m.Wait(2), Is.EqualTo(42));
            Assert.That(m[1].State, Is.EqualTo(LcoreState.Wait));
            Assert.That(m.Wait(2), Is.Zero, "waiting on an idle lcore returns 0 at once, as rte_eal_wait_lcore does");
        }
    }

    private readonly struct IdJob : ILcoreJob
    {
        public int Run(int lcoreId) => lcoreId * 100;
    }

    [Test]
    public void Struct_job_runs_with_its_lcore_id()
    {
        var (m, _) = Start(3);
        using (m)
        {
            m.RemoteLaunch(2, new IdJob());
            Assert.That(m.Wait(2), Is.EqualTo(200));
        }
    }

    [Test]
    public void Current_lcore_id_is_the_worker_on_its_thread_the_main_on_the_init_thread_and_any_elsewhere()
    {
        var (m, _) = Start(3, main: 1);
        using (m)
        {
            m.RemoteLaunch(0, () => m.CurrentLcoreId);
            m.RemoteLaunch(2, () => m.CurrentLcoreId);
            Assert.That(m.Wait(0), Is.EqualTo(0));
            Assert.That(m.Wait(2), Is.EqualTo(2));
            Assert.That(m.CurrentLcoreId, Is.EqualTo(1), "the thread that started the lcores is the main lcore");
            int other = Task.Factory.StartNew(() => m.CurrentLcoreId, TaskCreationOptions.LongRunning).Result;
            Assert.That(other, Is.EqualTo(LcoreManager.LcoreIdAny));
        }
    }

    [Test]
    public void States_go_wait_running_finished_wait_and_a_busy_lcore_refuses_a_launch()
    {
        var (m, _) = Start(2);
        using (m)
        using (var release = new ManualResetEventSlim(false))
        {
            Assert.That(m[1].State, Is.EqualTo(LcoreState.Wait));
            m.RemoteLaunch(1, () => { release.Wait(); return 7; });
            Assert.That(m[1].State, Is.EqualTo(LcoreState.Running));
            var busy = Assert.Throws<LcoreBusyException>(() => m.RemoteLaunch(1, () => 0));
            Assert.That(busy!.Message, Is.EqualTo("lcore 1 is busy: it is still RUNNING a function; call Wait(1) before launching another"));

            release.Set();
            Assert.That(SpinWait.SpinUntil(() => m[1].State == LcoreState.Finished, Timeout), Is.True);
            busy = Assert.Throws<LcoreBusyException>(() => m.RemoteLaunch(1, () => 0));
            Assert.That(busy!.Message, Is.EqualTo("lcore 1 is busy: its last function FINISHED but its result was not collected; call Wait(1) first"));
            Assert.That(busy.State, Is.EqualTo(LcoreState.Finished));

            Assert.That(m.Wait(1), Is.EqualTo(7));
            Assert.That(m[1].State, Is.EqualTo(LcoreState.Wait));
        }
    }

    [Test]
    public void Exception_in_a_worker_is_thrown_by_wait_and_the_lcore_can_run_again()
    {
        var (m, _) = Start(2);
        using (m)
        {
            m.RemoteLaunch(1, () => throw new InvalidDataException("bad packet"));
            var ex = Assert.Throws<LcoreJobException>(() => m.Wait(1));
            Assert.That(ex!.Message, Is.EqualTo("The function launched on lcore 1 threw InvalidDataException: bad packet"));
            Assert.That(ex.InnerException, Is.TypeOf<InvalidDataException>());
            Assert.That(ex.LcoreId, Is.EqualTo(1));
            Assert.That(m[1].State, Is.EqualTo(LcoreState.Wait));

            m.RemoteLaunch(1, () => 5);
            Assert.That(m.Wait(1), Is.EqualTo(5));
        }
    }

    [Test]
    public void Main_lcore_and_unknown_lcores_are_refused_with_the_fix()
    {
        var (m, _) = Start(2);
        using (m)
        {
            var main = Assert.Throws<ArgumentException>(() => m.RemoteLaunch(0, () => 0));
            Assert.That(main!.Message, Does.StartWith("lcore 0 is the main lcore (the thread that initialised EAL) and has no worker thread; call the function directly, or use MpRemoteLaunch(..., CallMain.Call)"));
            var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => m.RemoteLaunch(5, () => 0));
            Assert.That(unknown!.Message, Does.StartWith("lcore 5 is not an lcore of this EAL instance; its lcores are 0-1 (set them with -l)"));
            Assert.Throws<ArgumentOutOfRangeException>(() => m.Wait(-3));
        }
    }

    [Test]
    public void Mp_remote_launch_runs_on_every_worker_and_the_main_lcore_but_not_service_lcores()
    {
        var (m, _) = Start(4, main: 0, service: [3]);
        using (m)
        {
            var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
            m.MpRemoteLaunch(() => { seen.Add(m.CurrentLcoreId); return m.CurrentLcoreId + 10; }, CallMain.Call);
            m.MpWaitLcore();
            Assert.That(seen.Order(), Is.EqualTo(new[] { 0, 1, 2 }));
            Assert.That(m.WorkerIds, Is.EqualTo(new[] { 1, 2 }));
            Assert.That(m[3].Role, Is.EqualTo(LcoreRole.Service));
            Assert.That(m[0].State, Is.EqualTo(LcoreState.Finished));
            Assert.That(m.Wait(0), Is.EqualTo(10), "the main lcore's value is collected like a worker's");
            Assert.That(m.Lcores.Select(l => l.State), Is.All.EqualTo(LcoreState.Wait));

            m.MpRemoteLaunch(() => m.CurrentLcoreId, CallMain.Skip);
            m.MpWaitLcore();
            Assert.That(m[0].State, Is.EqualTo(LcoreState.Wait), "skip-main leaves the main lcore alone");
        }
    }

    [Test]
    public void Mp_remote_launch_launches_nothing_when_a_worker_is_busy()
    {
        var (m, _) = Start(3);
        using (m)
        using (var release = new ManualResetEventSlim(false))
        {
            m.RemoteLaunch(2, () => { release.Wait(); return 0; });
            int ran = 0;
            var ex = Assert.Throws<LcoreBusyException>(() => m.MpRemoteLaunch(() => Interlocked.Increment(ref ran), CallMain.Call));
            Assert.That(ex!.LcoreId, Is.EqualTo(2));
            Assert.That(m[1].State, Is.EqualTo(LcoreState.Wait));
            Assert.That(ran, Is.Zero);
            release.Set();
            m.Wait(2);
        }
    }

    [Test]
    public void Mp_wait_waits_for_all_and_reports_the_lowest_failing_lcore()
    {
        var (m, _) = Start(4);
        using (m)
        {
            m.MpRemoteLaunch(() => m.CurrentLcoreId >= 2 ? throw new InvalidOperationException($"fail {m.CurrentLcoreId}") : 1, CallMain.Skip);
            var ex = Assert.Throws<LcoreJobException>(() => m.MpWaitLcore());
            Assert.That(ex!.LcoreId, Is.EqualTo(2));
            Assert.That(ex.InnerException!.Message, Is.EqualTo("fail 2"));
            Assert.That(m.Lcores.Select(l => l.State), Is.All.EqualTo(LcoreState.Wait));
        }
    }

    [Test]
    public void Emulated_cpus_are_folded_onto_the_host_cpus_and_every_worker_is_pinned()
    {
        var (m, threads) = Start(4);
        using (m)
        {
            Assert.That(m.Pinning, Is.EqualTo(LcorePinning.FoldedOntoHostCpus));
            Assert.That(m.Lcores.Select(l => l.HostCpus.Single()), Is.EqualTo(new[] { 0, 1, 0, 1 }), "emulated CPU c runs on host CPU c mod 2");
            Assert.That(threads, Has.Count.EqualTo(3), "one pinned thread per non-main lcore");
            Assert.That(m.Lcores.Select(l => l.IsPinned), Is.EqualTo(new[] { false, true, true, true }));
            Assert.That(m[0].OsThreadId, Is.Zero);
            Assert.That(m[1].OsThreadId, Is.GreaterThan(0));
        }
    }

    [Test]
    public void Dispose_joins_every_thread_and_refuses_later_launches()
    {
        var (m, threads) = Start(3);
        m.RemoteLaunch(1, () => 1);
        m.Dispose();
        Assert.That(threads.Select(t => t.IsAlive), Is.All.False);
        Assert.Throws<ObjectDisposedException>(() => m.RemoteLaunch(1, () => 1));
        m.Dispose(); // idempotent
    }

    [Test]
    public void Dispose_abandons_a_function_that_does_not_return_after_the_timeout_and_logs_it()
    {
        var threads = new List<Thread>();
        var affinity = new Mock<IThreadAffinity>();
        affinity.Setup(a => a.SetCurrentThread(It.IsAny<IReadOnlyList<int>>())).Returns(() => { lock (threads) threads.Add(Thread.CurrentThread); return 0; });
        var log = new Mock<ILogger>();
        log.Setup(l => l.IsEnabled(It.IsAny<LogLevel>())).Returns(true);
        var m = LcoreManager.Start([new(0, [0], 0), new(1, [1], 0)], 0, [], emulated: false, affinity.Object, log.Object);
        using var release = new ManualResetEventSlim(false);
        m.RemoteLaunch(1, () => { release.Wait(); return 0; });
        m.JoinTimeout = TimeSpan.FromMilliseconds(100);
        m.Dispose();
        Assert.That(threads.Single().IsAlive, Is.True, "the running function was not killed");
        log.Verify(l => l.Log(LogLevel.Error, It.IsAny<EventId>(),
            It.Is<It.IsAnyType>((v, _) => StartsWith(v, "lcore 1 did not return from its function within 0.1 s of EAL cleanup")),
            null, It.IsAny<Func<It.IsAnyType, Exception?, string>>()), Times.Once);
        release.Set();
        Assert.That(threads.Single().Join(Timeout), Is.True, "once the function returns, the thread sees the stop request and exits");
    }

    private static bool StartsWith(object? value, string prefix) => value?.ToString()?.StartsWith(prefix, StringComparison.Ordinal) == true;

    [Test]
    public void A_thread_that_cannot_be_pinned_fails_start_and_no_thread_is_left()
    {
        var threads = new List<Thread>();
        var affinity = new Mock<IThreadAffinity>();
        affinity.Setup(a => a.Get(0)).Returns([0, 1]);
        affinity.Setup(a => a.SetCurrentThread(It.IsAny<IReadOnlyList<int>>())).Returns((IReadOnlyList<int> cpus) =>
        {
            lock (threads) threads.Add(Thread.CurrentThread);
            return cpus.Contains(3) ? 22 : 0;
        });
        var lcores = new LcoreAssignment[] { new(0, [0], 0), new(1, [1], 0), new(2, [3], 0) };
        var ex = Assert.Throws<EalInitException>(() => LcoreManager.Start(lcores, 0, [], emulated: false, affinity.Object, NullLogger.Instance));
        Assert.That(ex!.Message, Is.EqualTo(
            "lcore 2: cannot pin its thread to CPUs 3 (sched_setaffinity: EINVAL); this process may only run on CPUs 0-1 " +
            "(taskset or cgroup cpuset): choose lcores among them with -l"));
        Assert.That(threads, Has.Count.EqualTo(2));
        Assert.That(threads.Select(t => t.Join(Timeout)), Is.All.True, "the lcore 1 thread started before the failure was joined");
    }

    [Test]
    public void Real_affinity_is_set_on_each_worker_thread_as_the_kernel_reports_it()
    {
        if (Environment.ProcessorCount < 2) Assert.Ignore("needs two CPUs");
        var real = new LinuxThreadAffinity();
        var allowed = real.Get(0);
        var lcores = allowed.Take(2).Select(c => new LcoreAssignment(c, [c], 0)).ToArray();
        using var m = LcoreManager.Start(lcores, lcores[0].LcoreId, [], emulated: false, real, NullLogger.Instance);
        var worker = m[lcores[1].LcoreId];
        Assert.That(m.Pinning, Is.EqualTo(LcorePinning.Exact));
        Assert.That(real.Get(worker.OsThreadId), Is.EqualTo(new[] { lcores[1].LcoreId }));
        string status = File.ReadAllText($"/proc/self/task/{worker.OsThreadId}/status");
        Assert.That(status, Does.Contain($"Cpus_allowed_list:\t{lcores[1].LcoreId}\n"), "read back independently from procfs");
        Assert.That(real.Get(0), Is.EqualTo(allowed), "the main (calling) thread keeps its affinity");
    }

    [Test]
    public void Real_pinning_to_a_cpu_this_process_may_not_use_fails_with_einval()
    {
        var real = new LinuxThreadAffinity();
        int absent = real.Get(0).Max() + 1;
        var lcores = new LcoreAssignment[] { new(0, [real.Get(0)[0]], 0), new(1, [absent], 0) };
        var ex = Assert.Throws<EalInitException>(() => LcoreManager.Start(lcores, 0, [], emulated: false, real, NullLogger.Instance));
        Assert.That(ex!.Message, Does.StartWith($"lcore 1: cannot pin its thread to CPUs {absent} (sched_setaffinity: EINVAL)"));
    }

    [Test]
    public void Two_managers_do_not_see_each_others_lcores()
    {
        var (a, _) = Start(2);
        var (b, _) = Start(2);
        using (a)
        using (b)
        {
            a.RemoteLaunch(1, () => b.CurrentLcoreId);
            Assert.That(a.Wait(1), Is.EqualTo(LcoreManager.LcoreIdAny), "a's worker thread is no lcore of b");
            b.RemoteLaunch(1, () => a.CurrentLcoreId);
            Assert.That(b.Wait(1), Is.EqualTo(LcoreManager.LcoreIdAny));
        }
    }
}
