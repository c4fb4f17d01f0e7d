using Eal.Lcores;
using Microsoft.Extensions.DependencyInjection;

namespace Eal.Integration.Tests.Lcores;

[TestFixture]
public sealed class EalLcoreTests
{
    private static void Shipped(IServiceCollection s) => EalInfo.EalInfoApp.RegisterShippedBusesAndDrivers(s);

    [Test]
    public void Emulated_init_starts_a_pinned_thread_per_worker_and_dispose_joins_them()
    {
        var eal = EalInstance.Init(["--emulate=cpus=4", "-l", "0-3", "--main-lcore", "1", "-S", "3"], Shipped);
        var lcores = eal.Lcores;
        Assert.That(lcores.MainLcoreId, Is.EqualTo(1));
        Assert.That(lcores.Lcores.Select(l => l.Id), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(lcores.WorkerIds, Is.EqualTo(new[] { 0, 2 }), "service lcore 3 is not a worker");
        Assert.That(lcores.Pinning, Is.EqualTo(LcorePinning.FoldedOntoHostCpus));
        var host = new LinuxThreadAffinity().Get(0);
        foreach (var l in lcores.Lcores.Where(l => !l.IsMain))
        {
            Assert.That(l.HostCpus, Is.EqualTo(new[] { host[l.Id % host.Count] }));
            Assert.That(new LinuxThreadAffinity().Get(l.OsThreadId), Is.EqualTo(l.HostCpus), $"lcore {l.Id} really pinned");
        }
        lcores.MpRemoteLaunch(() => lcores.CurrentLcoreId, CallMain.Skip);
        lcores.MpWaitLcore();
        var threads = lcores.Lcores.Where(l => !l.IsMain).Select(l => l.Thread!).ToArray();
        Assert.That(threads, Has.Length.EqualTo(3));

        eal.Dispose();
        Assert.That(threads.Select(t => t.IsAlive), Is.All.False);
    }

    [Test]
    public void Two_instances_each_run_their_own_lcores()
    {
        using var a = EalInstance.Init(["--emulate=cpus=2", "-l", "0-1"], Shipped);
        using var b = EalInstance.Init(["--emulate=cpus=4", "-l", "2-3"], Shipped);
        a.Lcores.RemoteLaunch(1, () => a.Lcores.CurrentLcoreId * 10 + (b.Lcores.CurrentLcoreId == LcoreManager.LcoreIdAny ? 1 : 0));
        b.Lcores.RemoteLaunch(3, () => b.Lcores.CurrentLcoreId * 10 + (a.Lcores.CurrentLcoreId == LcoreManager.LcoreIdAny ? 1 : 0));
        Assert.That(a.Lcores.Wait(1), Is.EqualTo(11));
        Assert.That(b.Lcores.Wait(3), Is.EqualTo(31));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Lcores.RemoteLaunch(3, () => 0));
    }
}
