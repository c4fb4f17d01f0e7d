using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Eal.Vfio.Uapi;

/// <summary>
/// One capability of a VFIO info capability chain: its header fields and its bytes, from its header up to the
/// next capability (or the end of the valid buffer for the last one).
/// </summary>
public readonly ref struct VfioCapability
{
    private readonly string _where;

    internal VfioCapability(ReadOnlySpan<byte> bytes, int offset, string where)
    {
        Bytes = bytes;
        Offset = offset;
        _where = where;
        var header = MemoryMarshal.Read<VfioInfoCapHeader>(bytes);
        Id = header.Id;
        Version = header.Version;
        Next = header.Next;
    }

    /// <summary>Capability id (for example <see cref="VfioConstants.RegionInfoCapSparseMmap"/>).</summary>
    public ushort Id { get; }

    /// <summary>Capability version.</summary>
    public ushort Version { get; }

    /// <summary>Offset of the next capability from the start of the info buffer; 0 for the last one.</summary>
    public uint Next { get; }

    /// <summary>Offset of this capability from the start of the info buffer.</summary>
    public int Offset { get; }

    /// <summary>The capability's bytes, starting with its <see cref="VfioInfoCapHeader"/>.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Reads the capability as <typeparamref name="T"/> (a struct starting with <see cref="VfioInfoCapHeader"/>).</summary>
    /// <exception cref="UapiFormatException">The capability has fewer bytes than <typeparamref name="T"/>.</exception>
    public T Read<T>() where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (Bytes.Length < size)
        {
            throw new UapiFormatException(
                $"{_where}: capability id {Id} at offset 0x{Offset:x} has {Bytes.Length} bytes before the next capability or the end of argsz, but {typeof(T).Name} needs {size}.");
        }

        return MemoryMarshal.Read<T>(Bytes);
    }

    /// <summary>
    /// Returns the <paramref name="count"/> elements that follow a fixed capability struct <typeparamref name="THeader"/>
    /// (e.g. the areas after <see cref="VfioRegionInfoCapSparseMmap"/>).
    /// </summary>
    /// <exception cref="UapiFormatException">The elements do not fit in the capability's bytes.</exception>
    public ReadOnlySpan<TElement> ReadArray<THeader, TElement>(uint count)
        where THeader : unmanaged
        where TElement : unmanaged
    {
        int headerSize = Unsafe.SizeOf<THeader>();
        ulong needed = (ulong)headerSize + ((ulong)count * (ulong)Unsafe.SizeOf<TElement>());
        if (needed > (ulong)Bytes.Length)
        {
            throw new UapiFormatException(
                $"{_where}: capability id {Id} at offset 0x{Offset:x} declares {count} {typeof(TElement).Name} entries ({needed} bytes with its header) but only {Bytes.Length} bytes remain before the next capability or the end of argsz.");
        }

        return MemoryMarshal.Cast<byte, TElement>(Bytes.Slice(headerSize, (int)(needed - (ulong)headerSize)));
    }

    /// <summary>Areas of a <see cref="VfioConstants.RegionInfoCapSparseMmap"/> capability.</summary>
    /// <exception cref="UapiFormatException">This is not a sparse-mmap capability or its areas do not fit.</exception>
    public ReadOnlySpan<VfioRegionSparseMmapArea> ReadSparseMmapAreas()
    {
        RequireId(VfioConstants.RegionInfoCapSparseMmap, "VFIO_REGION_INFO_CAP_SPARSE_MMAP");
        var cap = Read<VfioRegionInfoCapSparseMmap>();
        return ReadArray<VfioRegionInfoCapSparseMmap, VfioRegionSparseMmapArea>(cap.NrAreas);
    }

    /// <summary>Ranges of a type1 <see cref="VfioConstants.IommuType1InfoCapIovaRange"/> capability.</summary>
    /// <exception cref="UapiFormatException">This is not an IOVA-range capability or its ranges do not fit.</exception>
    public ReadOnlySpan<VfioIovaRange> ReadIovaRanges()
    {
        RequireId(VfioConstants.IommuType1InfoCapIovaRange, "VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE");
        var cap = Read<VfioIommuType1InfoCapIovaRange>();
        return ReadArray<VfioIommuType1InfoCapIovaRange, VfioIovaRange>(cap.NrIovas);
    }

    private void RequireId(ushort id, string name)
    {
        if (Id != id)
        {
            throw new UapiFormatException($"{_where}: capability at offset 0x{Offset:x} has id {Id}, not {name} ({id}).");
        }
    }
}

