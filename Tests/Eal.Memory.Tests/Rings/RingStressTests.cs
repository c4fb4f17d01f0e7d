using System.Diagnostics;
using Eal.Memory.Rings;
using NUnit.Framework;

namespace Eal.Memory.Tests.Rings;

/// <summary>Concurrent producers and consumers: every element arrives exactly once and each producer's order is kept.</summary>
[TestFixture]
public sealed class RingStressTests
{
    [TestCase(2, 2, false, 300_000)]
    [TestCase(1, 1, true, 500_000)]
    [TestCase(3, 1, false, 200_000)]
    public void ConcurrentProducersAndConsumers_DeliverEveryElementExactlyOnce(int producers, int consumers, bool single, int perProducer)
    {
        RingFlags flags = single ? RingFlags.SingleProducer | RingFlags.SingleConsumer : RingFlags.None;
        using var ring = Ring.Create("stress", 256, flags);
        var deadline = Stopwatch.StartNew();
        // A livelock guard, not a speed check: generous enough for a machine shared with parallel builds.
        var limit = TimeSpan.FromSeconds(18);
        long total = (long)producers * perProducer;
        long consumed = 0;
        var seen = new byte[total];
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();

        var threads = new List<Thread>();
        for (int p = 0; p < producers; p++)
        {
            int id = p;
            threads.Add(new Thread(() =>
            {
                var buf = new nint[32];
                var rnd = new Random(id);
                int next = 0;
                while (next < perProducer && deadline.Elapsed < limit)
                {
                    int n = Math.Min(rnd.Next(1, 33), perProducer - next);
                    for (int i = 0; i < n; i++)
                    {
                        buf[i] = ((nint)id << 32) | (nint)(next + i);
                    }

                    // Alternate bulk and burst.
                    uint done = (next & 1) == 0 ? ring.EnqueueBulk(buf.AsSpan(0, n)) : ring.EnqueueBurst(buf.AsSpan(0, n));
                    next += (int)done;
                    if (done == 0)
                    {
                        Thread.Yield();
                    }
                }
            }));
        }

        for (int c = 0; c < consumers; c++)
        {
            int cid = c;
            threads.Add(new Thread(() =>
            {
                var buf = new nint[32];
                var lastPerProducer = Enumerable.Repeat(-1L, producers).ToArray();
                var rnd = new Random(100 + cid);
                while (Interlocked.Read(ref consumed) < total && deadline.Elapsed < limit)
                {
                    int want = rnd.Next(1, 33);
                    uint got = (want & 1) == 0 ? ring.DequeueBulk(buf.AsSpan(0, want)) : ring.DequeueBurst(buf.AsSpan(0, want));
                    if (got == 0)
                    {
                        Thread.Yield();
                        continue;
                    }

                    for (int i = 0; i < got; i++)
                    {
                        int prod = (int)(buf[i] >> 32);
                        long seq = buf[i] & 0xffffffff;
                        if (seq <= lastPerProducer[prod])
                        {
                            errors.Enqueue($"consumer {cid}: producer {prod} seq {seq} after {lastPerProducer[prod]}");
                        }

                        lastPerProducer[prod] = seq;
                        long idx = ((long)prod * perProducer) + seq;
                        if (Interlocked.Exchange(ref seen[idx], 1) != 0)
                        {
                            errors.Enqueue($"duplicate producer {prod} seq {seq}");
                        }
                    }

                    Interlocked.Add(ref consumed, got);
                }
            }));
        }

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.That(errors, Is.Empty);
        Assert.That(consumed, Is.EqualTo(total), $"only {consumed} of {total} elements moved in {deadline.Elapsed.TotalSeconds:F1} s (limit {limit.TotalSeconds} s): livelock?");
        Assert.That(seen.All(b => b == 1), Is.True, "every element seen exactly once");
        Assert.That(ring.IsEmpty, Is.True);
    }
}
