using Eal.Bus.Pci.Vfio;
using Eal.Vfio;

namespace Eal.Dma.Edu;

/// <summary>
/// One edu function driven through its VFIO mapping: register access, the factorial unit, and DMA between IOVAs
/// and the device's 4 KiB buffer. A transfer is programmed into the DMA registers and completes when the device
/// interrupts (or, with no interrupt prepared, when the start bit clears). Not thread-safe: one transfer at a time.
/// </summary>
public sealed class EduDevice
{
    /// <summary>PCI vendor id.</summary>
    public const ushort VendorId = 0x1234;
    /// <summary>PCI device id.</summary>
    public const ushort DeviceId = 0x11e8;
    /// <summary>Offset of the device buffer in BAR0 and its device-side DMA address.</summary>
    public const ulong BufferAddress = 0x40000;
    /// <summary>Size of the device buffer.</summary>
    public const int BufferSize = 0x1000;
    /// <summary>Bytes moved per DMA when copying: QEMU 7.2's edu aborts on a transfer that ends exactly at the buffer end.</summary>
    public const int ChunkSize = 0x800;

    private const int RegId = 0x00, RegLiveness = 0x04, RegFactorial = 0x08, RegStatus = 0x20, RegIrqStatus = 0x24, RegIrqRaise = 0x60, RegIrqAck = 0x64;
    private const uint StatusComputing = 0x1;
    private const int RegDmaSrc = 0x80, RegDmaDst = 0x88, RegDmaCount = 0x90, RegDmaCmd = 0x98;
    private const ulong CmdStart = 0x1, CmdToRam = 0x2, CmdIrq = 0x4, CmdError = 0x8;
    private const uint IrqDmaDone = 0x100, IrqDmaError = 0x200;

    private readonly PciMappedDevice _mapping;

    internal EduDevice(string name, PciMappedDevice mapping)
    {
        Name = name;
        _mapping = mapping;
    }

    /// <summary>The PCI address.</summary>
    public string Name { get; }

    /// <summary>The VFIO mode the device runs in.</summary>
    public VfioMode Mode => _mapping.Mode;

    /// <summary>The interrupt in use: 0 INTx, 1 MSI, 2 MSI-X, or -1 when the driver polls.</summary>
    public int InterruptIndex => _mapping.InterruptIndex;

    /// <summary>How long a transfer may take before it is reported as timed out.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The device's identification register (<c>0x010000ed</c> for version 1.0).</summary>
    public uint Identification => _mapping.Read32(0, RegId);

    internal void Start()
    {
        uint id = Identification;
        if ((id & 0xFF) != 0xED)
            throw new Bus.DeviceProbeException($"{Name}: BAR0 identification register reads 0x{id:x8}, not an edu device (expected 0x..0000ed); check that the device is 1234:11e8 and memory decoding works");
        if (Liveness(0x5a5a_a5a5) != ~0x5a5a_a5a5u)
            throw new Bus.DeviceProbeException($"{Name}: the liveness register does not invert its value; the device is not responding");
        if (_mapping.InterruptIndex >= 0) _mapping.EnableInterrupts();
    }

    internal void Stop()
    {
        if (_mapping.InterruptIndex >= 0) _mapping.DisableInterrupts();
    }

    /// <summary>Writes <paramref name="value"/> to the liveness register and returns what it reads back (the inverse on a live device).</summary>
    public uint Liveness(uint value)
    {
        _mapping.Write32(0, RegLiveness, value);
        return _mapping.Read32(0, RegLiveness);
    }

