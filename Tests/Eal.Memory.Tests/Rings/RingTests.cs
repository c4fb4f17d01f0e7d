using Eal.Memory.Rings;
using Eal.Memory.Tests.Mempools;
using NUnit.Framework;

namespace Eal.Memory.Tests.Rings;

[TestFixture]
public sealed unsafe class RingTests
{
    private static nint[] Seq(int start, int count) => Enumerable.Range(start, count).Select(i => (nint)i).ToArray();

    [Test]
    public void PowerOfTwoRing_HasCapacityCountMinusOne()
    {
        using var r = Ring.Create("p2", 8);
        Assert.That(r.Size, Is.EqualTo(8u));
        Assert.That(r.Capacity, Is.EqualTo(7u));
        Assert.That(r.EnqueueBurst(Seq(0, 10)), Is.EqualTo(7u));
        Assert.That(r.IsFull, Is.True);
        Assert.That(r.Count, Is.EqualTo(7u));
    }

    [Test]
    public void ExactSizeRing_HoldsExactlyCount()
    {
        using var r = Ring.Create("exact", 10, RingFlags.ExactSize);
        Assert.That(r.Size, Is.EqualTo(16u));
        Assert.That(r.Capacity, Is.EqualTo(10u));
        Assert.That(r.EnqueueBurst(Seq(0, 20)), Is.EqualTo(10u));
        Assert.That(r.Count, Is.EqualTo(10u));
        Assert.That(r.FreeCount, Is.EqualTo(0u));
    }

    [Test]
    public void ExactSizeRing_WithPowerOfTwoCount_HoldsThatCount()
    {
        using var r = Ring.Create("exact8", 8, RingFlags.ExactSize);
        Assert.That(r.Size, Is.EqualTo(16u));
        Assert.That(r.Capacity, Is.EqualTo(8u));
    }

