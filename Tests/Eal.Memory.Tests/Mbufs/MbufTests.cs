using Eal.Memory.Mbufs;
using Eal.Memory.Mempools;
using Eal.Memory.Tests.Mempools;
using NUnit.Framework;

namespace Eal.Memory.Tests.Mbufs;

[TestFixture]
public sealed unsafe class MbufTests
{
    private TestDmaMemoryProvider _provider = null!;
    private PktMbufPool _pool = null!;

    [SetUp]
    public void SetUp()
    {
        _provider = new TestDmaMemoryProvider();
        _pool = PktMbufPool.Create(_provider, "pkt", 16, cacheSize: 4, privSize: 16, lcoreCount: 2);
    }

    [TearDown]
    public void TearDown()
    {
        _pool.Dispose();
        Assert.That(_provider.Outstanding, Is.EqualTo(0));
        _provider.Dispose();
    }

    [Test]
    public void Create_InitialisesEveryMbuf()
    {
        Assert.That(_pool.DataRoomSize, Is.EqualTo((ushort)2176));
        Assert.That(_pool.PrivSize, Is.EqualTo((ushort)16));
        Assert.That(_pool.Mempool.ElementSize, Is.EqualTo(128u + 16 + 2176));
        uint n = _pool.Mempool.ObjIter((_, obj, _) =>
        {
            var m = (Mbuf*)obj;
            Assert.That(m->BufAddr == (byte*)m + 144, Is.True);
            Assert.That(m->BufIova, Is.EqualTo((ulong)obj + 144));
            Assert.That(m->BufLen, Is.EqualTo((ushort)2176));
            Assert.That(m->DataOff, Is.EqualTo((ushort)128));
            Assert.That(m->RefCnt, Is.EqualTo((ushort)1));
            Assert.That(m->NbSegs, Is.EqualTo((ushort)1));
            Assert.That(m->Port, Is.EqualTo(Mbuf.PortInvalid));
            Assert.That(m->PrivSize, Is.EqualTo((ushort)16));
            Assert.That(m->Pool == _pool.Native, Is.True);
            Assert.That(Mbuf.Priv(m) == (byte*)m + 128, Is.True);
        });
        Assert.That(n, Is.EqualTo(16u));
    }

