using System.Runtime.InteropServices;
using Eal.Memory.Mbufs;
using NUnit.Framework;

namespace Eal.Memory.Tests.Mbufs;

/// <summary>Pins the layout to DPDK's 64-bit <c>struct rte_mbuf</c> (22.11, IOVA in mbuf).</summary>
[TestFixture]
public sealed unsafe class MbufLayoutTests
{
    [Test]
    public void SizeIsTwoCacheLines() => Assert.That(sizeof(Mbuf), Is.EqualTo(128));

    [TestCase(nameof(Mbuf.BufAddr), 0)]
    [TestCase(nameof(Mbuf.BufIova), 8)]
    [TestCase(nameof(Mbuf.DataOff), 16)]
    [TestCase(nameof(Mbuf.RefCnt), 18)]
    [TestCase(nameof(Mbuf.NbSegs), 20)]
    [TestCase(nameof(Mbuf.Port), 22)]
    [TestCase(nameof(Mbuf.OlFlags), 24)]
    [TestCase(nameof(Mbuf.PacketType), 32)]
    [TestCase(nameof(Mbuf.PktLen), 36)]
    [TestCase(nameof(Mbuf.DataLen), 40)]
    [TestCase(nameof(Mbuf.VlanTci), 42)]
    [TestCase(nameof(Mbuf.RssHash), 44)]
    [TestCase(nameof(Mbuf.HashHi), 48)]
    [TestCase(nameof(Mbuf.VlanTciOuter), 52)]
    [TestCase(nameof(Mbuf.BufLen), 54)]
    [TestCase(nameof(Mbuf.Pool), 56)]
    [TestCase(nameof(Mbuf.Next), 64)]
    [TestCase(nameof(Mbuf.TxOffload), 72)]
    [TestCase(nameof(Mbuf.ShInfo), 80)]
    [TestCase(nameof(Mbuf.PrivSize), 88)]
    [TestCase(nameof(Mbuf.Timesync), 90)]
    [TestCase(nameof(Mbuf.DynField1), 92)]
    public void FieldOffset(string field, int offset) => Assert.That((int)Marshal.OffsetOf<Mbuf>(field), Is.EqualTo(offset));

    [Test]
    public void OffloadFlagValuesMatchDpdk()
    {
        Assert.That((ulong)MbufOffloadFlags.RxRssHash, Is.EqualTo(1UL << 1));
        Assert.That((ulong)MbufOffloadFlags.TxUdpChecksum, Is.EqualTo(3UL << 52));
        Assert.That((ulong)MbufOffloadFlags.TxVlan, Is.EqualTo(1UL << 57));
        Assert.That((ulong)MbufOffloadFlags.Indirect, Is.EqualTo(1UL << 62));
        Assert.That((ulong)MbufOffloadFlags.External, Is.EqualTo(1UL << 61));
    }
}