    [TestCase(0u)]
    [TestCase(1u)]
    [TestCase(10u)]
    [TestCase(0x80000000u)]
    public void Create_RejectsBadCount_WithoutExactSize(uint count)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ring.Create("bad", count));
        Assert.That(ex!.Message, Does.Contain($"Ring count {count} is invalid: it must be a power of two"));
        Assert.That(ex.Message, Does.Contain("RingFlags.ExactSize"));
    }

    [Test]
    public void Create_RejectsBadExactCount()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ring.Create("bad", 0, RingFlags.ExactSize));
        Assert.That(ex!.Message, Does.Contain("with ExactSize it must be between 1 and 2147483647"));
    }

    [TestCase(0u)]
    [TestCase(6u)]
    public void Create_RejectsBadElementSize(uint es)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ring.Create("bad", 8, RingFlags.None, es));
        Assert.That(ex!.Message, Does.Contain($"Ring element size {es} is invalid: it must be a non-zero multiple of 4 bytes"));
    }

    [Test]
    public void Create_RejectsUnknownFlags()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ring.Create("bad", 8, (RingFlags)0x10));
        Assert.That(ex!.Message, Does.Contain("Unknown ring flags 0x10"));
    }

    [Test]
    public void GetMemorySize_IsHeaderPlusSlotsRoundedTo128()
    {
        Assert.That(Ring.GetMemorySize(1024), Is.EqualTo((nuint)(384 + (1024 * 8))));
        Assert.That(Ring.GetMemorySize(3, 4, RingFlags.ExactSize), Is.EqualTo((nuint)512)); // 384 + 4*4 -> 512
    }

    [Test]
    public void Bulk_IsAllOrNothing_AndReportsFreeSpaceAndAvailable()
    {
        using var r = Ring.Create("bulk", 16);
        nint[] a = Seq(1, 10);
        fixed (nint* p = a)
        {
            Assert.That(r.EnqueueBulk(p, 10, out uint free), Is.EqualTo(10u));
            Assert.That(free, Is.EqualTo(5u));
            Assert.That(r.EnqueueBulk(p, 6, out free), Is.EqualTo(0u));
            Assert.That(free, Is.EqualTo(5u));
        }

        Assert.That(r.Count, Is.EqualTo(10u));
        var outBuf = new nint[11];
        Assert.That(r.DequeueBulk(outBuf), Is.EqualTo(0u), "bulk dequeue of more than present takes nothing");
        Assert.That(r.Count, Is.EqualTo(10u));
        fixed (nint* p = outBuf)
        {
            Assert.That(r.DequeueBulk(p, 4, out uint avail), Is.EqualTo(4u));
            Assert.That(avail, Is.EqualTo(6u));
        }

        Assert.That(outBuf[..4], Is.EqualTo(Seq(1, 4)));
    }

    [Test]
    public void Burst_MovesAsManyAsPossible()
    {
        using var r = Ring.Create("burst", 8);
        Assert.That(r.EnqueueBurst(Seq(100, 5)), Is.EqualTo(5u));
        Assert.That(r.EnqueueBurst(Seq(105, 5)), Is.EqualTo(2u));
        var buf = new nint[10];
        Assert.That(r.DequeueBurst(buf), Is.EqualTo(7u));
        Assert.That(buf[..7], Is.EqualTo(Seq(100, 7)));
        Assert.That(r.DequeueBurst(buf), Is.EqualTo(0u));
        Assert.That(r.IsEmpty, Is.True);
    }

    [TestCase(RingFlags.None)]
    [TestCase(RingFlags.SingleProducer | RingFlags.SingleConsumer)]
    [TestCase(RingFlags.ExactSize)]
    public void WrapAround_KeepsFifoOrder(RingFlags flags)
    {
        using var r = Ring.Create("wrap", (flags & RingFlags.ExactSize) != 0 ? 13u : 16u, flags);
        int next = 0, expect = 0;
        var buf = new nint[7];
        for (int round = 0; round < 1000; round++)
        {
            uint n = r.EnqueueBurst(Seq(next, 1 + (round % 7)));
            next += (int)n;
            uint got = r.DequeueBurst(buf.AsSpan(0, 1 + (round % 5)));
            for (int i = 0; i < got; i++)
            {
                Assert.That(buf[i], Is.EqualTo((nint)expect++));
            }
        }

        Assert.That(r.Count, Is.EqualTo((uint)(next - expect)));
    }

    [Test]
    public void ExplicitModes_WorkRegardlessOfFlags()
    {
        using var r = Ring.Create("modes", 32, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        Assert.That(r.MpEnqueueBulk(Seq(0, 4)), Is.EqualTo(4u));
        Assert.That(r.SpEnqueueBulk(Seq(4, 4)), Is.EqualTo(4u));
        Assert.That(r.MpEnqueueBurst(Seq(8, 4)), Is.EqualTo(4u));
        Assert.That(r.SpEnqueueBurst(Seq(12, 4)), Is.EqualTo(4u));
        var buf = new nint[4];
        var all = new List<nint>();
        Assert.That(r.McDequeueBulk(buf), Is.EqualTo(4u));
        all.AddRange(buf);
        Assert.That(r.ScDequeueBulk(buf), Is.EqualTo(4u));
        all.AddRange(buf);
        Assert.That(r.McDequeueBurst(buf), Is.EqualTo(4u));
        all.AddRange(buf);
        Assert.That(r.ScDequeueBurst(buf), Is.EqualTo(4u));
        all.AddRange(buf);
        Assert.That(all, Is.EqualTo(Seq(0, 16)));
    }

    [Test]
    public void SingleEnqueueDequeue()
    {
        using var r = Ring.Create("one", 2);
        Assert.That(r.Enqueue(42), Is.True);
        Assert.That(r.Enqueue(43), Is.False);
        Assert.That(r.TryDequeue(out nint v), Is.True);
        Assert.That(v, Is.EqualTo((nint)42));
        Assert.That(r.TryDequeue(out v), Is.False);
        Assert.That(v, Is.EqualTo((nint)0));
    }

    [Test]
    public void IndicesWrapPast32Bits()
    {
        using var r = Ring.Create("u32wrap", 8);
        RingHeader* h = r.Header;
        h->ProdHead = h->ProdTail = h->ConsHead = h->ConsTail = uint.MaxValue - 3;
        Assert.That(r.EnqueueBulk(Seq(1, 7)), Is.EqualTo(7u));
        Assert.That(r.Count, Is.EqualTo(7u));
        Assert.That(h->ProdTail, Is.EqualTo(3u), "tail wrapped through zero");
        var buf = new nint[7];
        Assert.That(r.DequeueBulk(buf), Is.EqualTo(7u));
        Assert.That(buf, Is.EqualTo(Seq(1, 7)));
        Assert.That(r.IsEmpty, Is.True);
    }

    [Test]
    public void Reset_Empties()
    {
        using var r = Ring.Create("reset", 8);
        r.EnqueueBulk(Seq(0, 5));
        r.Reset();
        Assert.That(r.Count, Is.EqualTo(0u));
        Assert.That(r.FreeCount, Is.EqualTo(7u));
    }

    private struct Elem16
    {
        public long A;
        public long B;
    }

    private struct Elem12
    {
        public int A;
        public int B;
        public int C;
    }

    [Test]
    public void ElementRing16_CopiesWholeElementsAcrossWrap()
    {
        using var r = Ring.Create("e16", 8, RingFlags.None, 16);
        var items = Enumerable.Range(0, 5).Select(i => new Elem16 { A = i, B = -i }).ToArray();
        var got = new Elem16[5];
        for (int round = 0; round < 4; round++)
        {
            Assert.That(r.EnqueueBulkElem<Elem16>(items), Is.EqualTo(5u));
            Assert.That(r.EnqueueBulkElem<Elem16>(items), Is.EqualTo(0u), "only 2 free");
            Assert.That(r.DequeueBulkElem<Elem16>(got), Is.EqualTo(5u));
            Assert.That(got, Is.EqualTo(items));
        }
    }

    [Test]
    public void ElementRing12_BurstAndExactSize()
    {
        using var r = Ring.Create("e12", 5, RingFlags.ExactSize | RingFlags.SingleProducer | RingFlags.SingleConsumer, 12);
        var items = Enumerable.Range(0, 7).Select(i => new Elem12 { A = i, B = i * 2, C = i * 3 }).ToArray();
        Assert.That(r.EnqueueBurstElem<Elem12>(items), Is.EqualTo(5u));
        var got = new Elem12[7];
        Assert.That(r.DequeueBurstElem<Elem12>(got.AsSpan(0, 3)), Is.EqualTo(3u));
        Assert.That(r.EnqueueBurstElem<Elem12>(items.AsSpan(5)), Is.EqualTo(2u));
        Assert.That(r.DequeueBurstElem<Elem12>(got.AsSpan(3)), Is.EqualTo(4u));
        Assert.That(got, Is.EqualTo(items));
    }

    [Test]
    public void ElementRing_RejectsWrongElementType()
    {
        using var r = Ring.Create("e16", 8, RingFlags.None, 16);
        var ex = Assert.Throws<ArgumentException>(() => r.EnqueueBulkElem<long>(new long[1]));
        Assert.That(ex!.Message, Does.Contain("Ring 'e16' holds 16-byte elements but Int64 is 8 bytes"));
    }

    [Test]
    public void ProviderBackedRing_ReservesAndReleasesItsRegion()
    {
        using var provider = new TestDmaMemoryProvider();
        var r = Ring.Create("dma", 64, RingFlags.None, 8, provider, 0);
        Assert.That(provider.Names, Is.EqualTo(new[] { "RG_dma" }));
        Assert.That(r.Address % 128, Is.EqualTo((nint)0));
        Assert.That(r.EnqueueBulk(Seq(0, 63)), Is.EqualTo(63u));
        r.Dispose();
        r.Dispose();
        Assert.That(provider.Outstanding, Is.EqualTo(0));
        Assert.That(provider.ReleaseCalls, Is.EqualTo(1));
        Assert.Throws<ObjectDisposedException>(() => _ = r.Count);
    }

    [Test]
    public void ProviderFailure_Propagates_AndNothingIsHeld()
    {
        using var provider = new TestDmaMemoryProvider { FailReserveNumber = 1 };
        var ex = Assert.Throws<InvalidOperationException>(() => Ring.Create("dma", 64, RingFlags.None, 8, provider));
        Assert.That(ex!.Message, Does.Contain("injected failure reserving 'RG_dma'"));
        Assert.That(provider.Outstanding, Is.EqualTo(0));
    }
}