    /// <summary>n! computed by the device (32-bit, wrapping).</summary>
    /// <exception cref="TimeoutException">The device kept its "computing" status bit set past <see cref="Timeout"/>.</exception>
    public uint Factorial(uint n)
    {
        _mapping.Write32(0, RegFactorial, n);
        // QEMU computes on a thread: the result is valid once the computing bit clears.
        var deadline = DateTime.UtcNow + Timeout;
        while ((_mapping.Read32(0, RegStatus) & StatusComputing) != 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name}: the factorial of {n} did not finish within {Timeout.TotalMilliseconds:0} ms");
            Thread.Yield();
        }
        return _mapping.Read32(0, RegFactorial);
    }

    /// <summary>
    /// Raises <paramref name="bits"/> in the interrupt status register and waits for the interrupt to reach the
    /// eventfd; returns the interrupt status seen (then acknowledged), or 0 when nothing arrived in time.
    /// </summary>
    /// <exception cref="InvalidOperationException">The device runs without an interrupt (polling).</exception>
    public uint RaiseInterrupt(uint bits, int timeoutMilliseconds = 1000)
    {
        if (_mapping.InterruptIndex < 0)
            throw new InvalidOperationException($"{Name}: no interrupt is set up (--vfio-intr or the device offers none)");
        _mapping.Write32(0, RegIrqRaise, bits);
        ulong fired = _mapping.WaitForInterrupt(timeoutMilliseconds);
        uint status = _mapping.Read32(0, RegIrqStatus);
        if (status != 0) _mapping.Write32(0, RegIrqAck, status);
        return fired > 0 ? status : 0;
    }

    /// <summary>Copies <paramref name="length"/> bytes at <paramref name="ramIova"/> into the device buffer at <paramref name="bufferOffset"/>.</summary>
    /// <exception cref="EduDmaException">The device reported an error (I/O page fault, ...) or timed out.</exception>
    public void ToDevice(ulong ramIova, int bufferOffset, int length) =>
        Transfer(ramIova, BufferAddress + (ulong)CheckBuffer(bufferOffset, length), length, toRam: false);

    /// <summary>Copies <paramref name="length"/> bytes of the device buffer at <paramref name="bufferOffset"/> to <paramref name="ramIova"/>.</summary>
    /// <exception cref="EduDmaException">The device reported an error (I/O page fault, ...) or timed out.</exception>
    public void FromDevice(int bufferOffset, ulong ramIova, int length) =>
        Transfer(BufferAddress + (ulong)CheckBuffer(bufferOffset, length), ramIova, length, toRam: true);

    /// <summary>
    /// Copies <paramref name="length"/> bytes from IOVA <paramref name="sourceIova"/> to IOVA <paramref name="destinationIova"/>
    /// through the device buffer, <see cref="ChunkSize"/> bytes at a time, each DMA waiting for the device's interrupt.
    /// </summary>
    /// <exception cref="EduDmaException">A transfer failed; the message names the IOVA and direction.</exception>
    public void Copy(ulong sourceIova, ulong destinationIova, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        for (long done = 0; done < length; done += ChunkSize)
        {
            int n = (int)Math.Min(ChunkSize, length - done);
            ToDevice(sourceIova + (ulong)done, 0, n);
            FromDevice(0, destinationIova + (ulong)done, n);
        }
    }

    /// <summary>Reads the device buffer through BAR0 (mapped memory or pread). Only the emulated MSI-X edu exposes its buffer there; QEMU's keeps it internal (reads all-ones).</summary>
    public void ReadBuffer(int bufferOffset, Span<byte> destination) =>
        _mapping.Read(0, BufferAddress + (ulong)CheckBuffer(bufferOffset, destination.Length), destination);

    /// <summary>Writes the device buffer through BAR0 (the emulated MSI-X edu only; QEMU's ignores the write).</summary>
    public void WriteBuffer(int bufferOffset, ReadOnlySpan<byte> source) =>
        _mapping.Write(0, BufferAddress + (ulong)CheckBuffer(bufferOffset, source.Length), source);

    private int CheckBuffer(int offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > BufferSize)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Name}: buffer range {offset}+{length} is outside the {BufferSize}-byte device buffer");
        return offset;
    }

    private void Transfer(ulong source, ulong destination, int length, bool toRam)
    {
        _mapping.Write64(0, RegDmaSrc, source);
        _mapping.Write64(0, RegDmaDst, destination);
        _mapping.Write64(0, RegDmaCount, (ulong)length);
        bool irq = _mapping.InterruptIndex >= 0;
        _mapping.Write64(0, RegDmaCmd, CmdStart | (toRam ? CmdToRam : 0) | (irq ? CmdIrq : 0));

        var deadline = DateTime.UtcNow + Timeout;
        ulong cmd;
        while (true)
        {
            int left = (int)Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds);
            if (irq)
            {
                ulong fired = _mapping.WaitForInterrupt(Math.Min(left, 100));
                uint status = _mapping.Read32(0, RegIrqStatus);
                if (status != 0) _mapping.Write32(0, RegIrqAck, status);
                cmd = _mapping.Read64(0, RegDmaCmd);
                if (fired > 0 && (cmd & CmdStart) == 0) break;
            }
            else
            {
                cmd = _mapping.Read64(0, RegDmaCmd);
                if ((cmd & CmdStart) == 0) break;
                Thread.Sleep(1);
            }
            // An interrupt can be missed only if the kernel drops it; the start bit is the ground truth.
            if ((cmd & CmdStart) == 0) break;
            if (left == 0)
                throw new EduDmaException(Name, toRam ? destination : source, length, toRam,
                    $"did not complete within {Timeout.TotalMilliseconds:0} ms; check that bus mastering is on and the interrupt eventfd is wired (--vfio-intr)");
        }
        // Only the emulated MSI-X edu has an error bit; QEMU's completes a blocked transfer silently (the kernel logs
        // a DMAR fault), which callers detect from the data.
        if ((cmd & CmdError) != 0)
            throw new EduDmaException(Name, toRam ? destination : source, length, toRam,
                "failed: the device reported an error (an I/O page fault when the IOVA is not mapped in the device's IOMMU domain); map the buffer into the device's container (VfioManager.DmaMap) before the transfer");
    }
}

/// <summary>A DMA transfer of an edu device failed.</summary>
public sealed class EduDmaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EduDmaException() { }

    /// <summary>Creates the exception with a message.</summary>
    public EduDmaException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public EduDmaException(string message, Exception innerException) : base(message, innerException) { }

    internal EduDmaException(string device, ulong iova, int length, bool toRam, string what)
        : base($"{device}: DMA of {length} bytes {(toRam ? "to" : "from")} IOVA 0x{iova:x} {what}")
    {
        Device = device;
        Iova = iova;
    }

    /// <summary>The device.</summary>
    public string? Device { get; }

    /// <summary>The RAM-side IOVA of the failed transfer.</summary>
    public ulong Iova { get; }
}
