using System.Runtime.InteropServices;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Uapi;

[TestFixture]
public sealed class UapiTailTests
{
    [Test]
    public void WriteEventFds_LaysOutHeaderAndFds_AsTheKernelReadsThem()
    {
        Span<byte> buffer = stackalloc byte[64];
        int argsz = VfioIrqSetBuffer.WriteEventFds(buffer, VfioConstants.IrqSetActionTrigger, VfioConstants.PciMsixIrqIndex, 0, [7, -1, 9]);

        Assert.That(argsz, Is.EqualTo(20 + 12));
        var header = MemoryMarshal.Read<VfioIrqSet>(buffer);
        Assert.That((header.Argsz, header.Flags, header.Index, header.Start, header.Count),
            Is.EqualTo((32u, VfioConstants.IrqSetDataEventfd | VfioConstants.IrqSetActionTrigger, 2u, 0u, 3u)));
        Assert.That(MemoryMarshal.Read<int>(buffer[24..]), Is.EqualTo(-1));

        var read = VfioIrqSetBuffer.Read(buffer[..argsz], out var payload);
        Assert.That(read.Count, Is.EqualTo(3u));
        Assert.That(MemoryMarshal.Cast<byte, int>(payload).ToArray(), Is.EqualTo(new[] { 7, -1, 9 }));
    }

    [Test]
    public void WriteNone_DisablesAnIndex_WithCountZero()
    {
        Span<byte> buffer = stackalloc byte[20];
        int argsz = VfioIrqSetBuffer.WriteNone(buffer, VfioConstants.IrqSetActionTrigger, VfioConstants.PciMsixIrqIndex, 0, 0);
        var read = VfioIrqSetBuffer.Read(buffer[..argsz], out var payload);
        Assert.That((argsz, read.Flags, payload.Length), Is.EqualTo((20, VfioConstants.IrqSetDataNone | VfioConstants.IrqSetActionTrigger, 0)));
    }

    [Test]
    public void Write_IntoTooSmallABuffer_SaysHowManyBytesAreNeeded()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            VfioIrqSetBuffer.WriteEventFds(new byte[24], VfioConstants.IrqSetActionTrigger, 2, 0, [1, 2]));
        Assert.That(ex!.Message, Does.StartWith("The buffer has 24 bytes; VfioIrqSet with 2 Int32 needs 28."));
    }

    [Test]
    public void Read_CountBeyondArgsz_IsReported()
    {
        var buffer = new byte[28];
        var header = new VfioIrqSet { Argsz = 28, Flags = VfioConstants.IrqSetDataEventfd | VfioConstants.IrqSetActionTrigger, Index = 2, Count = 5 };
        MemoryMarshal.Write(buffer, in header);
        var ex = Assert.Throws<UapiFormatException>(() => VfioIrqSetBuffer.Read(buffer, out _));
        Assert.That(ex!.Message, Is.EqualTo(
            "VFIO_DEVICE_SET_IRQS: count 5 needs 40 bytes (20-byte VfioIrqSet + 5 x 4-byte Int32) but argsz is 28."));
    }

    [Test]
    public void Read_ArgszBeyondTheBuffer_IsReported()
    {
        var buffer = new byte[24];
        var header = new VfioIrqSet { Argsz = 64, Flags = VfioConstants.IrqSetDataBool | VfioConstants.IrqSetActionMask, Count = 1 };
        MemoryMarshal.Write(buffer, in header);
        var ex = Assert.Throws<UapiFormatException>(() => VfioIrqSetBuffer.Read(buffer, out _));
        Assert.That(ex!.Message, Is.EqualTo("VFIO_DEVICE_SET_IRQS: argsz is 64 but the buffer has only 24 bytes."));
    }

    [Test]
    public void Read_ArgszBelowTheHeader_IsReported()
    {
        var buffer = new byte[20];
        var header = new VfioIrqSet { Argsz = 16, Flags = VfioConstants.IrqSetDataNone | VfioConstants.IrqSetActionTrigger };
        MemoryMarshal.Write(buffer, in header);
        var ex = Assert.Throws<UapiFormatException>(() => VfioIrqSetBuffer.Read(buffer, out _));
        Assert.That(ex!.Message, Is.EqualTo("VFIO_DEVICE_SET_IRQS: argsz is 16, smaller than the 20-byte vfio_irq_set."));
    }

    [TestCase(VfioConstants.IrqSetDataNone | VfioConstants.IrqSetDataBool | VfioConstants.IrqSetActionTrigger, TestName = "Two data types")]
    [TestCase(VfioConstants.IrqSetDataEventfd, TestName = "No action")]
    [TestCase(VfioConstants.IrqSetDataEventfd | VfioConstants.IrqSetActionMask | VfioConstants.IrqSetActionUnmask, TestName = "Two actions")]
    [TestCase(VfioConstants.IrqSetDataNone | VfioConstants.IrqSetActionTrigger | (1u << 6), TestName = "Unknown flag")]
    public void Read_BadFlags_AreReported(uint flags)
    {
        var buffer = new byte[20];
        var header = new VfioIrqSet { Argsz = 20, Flags = flags };
        MemoryMarshal.Write(buffer, in header);
        var ex = Assert.Throws<UapiFormatException>(() => VfioIrqSetBuffer.Read(buffer, out _));
        Assert.That(ex!.Message, Is.EqualTo($"VFIO_DEVICE_SET_IRQS: flags 0x{flags:x} must have exactly one DATA_* bit (0x7) and one ACTION_* bit (0x38) and nothing else."));
    }

    [Test]
    public void Generic_Write_ThenReadElements_RoundTripsAHotResetFdList()
    {
        Span<byte> buffer = stackalloc byte[32];
        var header = new VfioPciHotReset { Argsz = (uint)UapiTail.SizeOf<VfioPciHotReset, int>(2), Count = 2 };
        int written = UapiTail.Write(buffer, in header, [11, 12]);
        var read = UapiTail.ReadHeader<VfioPciHotReset>(buffer, "VFIO_DEVICE_PCI_HOT_RESET");
        var fds = UapiTail.ReadElements<VfioPciHotReset, int>(buffer, read.Argsz, read.Count, "VFIO_DEVICE_PCI_HOT_RESET");
        Assert.That((written, fds.ToArray()), Is.EqualTo((20, new[] { 11, 12 })));
    }

    [Test]
    public void ReadHeader_OfATruncatedBuffer_IsReported()
    {
        var ex = Assert.Throws<UapiFormatException>(() => UapiTail.ReadHeader<VfioIrqSet>(new byte[12], "VFIO_DEVICE_SET_IRQS"));
        Assert.That(ex!.Message, Is.EqualTo("VFIO_DEVICE_SET_IRQS: the buffer has 12 bytes, fewer than the 20-byte VfioIrqSet."));
    }
}