    [Test]
    public void Create_RejectsUnalignedPrivSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => PktMbufPool.Create(_provider, "bad", 8, privSize: 12));
        Assert.That(ex!.Message, Does.Contain("Mbuf pool 'bad': private size 12 is not a multiple of 8; use 16"));
    }

    [Test]
    public void SmallDataRoom_BoundsHeadroom()
    {
        using var p = PktMbufPool.Create(_provider, "small", 4, dataRoomSize: 64);
        Mbuf* m = p.Alloc();
        Assert.That(m->DataOff, Is.EqualTo((ushort)64));
        Assert.That(m->Tailroom, Is.EqualTo((ushort)0));
        Mbuf.Free(m);
    }

    [Test]
    public void AllocFree_Counts_AndBulkIsAllOrNothing()
    {
        var bufs = new nint[10];
        Assert.That(_pool.AllocBulk(bufs), Is.True);
        Assert.That(_pool.InUseCount, Is.EqualTo(10u));
        Assert.That(_pool.AllocBulk(new nint[7]), Is.False);
        Assert.That(_pool.InUseCount, Is.EqualTo(10u));
        fixed (nint* p = bufs)
        {
            Mbuf.FreeBulk((Mbuf**)p, 10);
        }

        Assert.That(_pool.InUseCount, Is.EqualTo(0u));
        for (int i = 0; i < 16; i++)
        {
            Assert.That(_pool.Alloc() != null, Is.True);
        }

        Assert.That(_pool.Alloc() == null, Is.True, "empty pool gives null");
    }

    [Test]
    public void Alloc_ResetsFields()
    {
        Mbuf* m = _pool.Alloc();
        m->DataOff = 10;
        m->PktLen = 99;
        m->DataLen = 99;
        m->Port = 3;
        m->VlanTci = 7;
        m->TxOffload = 5;
        m->PacketType = 1;
        m->OlFlags = MbufOffloadFlags.RxVlan | MbufOffloadFlags.External;
        Mbuf.Reset(m);
        Assert.That(m->DataOff, Is.EqualTo((ushort)128));
        Assert.That(m->PktLen, Is.EqualTo(0u));
        Assert.That(m->DataLen, Is.EqualTo((ushort)0));
        Assert.That(m->Port, Is.EqualTo(Mbuf.PortInvalid));
        Assert.That(m->VlanTci, Is.EqualTo((ushort)0));
        Assert.That(m->TxOffload, Is.EqualTo(0UL));
        Assert.That(m->PacketType, Is.EqualTo(0u));
        Assert.That(m->OlFlags, Is.EqualTo(MbufOffloadFlags.External), "only the external flag survives a reset");
        m->OlFlags = 0;
        Mbuf.Free(m);
    }

    [Test]
    public void HeadroomTailroom_PrependAppendAdjTrim()
    {
        Mbuf* m = _pool.Alloc();
        Assert.That(m->Headroom, Is.EqualTo((ushort)128));
        Assert.That(m->Tailroom, Is.EqualTo((ushort)2048));

        byte* tail = Mbuf.Append(m, 100);
        Assert.That(tail == m->Data, Is.True);
        Assert.That(m->DataLen, Is.EqualTo((ushort)100));
        Assert.That(m->PktLen, Is.EqualTo(100u));
        Assert.That(m->Tailroom, Is.EqualTo((ushort)1948));
        Assert.That(Mbuf.Append(m, 1949) == null, Is.True);
        Assert.That(m->DataLen, Is.EqualTo((ushort)100));

        byte* head = Mbuf.Prepend(m, 14);
        Assert.That(head == m->BufAddr + 114, Is.True);
        Assert.That(m->DataLen, Is.EqualTo((ushort)114));
        Assert.That(m->PktLen, Is.EqualTo(114u));
        Assert.That(Mbuf.Prepend(m, 115) == null, Is.True);
        Assert.That(m->Headroom, Is.EqualTo((ushort)114));

        byte* adj = Mbuf.Adj(m, 14);
        Assert.That(adj == m->BufAddr + 128, Is.True);
        Assert.That(m->PktLen, Is.EqualTo(100u));
        Assert.That(Mbuf.Adj(m, 101) == null, Is.True);

        Assert.That(Mbuf.Trim(m, 40), Is.True);
        Assert.That(m->DataLen, Is.EqualTo((ushort)60));
        Assert.That(m->PktLen, Is.EqualTo(60u));
        Assert.That(Mbuf.Trim(m, 61), Is.False);
        Assert.That(m->DataLen, Is.EqualTo((ushort)60));
        Assert.That(m->DataIova, Is.EqualTo(m->BufIova + 128));
        Assert.That(Mbuf.MtodOffset(m, 5) == m->Data + 5, Is.True);
        Mbuf.Free(m);
    }

    [Test]
    public void Chain_AppendToLastSegment_AndFreeReturnsAllSegments()
    {
        Mbuf* a = _pool.Alloc();
        Mbuf* b = _pool.Alloc();
        Mbuf* c = _pool.Alloc();
        Mbuf.Append(a, 10);
        Mbuf.Append(b, 20);
        Mbuf.Append(c, 30);
        Assert.That(Mbuf.Chain(b, c), Is.True);
        Assert.That(Mbuf.Chain(a, b), Is.True);
        Assert.That(a->NbSegs, Is.EqualTo((ushort)3));
        Assert.That(a->PktLen, Is.EqualTo(60u));
        Assert.That(b->PktLen, Is.EqualTo(20u), "inner segment keeps only its own length");
        Assert.That(a->IsSegmented, Is.True);
        Assert.That(Mbuf.LastSegment(a) == c, Is.True);

        Assert.That(Mbuf.Append(a, 5) == c->Data + 30, Is.True, "append goes to the last segment");
        Assert.That(a->PktLen, Is.EqualTo(65u));
        Assert.That(Mbuf.Trim(a, 35), Is.True);
        Assert.That(c->DataLen, Is.EqualTo((ushort)0));
        Assert.That(Mbuf.Trim(a, 1), Is.False, "trim only works within the last segment");

        Assert.That(_pool.InUseCount, Is.EqualTo(3u));
        Mbuf.Free(a);
        Assert.That(_pool.InUseCount, Is.EqualTo(0u));

        // Freed segments satisfy the pool invariant.
        Assert.That(b->Next == null && b->NbSegs == 1 && b->RefCnt == 1, Is.True);
    }

    [Test]
    public void Chain_RefusesTooManySegments()
    {
        Mbuf* a = _pool.Alloc();
        Mbuf* b = _pool.Alloc();
        a->NbSegs = ushort.MaxValue;
        Assert.That(Mbuf.Chain(a, b), Is.False);
        Assert.That(a->Next == null, Is.True);
        a->NbSegs = 1;
        Mbuf.Free(a);
        Mbuf.Free(b);
    }

    [Test]
    public void RefCount_FreeOnlyOnLastReference()
    {
        Mbuf* m = _pool.Alloc();
        Assert.That(Mbuf.RefCountUpdate(m, 2), Is.EqualTo((ushort)3));
        Assert.That(Mbuf.RefCountUpdate(m, -1), Is.EqualTo((ushort)2));
        Mbuf.Free(m);
        Assert.That(_pool.InUseCount, Is.EqualTo(1u));
        Assert.That(m->RefCnt, Is.EqualTo((ushort)1));
        Mbuf.Free(m);
        Assert.That(_pool.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void AttachDetach_SharesDataAndHoldsAReference()
    {
        Mbuf* md = _pool.Alloc();
        byte* d = Mbuf.Append(md, 64);
        d[0] = 0xAB;
        md->Port = 3;
        md->RssHash = 0x1234;
        md->OlFlags = MbufOffloadFlags.RxRssHash;
        md->DynField1[2] = 77;

        Mbuf* mi = _pool.Alloc();
        byte* ownBuf = mi->BufAddr;
        Mbuf.Attach(mi, md);
        Assert.That(mi->IsIndirect, Is.True);
        Assert.That(mi->IsDirect, Is.False);
        Assert.That(mi->Data == md->Data, Is.True);
        Assert.That(mi->DataIova, Is.EqualTo(md->DataIova));
        Assert.That(mi->DataLen, Is.EqualTo((ushort)64));
        Assert.That(mi->PktLen, Is.EqualTo(64u));
        Assert.That(mi->Port, Is.EqualTo((ushort)3));
        Assert.That(mi->RssHash, Is.EqualTo(0x1234u));
        Assert.That(mi->DynField1[2], Is.EqualTo(77u));
        Assert.That(mi->OlFlags, Is.EqualTo(MbufOffloadFlags.RxRssHash | MbufOffloadFlags.Indirect));
        Assert.That(md->RefCnt, Is.EqualTo((ushort)2));
        Assert.That(Mbuf.FromIndirect(mi) == md, Is.True);

        // Attaching to the indirect mbuf references the direct one behind it.
        Mbuf* mi2 = _pool.Alloc();
        Mbuf.Attach(mi2, mi);
        Assert.That(md->RefCnt, Is.EqualTo((ushort)3));
        Assert.That(mi->RefCnt, Is.EqualTo((ushort)1));
        Mbuf.Free(mi2);
        Assert.That(md->RefCnt, Is.EqualTo((ushort)2));

        Mbuf.Detach(mi);
        Assert.That(mi->IsDirect, Is.True);
        Assert.That(mi->BufAddr == ownBuf, Is.True);
        Assert.That(mi->BufIova, Is.EqualTo((ulong)mi + 144));
        Assert.That(mi->DataOff, Is.EqualTo((ushort)128));
        Assert.That(mi->DataLen, Is.EqualTo((ushort)0));
        Assert.That(md->RefCnt, Is.EqualTo((ushort)1));
        Mbuf.Free(mi);
        Mbuf.Free(md);
        Assert.That(_pool.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void FreeingDirectFirst_KeepsDataAliveUntilIndirectIsFreed()
    {
        Mbuf* md = _pool.Alloc();
        Mbuf.Append(md, 10);
        Mbuf* mi = _pool.Alloc();
        Mbuf.Attach(mi, md);
        Mbuf.Free(md);
        Assert.That(_pool.InUseCount, Is.EqualTo(2u), "direct mbuf still referenced by the indirect one");
        Mbuf.Free(mi);
        Assert.That(_pool.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void Attach_RejectsSharedTarget()
    {
        Mbuf* md = _pool.Alloc();
        Mbuf* mi = _pool.Alloc();
        Mbuf.RefCountUpdate(mi, 1);
        var ex = Assert.Throws<InvalidOperationException>(() => Mbuf.Attach(mi, md));
        Assert.That(ex!.Message, Does.Contain("it must be direct and unshared (refcount 1) but it has flags None and refcount 2"));
        Mbuf.RefCountUpdate(mi, -1);
        Mbuf.Free(mi);
        Mbuf.Free(md);
    }

    [Test]
    public void Clone_MultiSegment_SharesEverySegment()
    {
        Mbuf* a = _pool.Alloc();
        Mbuf* b = _pool.Alloc();
        Mbuf.Append(a, 100);
        Mbuf.Append(b, 50);
        Mbuf.Chain(a, b);
        using var indirectPool = PktMbufPool.Create(_provider, "ind", 4, dataRoomSize: 0);

        Mbuf* c = indirectPool.Clone(a);
        Assert.That(c != null, Is.True);
        Assert.That(c->NbSegs, Is.EqualTo((ushort)2));
        Assert.That(c->PktLen, Is.EqualTo(150u));
        Assert.That(c->Data == a->Data && c->Next->Data == b->Data, Is.True);
        Assert.That(c->Next->Next == null, Is.True);
        Assert.That(a->RefCnt == 2 && b->RefCnt == 2, Is.True);
        Assert.That(indirectPool.InUseCount, Is.EqualTo(2u));

        Mbuf.Free(a);
        Assert.That(_pool.InUseCount, Is.EqualTo(2u));
        Mbuf.Free(c);
        Assert.That(_pool.InUseCount, Is.EqualTo(0u));
        Assert.That(indirectPool.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void Clone_PoolExhausted_ReturnsNullAndLeaksNothing()
    {
        Mbuf* a = _pool.Alloc();
        Mbuf* b = _pool.Alloc();
        Mbuf* c3 = _pool.Alloc();
        Mbuf.Chain(b, c3);
        Mbuf.Chain(a, b);
        using var tiny = PktMbufPool.Create(_provider, "tiny", 2, dataRoomSize: 0);
        Assert.That(tiny.Clone(a) == null, Is.True);
        Assert.That(tiny.InUseCount, Is.EqualTo(0u));
        Assert.That(a->RefCnt == 1 && b->RefCnt == 1 && c3->RefCnt == 1, Is.True);
        Mbuf.Free(a);
        Assert.That(_pool.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void FreeWithLcore_GoesThroughThatLcoresCache_PerSegmentPool()
    {
        using var other = PktMbufPool.Create(_provider, "other", 8, cacheSize: 4, lcoreCount: 2);
        Mbuf* a = _pool.Alloc();
        Mbuf* b = other.Alloc();
        Mbuf.Chain(a, b);
        Mbuf.Free(a, 1);
        Assert.That(_pool.Mempool.GetCache(1)->Length, Is.EqualTo(1u));
        Assert.That(other.Mempool.GetCache(1)->Length, Is.EqualTo(1u));
        Assert.That(_pool.InUseCount + other.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void FreeBulk_MixedPoolsAndChains()
    {
        using var other = PktMbufPool.Create(_provider, "other2", 8);
        Mbuf** ms = stackalloc Mbuf*[5];
        ms[0] = _pool.Alloc();
        ms[1] = other.Alloc();
        ms[2] = null;
        ms[3] = _pool.Alloc();
        Mbuf.Chain(ms[3], other.Alloc());
        ms[4] = other.Alloc();
        Assert.That(_pool.InUseCount + other.InUseCount, Is.EqualTo(5u));
        Mbuf.FreeBulk(ms, 5, 0);
        Assert.That(_pool.InUseCount, Is.EqualTo(0u));
        Assert.That(other.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void AllocThroughCache_AndStaticApi()
    {
        MempoolCache* cache = _pool.Mempool.GetCache(0);
        Mbuf** ms = stackalloc Mbuf*[3];
        Assert.That(Mbuf.AllocBulk(_pool.Native, ms, 3, cache), Is.True);
        Assert.That(cache->Length, Is.EqualTo(4u), "refilled to size");
        Mbuf.FreeBulk(ms, 3, 0);
        Assert.That(cache->Length, Is.EqualTo(3u), "7 > threshold 6: flushed, then holds the 3");
        Assert.That(_pool.AvailableCount, Is.EqualTo(16u));
    }
}
