using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Eal.Vfio.Uapi;

/// <summary>
/// Writes and reads uAPI structs followed by a variable-length array (the C flexible array member: the
/// payload of <see cref="VfioIrqSet"/>, <see cref="VfioPciHotReset"/>, <see cref="VfioDeviceFeature"/>, ...).
/// The array starts right at <c>sizeof(THeader)</c>; nothing here allocates.
/// </summary>
public static class UapiTail
{
    /// <summary>Bytes needed for <typeparamref name="THeader"/> plus <paramref name="count"/> elements.</summary>
    public static int SizeOf<THeader, TElement>(int count)
        where THeader : unmanaged
        where TElement : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return checked(Unsafe.SizeOf<THeader>() + (count * Unsafe.SizeOf<TElement>()));
    }

    /// <summary>Writes <paramref name="header"/> then <paramref name="elements"/> into <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written (the value to put in argsz).</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int Write<THeader, TElement>(Span<byte> destination, in THeader header, ReadOnlySpan<TElement> elements)
        where THeader : unmanaged
        where TElement : unmanaged
    {
        int size = SizeOf<THeader, TElement>(elements.Length);
        if (destination.Length < size)
        {
            throw new ArgumentException(
                $"The buffer has {destination.Length} bytes; {typeof(THeader).Name} with {elements.Length} {typeof(TElement).Name} needs {size}.",
                nameof(destination));
        }

        MemoryMarshal.Write(destination, in header);
        MemoryMarshal.AsBytes(elements).CopyTo(destination[Unsafe.SizeOf<THeader>()..]);
        return size;
    }

    /// <summary>Reads the header of a buffer.</summary>
    /// <exception cref="UapiFormatException">The buffer is shorter than <typeparamref name="THeader"/>.</exception>
    public static THeader ReadHeader<THeader>(ReadOnlySpan<byte> source, string where)
        where THeader : unmanaged
    {
        if (source.Length < Unsafe.SizeOf<THeader>())
        {
            throw new UapiFormatException(
                $"{where}: the buffer has {source.Length} bytes, fewer than the {Unsafe.SizeOf<THeader>()}-byte {typeof(THeader).Name}.");
        }

        return MemoryMarshal.Read<THeader>(source);
    }

    /// <summary>
    /// Returns the <paramref name="count"/> elements after the header, checking they fit in both
    /// <paramref name="argsz"/> (what the caller declared) and the buffer.
    /// </summary>
    /// <exception cref="UapiFormatException">argsz exceeds the buffer, or the elements do not fit in argsz.</exception>
    public static ReadOnlySpan<TElement> ReadElements<THeader, TElement>(ReadOnlySpan<byte> source, uint argsz, uint count, string where)
        where THeader : unmanaged
        where TElement : unmanaged
    {
        if (argsz > (uint)source.Length)
        {
            throw new UapiFormatException($"{where}: argsz is {argsz} but the buffer has only {source.Length} bytes.");
        }

        ulong header = (ulong)Unsafe.SizeOf<THeader>();
        ulong needed = header + ((ulong)count * (ulong)Unsafe.SizeOf<TElement>());
        if (needed > argsz)
        {
            throw new UapiFormatException(
                $"{where}: count {count} needs {needed} bytes ({header}-byte {typeof(THeader).Name} + {count} x {Unsafe.SizeOf<TElement>()}-byte {typeof(TElement).Name}) but argsz is {argsz}.");
        }

        return MemoryMarshal.Cast<byte, TElement>(source.Slice((int)header, (int)(needed - header)));
    }
}

/// <summary>Builds and checks <see cref="VfioIoctl.DeviceSetIrqs"/> arguments (<see cref="VfioIrqSet"/> plus payload).</summary>
public static class VfioIrqSetBuffer
{
    /// <summary>Bytes needed for a set of <paramref name="count"/> eventfds.</summary>
    public static int SizeWithEventFds(int count) => UapiTail.SizeOf<VfioIrqSet, int>(count);

    /// <summary>
    /// Writes an irq_set with <see cref="VfioConstants.IrqSetDataEventfd"/> and <paramref name="action"/> for IRQs
    /// <paramref name="start"/>.. of <paramref name="index"/>; an fd of -1 de-assigns that vector.
    /// </summary>
    /// <returns>argsz (bytes written).</returns>
    public static int WriteEventFds(Span<byte> destination, uint action, uint index, uint start, ReadOnlySpan<int> eventFds)
    {
        var header = new VfioIrqSet
        {
            Argsz = (uint)SizeWithEventFds(eventFds.Length),
            Flags = VfioConstants.IrqSetDataEventfd | action,
            Index = index,
            Start = start,
            Count = (uint)eventFds.Length,
        };
        return UapiTail.Write(destination, in header, eventFds);
    }

    /// <summary>Writes an irq_set without payload (<see cref="VfioConstants.IrqSetDataNone"/>); count 0 with TRIGGER disables the index.</summary>
    /// <returns>argsz (bytes written).</returns>
    public static int WriteNone(Span<byte> destination, uint action, uint index, uint start, uint count)
    {
        var header = new VfioIrqSet
        {
            Argsz = (uint)Unsafe.SizeOf<VfioIrqSet>(),
            Flags = VfioConstants.IrqSetDataNone | action,
            Index = index,
            Start = start,
            Count = count,
        };
        return UapiTail.Write(destination, in header, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>
    /// Checks an irq_set as the kernel does before acting on it (argsz covers the header, exactly one data type,
    /// exactly one action, payload within argsz) and returns its header and payload bytes.
    /// </summary>
    /// <exception cref="UapiFormatException">The buffer breaks one of those rules; the message says which.</exception>
    public static VfioIrqSet Read(ReadOnlySpan<byte> source, out ReadOnlySpan<byte> payload)
    {
        const string where = "VFIO_DEVICE_SET_IRQS";
        var header = UapiTail.ReadHeader<VfioIrqSet>(source, where);
        if (header.Argsz < (uint)Unsafe.SizeOf<VfioIrqSet>())
        {
            throw new UapiFormatException($"{where}: argsz is {header.Argsz}, smaller than the {Unsafe.SizeOf<VfioIrqSet>()}-byte vfio_irq_set.");
        }

        uint dataType = header.Flags & VfioConstants.IrqSetDataTypeMask;
        uint action = header.Flags & VfioConstants.IrqSetActionTypeMask;
        uint unknown = header.Flags & ~(VfioConstants.IrqSetDataTypeMask | VfioConstants.IrqSetActionTypeMask);
        if (unknown != 0 || !IsSingleBit(dataType) || !IsSingleBit(action))
        {
            throw new UapiFormatException(
                $"{where}: flags 0x{header.Flags:x} must have exactly one DATA_* bit (0x{VfioConstants.IrqSetDataTypeMask:x}) and one ACTION_* bit (0x{VfioConstants.IrqSetActionTypeMask:x}) and nothing else.");
        }

        payload = dataType switch
        {
            VfioConstants.IrqSetDataEventfd => MemoryMarshal.AsBytes(UapiTail.ReadElements<VfioIrqSet, int>(source, header.Argsz, header.Count, where)),
            VfioConstants.IrqSetDataBool => UapiTail.ReadElements<VfioIrqSet, byte>(source, header.Argsz, header.Count, where),
            _ => ReadOnlySpan<byte>.Empty,
        };
        return header;
    }

    private static bool IsSingleBit(uint value) => value != 0 && (value & (value - 1)) == 0;
}
