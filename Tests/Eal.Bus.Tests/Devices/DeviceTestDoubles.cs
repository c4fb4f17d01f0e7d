using System.Collections.Concurrent;
using Eal.Emulation;
using Eal.Emulation.Devices;

namespace Eal.Bus.Tests.Devices;

/// <summary>An IOMMU domain with one mapped window [Base, Base + Memory.Length); anything else faults.</summary>
internal sealed class FakeDmaPort(ulong @base, int size) : IDmaPort
{
    public ulong Base { get; } = @base;
    public byte[] Memory { get; } = new byte[size];
    public int Calls;
    public readonly ConcurrentQueue<ulong> Faults = new();

    private bool Inside(ulong iova, int length) => iova >= Base && iova - Base <= (ulong)(Memory.Length - length);

    public bool TryRead(ulong iova, Span<byte> destination)
    {
        Interlocked.Increment(ref Calls);
        if (!Inside(iova, destination.Length)) { Faults.Enqueue(iova); return false; }
        Memory.AsSpan((int)(iova - Base), destination.Length).CopyTo(destination);
        return true;
    }

    public bool TryWrite(ulong iova, ReadOnlySpan<byte> source)
    {
        Interlocked.Increment(ref Calls);
        if (!Inside(iova, source.Length)) { Faults.Enqueue(iova); return false; }
        source.CopyTo(Memory.AsSpan((int)(iova - Base)));
        return true;
    }
}

/// <summary>Records raised interrupts and lets a test wait for one.</summary>
internal sealed class RecordingSink : IInterruptSink
{
    private readonly BlockingCollection<(int Index, int Vector)> _raised = [];

    public void Raise(int irqIndex, int vector) => _raised.Add((irqIndex, vector));

    public (int Index, int Vector)? Wait(int milliseconds = 5000) =>
        _raised.TryTake(out var r, milliseconds) ? r : null;

    public int Pending => _raised.Count;
}

/// <summary>Exposes the protected interrupt and DMA helpers of the base model.</summary>
internal sealed class ProbeModel(PciFunctionDescription d, PciFunctionModelOptions? o = null) : PciFunctionModel(d, o)
{
    public int Raise(int vector) => RaiseInterrupt(vector);
    public DmaOutcome Read(ulong iova, Span<byte> buffer) => DmaRead(iova, buffer);
    public DmaOutcome Write(ulong iova, ReadOnlySpan<byte> buffer) => DmaWrite(iova, buffer);
    public void Lower() => LowerIntx();
}

internal static class ModelExtensions
{
    public static uint Config32(this IPciDeviceModel m, int offset)
    {
        Span<byte> b = stackalloc byte[4];
        m.ReadConfig(offset, b);
        return BitConverter.ToUInt32(b);
    }

    public static ushort Config16(this IPciDeviceModel m, int offset)
    {
        Span<byte> b = stackalloc byte[2];
        m.ReadConfig(offset, b);
        return BitConverter.ToUInt16(b);
    }

    public static void SetConfig32(this IPciDeviceModel m, int offset, uint value) => m.WriteConfig(offset, BitConverter.GetBytes(value));

    public static void SetConfig16(this IPciDeviceModel m, int offset, ushort value) => m.WriteConfig(offset, BitConverter.GetBytes(value));

    public static uint Bar32(this IPciDeviceModel m, int bar, ulong offset)
    {
        Span<byte> b = stackalloc byte[4];
        m.ReadBar(bar, offset, b);
        return BitConverter.ToUInt32(b);
    }

    public static ulong Bar64(this IPciDeviceModel m, int bar, ulong offset)
    {
        Span<byte> b = stackalloc byte[8];
        m.ReadBar(bar, offset, b);
        return BitConverter.ToUInt64(b);
    }

    public static void SetBar32(this IPciDeviceModel m, int bar, ulong offset, uint value) => m.WriteBar(bar, offset, BitConverter.GetBytes(value));

    public static void SetBar64(this IPciDeviceModel m, int bar, ulong offset, ulong value) => m.WriteBar(bar, offset, BitConverter.GetBytes(value));
}