/// <summary>
/// A bounds-checked walk over a VFIO capability chain (<see cref="VfioInfoCapHeader"/> list linked by
/// <c>next</c> offsets from the start of the info buffer). Every offset must lie after the fixed info struct,
/// be 8-byte aligned (the kernel aligns every capability), leave room for a header inside the valid bytes
/// (<c>min(argsz, buffer length)</c>), and every <c>next</c> must point past the current header: a chain that
/// points backwards, at itself or outside argsz is reported with <see cref="UapiFormatException"/>, never followed.
/// </summary>
public readonly ref struct VfioCapabilityChain
{
    private readonly ReadOnlySpan<byte> _info;
    private readonly int _fixedSize;
    private readonly uint _first;
    private readonly string _where;

    /// <summary>Creates a chain over <paramref name="info"/> (already cut to the valid bytes).</summary>
    /// <param name="info">The info buffer, starting with the fixed info struct, cut to the bytes the kernel filled.</param>
    /// <param name="fixedSize">Size of the fixed info struct; capabilities cannot start inside it.</param>
    /// <param name="firstOffset">The struct's <c>cap_offset</c>; 0 means no capabilities.</param>
    /// <param name="where">What the buffer is, for error messages ("VFIO_DEVICE_GET_REGION_INFO region 2").</param>
    public VfioCapabilityChain(ReadOnlySpan<byte> info, int fixedSize, uint firstOffset, string where)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fixedSize);
        _info = info;
        _fixedSize = fixedSize;
        _first = firstOffset;
        _where = where ?? "VFIO info";
    }

    /// <summary>Chain of a <see cref="VfioIoctl.DeviceGetRegionInfo"/> result (empty without <see cref="VfioConstants.RegionInfoFlagCaps"/>).</summary>
    /// <exception cref="UapiFormatException">The buffer is shorter than the fixed struct or than its argsz.</exception>
    public static VfioCapabilityChain FromRegionInfo(ReadOnlySpan<byte> info)
    {
        var fixedPart = ReadFixed<VfioRegionInfo>(info, "VFIO_DEVICE_GET_REGION_INFO");
        string where = $"VFIO_DEVICE_GET_REGION_INFO region {fixedPart.Index}";
        var valid = Valid(info, fixedPart.Argsz, Unsafe.SizeOf<VfioRegionInfo>(), where);
        uint first = (fixedPart.Flags & VfioConstants.RegionInfoFlagCaps) != 0 ? fixedPart.CapOffset : 0;
        return new VfioCapabilityChain(valid, Unsafe.SizeOf<VfioRegionInfo>(), first, where);
    }

    /// <summary>Chain of a <see cref="VfioIoctl.DeviceGetInfo"/> result (empty without <see cref="VfioConstants.DeviceFlagsCaps"/>).</summary>
    /// <exception cref="UapiFormatException">The buffer is shorter than the fixed struct or than its argsz.</exception>
    public static VfioCapabilityChain FromDeviceInfo(ReadOnlySpan<byte> info)
    {
        const string where = "VFIO_DEVICE_GET_INFO";
        var fixedPart = ReadFixed<VfioDeviceInfo>(info, where);
        var valid = Valid(info, fixedPart.Argsz, Unsafe.SizeOf<VfioDeviceInfo>(), where);
        uint first = (fixedPart.Flags & VfioConstants.DeviceFlagsCaps) != 0 ? fixedPart.CapOffset : 0;
        return new VfioCapabilityChain(valid, Unsafe.SizeOf<VfioDeviceInfo>(), first, where);
    }

    /// <summary>Chain of a <see cref="VfioIoctl.IommuGetInfo"/> result (empty without <see cref="VfioConstants.IommuInfoCaps"/>).</summary>
    /// <exception cref="UapiFormatException">The buffer is shorter than the fixed struct or than its argsz.</exception>
    public static VfioCapabilityChain FromIommuType1Info(ReadOnlySpan<byte> info)
    {
        const string where = "VFIO_IOMMU_GET_INFO";
        var fixedPart = ReadFixed<VfioIommuType1Info>(info, where);
        var valid = Valid(info, fixedPart.Argsz, Unsafe.SizeOf<VfioIommuType1Info>(), where);
        uint first = (fixedPart.Flags & VfioConstants.IommuInfoCaps) != 0 ? fixedPart.CapOffset : 0;
        return new VfioCapabilityChain(valid, Unsafe.SizeOf<VfioIommuType1Info>(), first, where);
    }

    /// <summary>Finds the first capability with <paramref name="id"/>.</summary>
    /// <exception cref="UapiFormatException">The chain is malformed before the capability is reached.</exception>
    public bool TryFind(ushort id, out VfioCapability capability)
    {
        foreach (var cap in this)
        {
            if (cap.Id == id)
            {
                capability = cap;
                return true;
            }
        }

        capability = default;
        return false;
    }

    /// <summary>Enumerates the chain; <see cref="Enumerator.MoveNext"/> throws <see cref="UapiFormatException"/> on a malformed link.</summary>
    public Enumerator GetEnumerator() => new(_info, _fixedSize, _first, _where);

    /// <summary>Enumerator of a <see cref="VfioCapabilityChain"/>.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _info;
        private readonly int _fixedSize;
        private readonly string _where;
        private uint _next;
        private int _previous;
        private VfioCapability _current;

        internal Enumerator(ReadOnlySpan<byte> info, int fixedSize, uint first, string where)
        {
            _info = info;
            _fixedSize = fixedSize;
            _where = where;
            _next = first;
            _previous = -1;
        }

        /// <summary>The current capability.</summary>
        public readonly VfioCapability Current => _current;

        /// <summary>Moves to the next capability.</summary>
        /// <exception cref="UapiFormatException">The next link is outside the valid bytes, unaligned, or not after the previous capability.</exception>
        public bool MoveNext()
        {
            if (_next == 0)
            {
                return false;
            }

            ulong offset = _next;
            string link = _previous < 0 ? "cap_offset" : $"next of the capability at 0x{_previous:x}";
            if (_previous >= 0 && offset < (ulong)_previous + (ulong)Unsafe.SizeOf<VfioInfoCapHeader>())
            {
                throw new UapiFormatException(
                    $"{_where}: {link} is 0x{offset:x}, which is not after that capability's header (a loop or overlap); the chain must move forward.");
            }

            if (offset < (ulong)_fixedSize)
            {
                throw new UapiFormatException(
                    $"{_where}: {link} is 0x{offset:x}, inside the {_fixedSize}-byte fixed info struct; capabilities start at 0x{_fixedSize:x} or later.");
            }

            if (offset % 8 != 0)
            {
                throw new UapiFormatException($"{_where}: {link} is 0x{offset:x}, not 8-byte aligned as the kernel lays out capabilities.");
            }

            if (offset + (ulong)Unsafe.SizeOf<VfioInfoCapHeader>() > (ulong)_info.Length)
            {
                throw new UapiFormatException(
                    $"{_where}: {link} is 0x{offset:x}, but the capability header (8 bytes) does not fit in the {_info.Length} valid bytes (argsz); the chain points outside argsz.");
            }

            int start = (int)offset;
            uint next = MemoryMarshal.Read<VfioInfoCapHeader>(_info[start..]).Next;
            int end = next != 0 && next > offset && next <= (ulong)_info.Length ? (int)next : _info.Length;
            _current = new VfioCapability(_info[start..end], start, _where);
            _previous = start;
            _next = next;
            return true;
        }
    }

    private static T ReadFixed<T>(ReadOnlySpan<byte> info, string where) where T : unmanaged
    {
        if (info.Length < Unsafe.SizeOf<T>())
        {
            throw new UapiFormatException($"{where}: the buffer has {info.Length} bytes, fewer than the {Unsafe.SizeOf<T>()}-byte {typeof(T).Name}.");
        }

        return MemoryMarshal.Read<T>(info);
    }

    private static ReadOnlySpan<byte> Valid(ReadOnlySpan<byte> info, uint argsz, int fixedSize, string where)
    {
        if (argsz < (uint)fixedSize)
        {
            throw new UapiFormatException($"{where}: argsz is {argsz}, smaller than the {fixedSize}-byte fixed struct.");
        }

        if (argsz > (uint)info.Length)
        {
            throw new UapiFormatException(
                $"{where}: argsz is {argsz} but the buffer has {info.Length} bytes; the capability chain did not fit — call again with a buffer of argsz bytes.");
        }

        return info[..(int)argsz];
    }
}
