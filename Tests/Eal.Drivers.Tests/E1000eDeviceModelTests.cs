using System.Buffers.Binary;
using Eal.Emulation.Devices;
using NUnit.Framework;
using R = Eal.Emulation.Devices.E1000eDeviceModel.Registers;
using C = Eal.Emulation.Devices.E1000eDeviceModel.Causes;

namespace Eal.Drivers.Tests;

/// <summary>
/// <see cref="E1000eDeviceModel"/> alone, against what QEMU 7.2's e1000e answered in the VM (docs/e1000e.md, "Measured"):
/// power-on registers, EERD, the I/O window, the ROM, MSI-X routing and auto-clear step by step, resets, bad accesses.
/// </summary>
[TestFixture]
public sealed class E1000eDeviceModelTests
{
    private E1000eDeviceModel _model = null!;
    private RecordingSink _sink = null!;

    [SetUp]
    public void Create()
    {
        _model = new E1000eDeviceModel(E1000eDeviceModel.Describe("0000:01:00.0"));
        _sink = new RecordingSink();
        ((IPciDeviceModel)_model).Interrupts = _sink;
        WriteConfig16(PciConfigRegisters.Command, PciConfigRegisters.CommandIo | PciConfigRegisters.CommandMemory | PciConfigRegisters.CommandMaster);
    }

    [TearDown]
    public void Dispose() => _model.Dispose();

