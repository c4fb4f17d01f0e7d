using Eal.Memory.Mbufs;

namespace Eal.Ethdev.Tests;

/// <summary>EAL on the emulated platform, ports from --vdev, a forwarding loop, conservation of packets and mbufs.</summary>
[TestFixture]
public sealed unsafe class EndToEndForwardingTests
{
    private static void Start(EthPort port, PktMbufPool pool, uint lcore = RxQueueConfig.NoLcore)
    {
        port.Configure(1, 1);
        port.SetupRxQueue(0, 0, pool, new RxQueueConfig { LcoreId = lcore });
        port.SetupTxQueue(0, 0, new TxQueueConfig { LcoreId = lcore });
        port.Start();
    }

    [Test]
    public void Null_to_null_io_forwarding_conserves_counts_and_returns_every_mbuf()
    {
        using var eal = EalHarness.Start("--vdev", "net_null0", "--vdev", "net_null1,size=128");
        using var pool = eal.Pool("fwd_mp", 4095, cache: 256);
        var p0 = eal.Ethdev.FindByName("net_null0")!;
        var p1 = eal.Ethdev.FindByName("net_null1")!;
        Start(p0, pool, lcore: 1);
        Start(p1, pool, lcore: 1);
        var fp = eal.Ethdev.FastPath;
        Mbuf** pkts = stackalloc Mbuf*[32];
        ulong forwarded01 = 0, forwarded10 = 0;
        for (int i = 0; i < 10_000; i++)
        {
            ushort n = fp.RxBurst(0, 0, pkts, 32);
            ushort s = fp.TxBurst(1, 0, pkts, n);
            forwarded01 += s;
            if (s < n) Mbuf.FreeBulk(pkts + s, (uint)(n - s), 1);
            n = fp.RxBurst(1, 0, pkts, 32);
            s = fp.TxBurst(0, 0, pkts, n);
            forwarded10 += s;
            if (s < n) Mbuf.FreeBulk(pkts + s, (uint)(n - s), 1);
        }
        var s0 = p0.GetStats();
        var s1 = p1.GetStats();
        Assert.That(forwarded01, Is.EqualTo(320_000UL));
        Assert.That((s0.IPackets, s1.OPackets), Is.EqualTo((forwarded01, forwarded01)));
        Assert.That((s1.IPackets, s0.OPackets), Is.EqualTo((forwarded10, forwarded10)));
        Assert.That((s0.IBytes, s1.OBytes, s1.IBytes, s0.OBytes), Is.EqualTo((64 * forwarded01, 64 * forwarded01, 128 * forwarded10, 128 * forwarded10)));
        p0.Stop();
        p1.Stop();
        Assert.That(pool.InUseCount, Is.Zero, "every mbuf is back in the pool (ring + lcore caches)");
    }

    [Test]
    public void Ring_pipeline_across_threads_delivers_each_packet_exactly_once()
    {
        const int Total = 100_000;
        using var eal = EalHarness.Start("--vdev", "net_ring0,nodeaction=a:0:CREATE", "--vdev", "net_ring1,nodeaction=b:0:CREATE");
        using var pool = eal.Pool("pipe_mp", 2047);
        var a = eal.Ethdev.FindByName("a")!;
        var b = eal.Ethdev.FindByName("b")!;
        Start(a, pool);
        Start(b, pool);
        var fp = eal.Ethdev.FastPath;
        ushort pa = a.PortId, pb = b.PortId;

        // Injector: tx on a (a's loopback ring 0). Forwarder: rx a -> tx b. Sink (this thread): rx b, check ids, free.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var injector = new Thread(() =>
        {
            Mbuf** burst = stackalloc Mbuf*[32];
            int next = 0;
            while (next < Total && !cts.IsCancellationRequested)
            {
                int want = Math.Min(32, Total - next);
                int have = 0;
                while (have < want)
                {
                    Mbuf* m = Mbuf.Alloc(pool.Native);
                    if (m == null) break;
                    *(long*)(m->BufAddr + m->DataOff) = next + have;
                    m->DataLen = 8;
                    m->PktLen = 8;
                    burst[have++] = m;
                }
                int sent = 0;
                while (sent < have && !cts.IsCancellationRequested)
                {
                    ushort s = fp.TxBurst(pa, 0, burst + sent, (ushort)(have - sent));
                    if (s == 0) Thread.Yield(); // two cores, three busy threads: let the consumer run
                    sent += s;
                }
                next += sent;
            }
        });
        long forwarded = 0;
        var forwarder = new Thread(() =>
        {
            Mbuf** burst = stackalloc Mbuf*[32];
            while (Volatile.Read(ref forwarded) < Total && !cts.IsCancellationRequested)
            {
                ushort n = fp.RxBurst(pa, 0, burst, 32);
                if (n == 0) Thread.Yield();
                int sent = 0;
                while (sent < n && !cts.IsCancellationRequested)
                {
                    ushort s = fp.TxBurst(pb, 0, burst + sent, (ushort)(n - sent));
                    if (s == 0) Thread.Yield();
                    sent += s;
                }
                Interlocked.Add(ref forwarded, sent);
            }
        });
        injector.Start();
        forwarder.Start();

        var seen = new bool[Total];
        int received = 0, duplicates = 0;
        Mbuf** got = stackalloc Mbuf*[32];
        while (received < Total && !cts.IsCancellationRequested)
        {
            ushort n = fp.RxBurst(pb, 0, got, 32);
            if (n == 0) Thread.Yield();
            for (int i = 0; i < n; i++)
            {
                long id = *(long*)(got[i]->BufAddr + got[i]->DataOff);
                if (seen[id]) duplicates++;
                seen[id] = true;
            }
            Mbuf.FreeBulk(got, n);
            received += n;
        }
        injector.Join();
        forwarder.Join();

        Assert.That(cts.IsCancellationRequested, Is.False, $"pipeline stalled: {received} of {Total} received");
        Assert.That((received, duplicates, seen.Count(x => !x)), Is.EqualTo((Total, 0, 0)));
        Assert.That(fp.RxBurst(pb, 0, got, 32), Is.Zero, "nothing extra");
        var sa = a.GetStats();
        var sb = b.GetStats();
        Assert.That((sa.OPackets, sa.IPackets, sb.OPackets, sb.IPackets), Is.EqualTo(((ulong)Total, (ulong)Total, (ulong)Total, (ulong)Total)));
        Assert.That(pool.InUseCount, Is.Zero);
    }
}