    [Test]
    public void PowerOnRegistersAreQemus()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Read(R.Ctrl), Is.EqualTo(0x0014_0241u));
            Assert.That(Read(R.Status), Is.EqualTo(0x0008_0283u));
            Assert.That(Read(R.Eecd), Is.EqualTo(0x0000_0300u));
            Assert.That(Read(R.Eerd), Is.EqualTo(0x0000_0002u));
            Assert.That(Read(R.Ral0), Is.EqualTo(0x1200_5452u), "52:54:00:12:34:56, QEMU's default");
            Assert.That(Read(R.Rah0), Is.EqualTo(0x8000_5634u));
            Assert.That(Read(R.Ims) | Read(R.Ivar) | Read(R.Eiac) | Read(R.Icr), Is.Zero);
        });
    }

    [Test]
    public void EerdReadsTheMacWordsAndAValidChecksum()
    {
        Assert.That(Eerd(0), Is.EqualTo(0x5452_0002u));
        Assert.That(Eerd(1), Is.EqualTo(0x1200_0006u));
        Assert.That(Eerd(2), Is.EqualTo(0x5634_000Au));
        ushort sum = 0;
        for (int w = 0; w < 64; w++) sum += (ushort)(Eerd(w) >> 16);
        Assert.That(sum, Is.EqualTo(0xBABA));
        Assert.That(Eerd(0x40), Is.EqualTo(0x100u), "past the NVM: address echoed, no DONE");
        Write(R.Eerd, 3 << 2);
        Assert.That(Read(R.Eerd), Is.EqualTo(0xCu), "without START nothing is read");
    }

    [Test]
    public void IoWindowReachesTheRegistersBelow128KiB()
    {
        Assert.That(ReadIo(R.IoAddr), Is.Zero);
        WriteIo(R.IoAddr, (uint)R.Status);
        Assert.That(ReadIo(R.IoAddr), Is.EqualTo((uint)R.Status));
        Assert.That(ReadIo(R.IoData), Is.EqualTo(0x0008_0283u));
        WriteIo(R.IoAddr, (uint)R.Ims);
        WriteIo(R.IoData, 4);
        Assert.That(Read(R.Ims), Is.EqualTo(4u));
        WriteIo(R.IoAddr, 0x20000);
        Assert.That(ReadIo(R.IoData), Is.Zero, "an address past the register file reads 0");
        Assert.That(ReadIo(0x8) | ReadIo(0x1C), Is.Zero, "the rest of the window reads 0");
    }

    [Test]
    public void OptionRomIsOneValidImageNamingTheFunction()
    {
        var rom = _model.OptionRom;
        Assert.That(rom.Length, Is.EqualTo(E1000eDeviceModel.RomSize));
        Assert.That(rom[0] == 0x55 && rom[1] == 0xAA, Is.True);
        int length = rom[2] * 512, pcir = BinaryPrimitives.ReadUInt16LittleEndian(rom[0x18..]);
        byte sum = 0;
        foreach (byte b in rom[..length]) sum += b;
        Assert.That(sum, Is.Zero, "the image checksums to zero");
        Assert.That(rom.Slice(pcir, 4).SequenceEqual("PCIR"u8), Is.True);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(rom[(pcir + 4)..]), Is.EqualTo(0x10D3_8086u));
        Assert.That(rom[(pcir + 21)] & 0x80, Is.EqualTo(0x80), "the last image");
        Assert.That(rom[length..].IndexOfAnyExcept((byte)0xFF), Is.EqualTo(-1), "padding reads as erased");
        Assert.Throws<ArgumentOutOfRangeException>(() => _model.ReadRom(E1000eDeviceModel.RomSize - 2, new byte[4]));
    }

    [Test]
    public void IcrReadClearsOnlyWhileNothingIsMasked()
    {
        Write(R.Ics, C.TxQ0);
        Assert.That(Read(R.Ics), Is.EqualTo(C.Asserted | C.TxQ0), "ICS mirrors ICR");
        Assert.That(Read(R.Icr), Is.EqualTo(C.Asserted | C.TxQ0));
        Assert.That(Read(R.Icr), Is.Zero, "IMS is 0: the read cleared it");
        Assert.That(_sink.Take(), Is.Empty, "masked: no interrupt");
    }

    [Test]
    public void WithoutMsiOrMsixAnUnmaskedCauseAssertsIntx()
    {
        Write(R.Ims, C.TxQ0);
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (0, 0) }));
        Write(R.Icr, uint.MaxValue);
        Write(R.Ics, C.TxQ1);
        Assert.That(_sink.Take(), Is.Empty, "TxQ1 is masked");
    }

    // The sequence the VM's probe played on QEMU's e1000e (docs/e1000e.md), and the vectors it saw signal.
    [Test]
    public void MsixRoutingAndAutoClearStepByStepAsOnQemu()
    {
        EnableMsix();
        Write(R.Ivar, 0x000C_BA98); // RxQ0→0, RxQ1→1, TxQ0→2, TxQ1→3, Other→4
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.Empty, "IMS 0: nothing");
        Assert.That(Read(R.Icr), Is.EqualTo(0x8040_0000u));
        Write(R.Ims, 0x01F0_0004);
        Assert.That(Read(R.Ims), Is.EqualTo(0x01F0_0004u));
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (2, 2) }));
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.Empty, "still set in ICR: not signalled twice");
        Assert.That(Read(R.Icr), Is.EqualTo(0x8040_0000u), "MSI-X with IMS set: the read does not clear");
        Write(R.Icr, uint.MaxValue);
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (2, 2) }), "cleared by write-1, so it signals again");
        Write(R.Icr, uint.MaxValue);

        Write(R.Eiac, 0x01F0_0000);
        Write(R.Ics, C.RxQ0);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (2, 0) }));
        Assert.That((Read(R.Ics), Read(R.Ims)), Is.EqualTo((0x8010_0000u, 0x01E0_0004u)), "ICS keeps the pre-clear copy; EIAC masked RxQ0");
        Write(R.Ics, C.RxQ1);
        Write(R.Ics, C.TxQ1);
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (2, 1), (2, 3), (2, 2) }));
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.Empty, "auto-masked in IMS");
        Write(R.Ics, C.Lsc);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (2, 4) }), "LSC is an 'other' cause");
        Assert.That(Read(R.Ics), Is.EqualTo(0x8140_0004u));
        Write(R.Ics, C.Other);
        Assert.That(_sink.Take(), Is.Empty);

        Write(R.Ims, 0x01F0_0000);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (2, 2), (2, 4) }), "unmasking signals the causes still set");
        Write(R.Ivar, 0x000C_BA90);
        Write(R.Ics, C.RxQ0);
        Assert.That(_sink.Take(), Is.Empty, "an invalid IVAR field signals nothing");
        Write(R.Ivar, 0x000C_BA9F);
        Write(R.Ics, C.RxQ0);
        Assert.That(_sink.Take(), Is.Empty, "vector 7 is past the table");
        Assert.That((Read(R.Ics), Read(R.Ims)), Is.EqualTo((0x8110_0004u, 0x00A0_0004u)));
        Write(R.Ivar, 0x0009_BAC8);
        Write(R.Ims, 0x01F0_0000);
        Write(R.Ics, C.RxQ1);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (2, 0), (2, 1), (2, 4) }));
    }

    [Test]
    public void MsiModeSignalsTheOneMsiVector()
    {
        WriteConfig16(_model.MsiCapabilityOffset + 2, PciConfigRegisters.MsiEnable);
        Write(R.Ims, C.TxQ0);
        Write(R.Ics, C.TxQ0);
        Assert.That(_sink.Take(), Is.EqualTo(new[] { (1, 0) }));
    }

    [Test]
    public void SoftwareResetRestoresOnlyTheMacAddress()
    {
        Write(R.Ral0, 0x4433_2211);
        Write(R.Rah0, 0x8000_6655);
        Write(R.Ivar, 0x1234);
        Write(R.Ctrl, Read(R.Ctrl) | (1u << 26));
        Assert.That(Read(R.Ctrl), Is.EqualTo(0x0014_0241u), "RST self-clears");
        Assert.That((Read(R.Ral0), Read(R.Rah0)), Is.EqualTo((0x1200_5452u, 0x8000_5634u)));
        Assert.That(Read(R.Ivar), Is.EqualTo(0x1234u), "QEMU's CTRL.RST leaves the rest alone");
    }

    [Test]
    public void FunctionResetKeepsTheMacRegistersAsQemuDoesButResetsConfigSpace()
    {
        Write(R.Ims, 4);
        Write(R.Itr, 0x1000);
        ((IPciDeviceModel)_model).Reset();
        Assert.That(_model.CommandRegister, Is.Zero, "config space is back at power-on");
        Assert.That(_model.ResetCount, Is.EqualTo(1));
        WriteConfig16(PciConfigRegisters.Command, PciConfigRegisters.CommandMemory);
        Assert.That((Read(R.Ims), Read(R.Itr)), Is.EqualTo((4u, 0x1000u)), "the PM reset QEMU 7.2 ignores");
    }

    [Test]
    public void NarrowAndWideAccessesUseTheOverlappedRegisters()
    {
        var two = new byte[2];
        ((IPciDeviceModel)_model).ReadBar(0, R.Status + 2, two);
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(two), Is.EqualTo(0x0008));
        var eight = new byte[8];
        ((IPciDeviceModel)_model).ReadBar(0, R.Ral0, eight);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(eight), Is.EqualTo(0x8000_5634_1200_5452ul));
    }

    [Test]
    public void DecodingOffReadsAllOnes()
    {
        WriteConfig16(PciConfigRegisters.Command, 0);
        Assert.That(Read(R.Status), Is.EqualTo(uint.MaxValue));
    }

    [Test]
    public void BadAccessesAndDescriptionsAreRejectedWithTheReason()
    {
        var model = (IPciDeviceModel)_model;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.ReadBar(0, E1000eDeviceModel.RegisterBarSize, new byte[4]))!;
        Assert.That(e.Message, Does.Contain("BAR0").And.Contain("outside"));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WriteBar(2, 30, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ReadBar(4, 0, new byte[4]));
        var wrong = E1000eDeviceModel.Describe("0000:01:00.1");
        wrong.MsixVectors = 3;
        var d = Assert.Throws<ArgumentException>(() => new E1000eDeviceModel(wrong))!;
        Assert.That(d.Message, Does.Contain("0000:01:00.1").And.Contain("E1000eDeviceModel.Describe"));
        var m = Assert.Throws<ArgumentException>(() => new E1000eDeviceModel(E1000eDeviceModel.Describe("0000:01:00.2"), [0x01, 0, 0, 0, 0, 1]))!;
        Assert.That(m.Message, Does.Contain("unicast"));
    }

    [Test]
    public void MachineSpecAddsE1000eFunctionsTheRegistryModels()
    {
        var machine = Eal.Emulation.MachineSpec.Parse("vfio=0,kernel=0,e1000e=2");
        var nics = machine.PciFunctions.Where(f => f.DeviceId == E1000eDeviceModel.DeviceId).ToList();
        Assert.That(nics, Has.Count.EqualTo(2));
        Assert.That(nics.Select(f => f.Driver), Is.All.EqualTo("vfio-pci"));
        using var model = PciDeviceModelRegistry.CreateDefault().Create(nics[1]);
        Assert.That(model, Is.InstanceOf<E1000eDeviceModel>());
    }

    private void EnableMsix() => WriteConfig16(_model.MsixCapabilityOffset + 2, PciConfigRegisters.MsixEnable);

    private void WriteConfig16(int offset, ushort value)
    {
        var v = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(v, value);
        _model.WriteConfig(offset, v);
    }

    private uint Eerd(int word)
    {
        Write(R.Eerd, ((uint)word << 2) | 1);
        return Read(R.Eerd);
    }

    private uint Read(int offset) => ReadBar(0, offset);

    private void Write(int offset, uint value) => WriteBar(0, offset, value);

    private uint ReadIo(int offset) => ReadBar(2, offset);

    private void WriteIo(int offset, uint value) => WriteBar(2, offset, value);

    private uint ReadBar(int bar, int offset)
    {
        var v = new byte[4];
        ((IPciDeviceModel)_model).ReadBar(bar, (ulong)offset, v);
        return BinaryPrimitives.ReadUInt32LittleEndian(v);
    }

    private void WriteBar(int bar, int offset, uint value)
    {
        var v = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        ((IPciDeviceModel)_model).WriteBar(bar, (ulong)offset, v);
    }

    /// <summary>Records what the model raised, in order, synchronously (the model signals before WriteBar returns).</summary>
    private sealed class RecordingSink : IInterruptSink
    {
        private readonly List<(int, int)> _raised = [];

        public void Raise(int irqIndex, int vector)
        {
            lock (_raised) _raised.Add((irqIndex, vector));
        }

        public (int Index, int Vector)[] Take()
        {
            lock (_raised)
            {
                var r = _raised.ToArray();
                _raised.Clear();
                return r;
            }
        }
    }
}
