using Eal.Vfio;
using Eal.Memory;
using Eal.Bus;
using Eal.Options;
using NUnit.Framework;
using static Eal.Tests.Options.EalTestHelpers;

namespace Eal.Tests.Options;

[TestFixture]
public class EalSettingsTests
{
    [Test]
    public void Defaults()
    {
        var s = Resolve();
        Assert.Multiple(() =>
        {
            Assert.That(s.Lcores.Select(l => l.LcoreId), Is.EqualTo(Enumerable.Range(0, 16)));
            Assert.That(s.LcoreSource, Is.EqualTo(LcoreSource.AllCpus));
            Assert.That(s.MainLcore, Is.Zero);
            Assert.That(s.ServiceLcores, Is.Empty);
            Assert.That(s.FilePrefix, Is.EqualTo("rte"));
            Assert.That(s.ProcessType, Is.EqualTo(EalProcessType.Primary));
            Assert.That(s.IovaMode, Is.EqualTo(IovaMode.DontCare));
            Assert.That(s.HugeUnlink, Is.EqualTo(HugeUnlinkMode.Existing));
            Assert.That(s.Telemetry, Is.True);
            Assert.That(s.MemorySize, Is.Null);
            Assert.That(s.VfioMode, Is.EqualTo(VfioBackendMode.Auto));
            Assert.That(s.VfioInterrupt, Is.EqualTo(VfioInterruptMode.Auto));
            Assert.That(s.Emulate, Is.False);
            Assert.That(s.LogColor, Is.EqualTo(LogColorMode.Never));
            Assert.That(s.LogTimestamp, Is.EqualTo(LogTimestampFormat.None));
            Assert.That(s.SyslogFacility, Is.Null);
            Assert.That(s.Warnings, Is.Empty);
        });
    }

    // ---- rejected combinations (DPDK eal_collate_args) ----
    [TestCase(new[] { "-a", "0000:01:00.0", "-b", "0000:02:00.0" }, "Options allow (-a) and block (-b) can't be used at the same time")]
    [TestCase(new[] { "-A", "-b", "0000:02:00.0" }, "Options no-auto-probing and block (-b) can't be used at the same time")]
    [TestCase(new[] { "--pagesz-mem", "2M:2G", "--no-huge" }, "Options pagesz-mem and no-huge can't be used at the same time")]
    [TestCase(new[] { "--pagesz-mem", "2M:2G", "--legacy-mem" }, "Options pagesz-mem and legacy-mem can't be used at the same time")]
    [TestCase(new[] { "-c", "0x3", "-l", "0-1" }, "Options '-c/--coremask' and '-l/--lcores' can't be used at the same time; use only -l/--lcores")]
    [TestCase(new[] { "-s", "0x2", "-S", "1" }, "Options '-s/--service-coremask' and '-S/--service-corelist' can't be used at the same time")]
    [TestCase(new[] { "-A", "--auto-probing" }, "Options '-A/--no-auto-probing' and '--auto-probing' can't be used at the same time")]
    [TestCase(new[] { "--no-telemetry", "--telemetry" }, "Options '--no-telemetry' and '--telemetry' can't be used at the same time")]
    [TestCase(new[] { "-m", "512", "--socket-mem", "512" }, "Options '-m/--memory-size' and '--numa-mem/--socket-mem' can't be used at the same time")]
    [TestCase(new[] { "--no-huge", "--numa-mem", "512" }, "Options '--no-huge' and '--numa-mem/--socket-mem' can't be used at the same time")]
    [TestCase(new[] { "--no-huge", "--huge-worker-stack" }, "Options '--no-huge' and '--huge-worker-stack' can't be used at the same time")]
    [TestCase(new[] { "--socket-limit", "512", "--legacy-mem" }, "Options '--numa-limit/--socket-limit' and '--legacy-mem' can't be used at the same time")]
    [TestCase(new[] { "--legacy-mem", "--in-memory" }, "Options '--legacy-mem' and '--in-memory' can't be used at the same time")]
    [TestCase(new[] { "--legacy-mem", "--match-allocations" }, "Options '--legacy-mem' and '--match-allocations' can't be used at the same time")]
    [TestCase(new[] { "--no-huge", "--match-allocations" }, "Options '--no-huge' and '--match-allocations' can't be used at the same time")]
    [TestCase(new[] { "--no-huge", "--huge-unlink" }, "Options '--no-huge' and '--huge-unlink' can't be used at the same time")]
    [TestCase(new[] { "--single-file-segments", "--huge-unlink=never" }, "Options '--single-file-segments' and '--huge-unlink' can't be used at the same time")]
    [TestCase(new[] { "--no-huge", "--single-file-segments" }, "Options '--no-huge' and '--single-file-segments' can't be used at the same time")]
    [TestCase(new[] { "--in-memory", "--huge-unlink=always" }, "Options '--in-memory' and '--huge-unlink' can't be used at the same time; --in-memory already unlinks")]
    [TestCase(new[] { "-l", "0@1", "-R" }, "cannot use '@' or core groupings '()' in lcore list when remapping lcores (-R)")]
    [TestCase(new[] { "-l", "(0,1)", "-R5" }, "cannot use '@' or core groupings '()' in lcore list when remapping lcores (-R)")]
    public void RejectedCombination(string[] args, string fragment)
    {
        Assert.That(Fails(args).Message, Does.Contain(fragment));
    }

    // ---- single values ----
    [TestCase("--iova-mode", "pa", IovaMode.PA)]
    [TestCase("--iova-mode", "va", IovaMode.VA)]
    public void IovaMode_Valid(string opt, string value, IovaMode expected) =>
        Assert.That(Resolve(opt, value).IovaMode, Is.EqualTo(expected));

    [TestCase("--iova-mode", "xx", "--iova-mode: invalid value 'xx'; expected 'pa' or 'va'")]
    [TestCase("--iova-mode", "PA", "--iova-mode: invalid value 'PA'; expected 'pa' or 'va'")]
    [TestCase("--vfio-intr", "msi-x", "--vfio-intr: invalid value 'msi-x'; expected 'legacy', 'msi' or 'msix'")]
    [TestCase("--vfio-mode", "iommufd", "--vfio-mode: invalid value 'iommufd'; expected 'auto', 'group', 'noiommu' or 'cdev'")]
    [TestCase("--proc-type", "tertiary", "--proc-type: invalid process type 'tertiary'; expected 'primary', 'secondary' or 'auto'")]
    [TestCase("-m", "1G", "-m/--memory-size: invalid value '1G'; expected a number of megabytes without a suffix")]
    [TestCase("-n", "0", "-n/--memory-channels: invalid memory channel count '0'")]
    [TestCase("-n", "x", "-n/--memory-channels: invalid value 'x'")]
    [TestCase("-r", "0", "-r/--memory-ranks: invalid memory rank count '0'; expected 1 to 16")]
    [TestCase("-r", "17", "-r/--memory-ranks: invalid memory rank count '17'; expected 1 to 16")]
    [TestCase("--file-prefix", "a%d", "--file-prefix: invalid character '%' in file prefix 'a%d'")]
    [TestCase("--file-prefix", "", "--file-prefix: empty file prefix")]
    [TestCase("--huge-dir", "", "--huge-dir: empty hugepage directory")]
    [TestCase("--mbuf-pool-ops-name", "", "--mbuf-pool-ops-name: empty mbuf pool ops name")]
    [TestCase("--base-virtaddr", "0xzz", "--base-virtaddr: invalid base virtaddr '0xzz'; expected a hexadecimal address")]
    [TestCase("--base-virtaddr", "", "--base-virtaddr: invalid base virtaddr ''")]
    [TestCase("--base-virtaddr", "ffffffffffffffff", "--base-virtaddr: base virtaddr 'ffffffffffffffff' overflows")]
    [TestCase("--force-max-simd-bitwidth", "100", "--force-max-simd-bitwidth: invalid SIMD bitwidth '100'; expected 0 (no limit) or a power of two from 64 to 32768")]
    [TestCase("--force-max-simd-bitwidth", "32", "--force-max-simd-bitwidth: invalid SIMD bitwidth '32'")]
    [TestCase("--force-max-simd-bitwidth", "65536", "--force-max-simd-bitwidth: invalid SIMD bitwidth '65536'")]
    [TestCase("--vfio-vf-token", "14d63f20-8445-11ea-8900-1f9ce7d5650", "--vfio-vf-token: invalid VF token '14d63f20-8445-11ea-8900-1f9ce7d5650'; expected a UUID of 36 characters")]
    [TestCase("--vfio-vf-token", "14d63f20x8445-11ea-8900-1f9ce7d5650d", "--vfio-vf-token: invalid VF token")]
    [TestCase("--vfio-vf-token", "{4d63f20-8445-11ea-8900-1f9ce7d5650d", "--vfio-vf-token: invalid VF token")]
    [TestCase("--main-lcore", "x", "--main-lcore: invalid main lcore 'x'; expected an lcore id below 128")]
    [TestCase("--main-lcore", "128", "--main-lcore: invalid main lcore '128'")]
    [TestCase("-d", "", "-d/--driver-path: empty value; give a driver assembly file or directory")]
    [TestCase("--vdev", " ", "--vdev: empty device")]
    [TestCase("--trace", "(", "--trace: invalid regular expression '('")]
    [TestCase("--trace-bufsz", "0", "--trace-bufsz: invalid trace buffer size '0'")]
    [TestCase("--trace-bufsz", "2Q", "--trace-bufsz: invalid trace buffer size '2Q'")]
    [TestCase("--trace-mode", "x", "--trace-mode: invalid trace mode 'x'; expected 'overwrite' or 'discard'")]
    [TestCase("--trace-dir", "", "--trace-dir: empty trace directory")]
    [TestCase("--huge-unlink=sometimes", null, "--huge-unlink: invalid value 'sometimes'; expected '--huge-unlink' alone or '--huge-unlink=' followed by 'always', 'existing' or 'never'")]
    [TestCase("--huge-worker-stack=0", null, "--huge-worker-stack: invalid stack size '0'")]
    [TestCase("--huge-worker-stack=1M", null, "--huge-worker-stack: invalid stack size '1M'")]
    [TestCase("--log-color=maybe", null, "--log-color: invalid value 'maybe'")]
    [TestCase("--log-timestamp=invalid", null, "--log-timestamp: invalid value 'invalid'")]
    [TestCase("--syslog=nope", null, "--syslog: invalid syslog facility 'nope'")]
    [TestCase("-R=128", null, "-R/--remap-lcore-ids: invalid lcore base id '128'; expected '-R' alone or a base below 128")]
    [TestCase("-Rx", null, "-R/--remap-lcore-ids: invalid lcore base id 'x'")]
    public void InvalidValue(string opt, string? value, string expected)
    {
        string[] args = value is null ? [opt] : [opt, value];
        Assert.That(Fails(args).Message, Does.StartWith(expected));
    }

    [Test]
    public void ProcType_IsCaseInsensitive()
    {
        Assert.That(Resolve("--proc-type", "SECONDARY").ProcessType, Is.EqualTo(EalProcessType.Secondary));
        Assert.That(Resolve("--proc-type", "Primary").ProcessType, Is.EqualTo(EalProcessType.Primary));
    }

    [Test]
    public void Memory_Values()
    {
        var s = Resolve("-m", "512", "-n", "4", "-r", "16", "--numa-limit", "0,2048");
        Assert.That(s.MemorySize, Is.EqualTo(512UL << 20));
        Assert.That(s.MemoryChannels, Is.EqualTo(4));
        Assert.That(s.MemoryRanks, Is.EqualTo(16));
        Assert.That(s.NumaLimit, Is.EqualTo(new[] { 0UL, 2048UL << 20 }));
        Assert.That(Resolve("--socket-mem", "1024,0,1").NumaMemory, Is.EqualTo(new[] { 1024UL << 20, 0UL, 1UL << 20 }));
    }

    [TestCase("1024,", "invalid value '' for NUMA node 1 in '1024,'")]
    [TestCase(",1024", "invalid value '' for NUMA node 0")]
    [TestCase("1G", "invalid value '1G' for NUMA node 0")]
    [TestCase("-1", "invalid value '-1' for NUMA node 0")]
    public void NumaMem_Invalid(string value, string fragment)
    {
        Assert.That(Fails("--socket-mem", value).Message, Does.StartWith("--numa-mem: " + fragment));
    }

    [Test]
    public void NumaMem_TooManyNodes()
    {
        string value = string.Join(',', Enumerable.Repeat("1", 33));
        Assert.That(Fails("--numa-mem", value).Message, Does.Contain("33 values given but at most 32 NUMA nodes are supported"));
        string tooLong = string.Join(',', Enumerable.Repeat("1234567890", 32));
        Assert.That(Fails("--numa-mem", tooLong).Message, Does.Contain("value is too long"));
    }

    [Test]
    public void NoHuge_ImpliesLegacyMem_And64MiB()
    {
        var s = Resolve("--no-huge");
        Assert.That(s.NoHuge && s.LegacyMemory, Is.True);
        Assert.That(s.MemorySize, Is.EqualTo(64UL << 20));
        Assert.That(Resolve("--no-huge", "-m", "128").MemorySize, Is.EqualTo(128UL << 20));
    }

    [Test]
    public void InMemory_ImpliesNoShconf_AndUnlinkAlways()
    {
        var s = Resolve("--in-memory");
        Assert.That(s.NoSharedConfig, Is.True);
        Assert.That(s.HugeUnlink, Is.EqualTo(HugeUnlinkMode.Always));
    }

    [TestCase(null, HugeUnlinkMode.Always)]
    [TestCase("always", HugeUnlinkMode.Always)]
    [TestCase("existing", HugeUnlinkMode.Existing)]
    [TestCase("never", HugeUnlinkMode.Never)]
    public void HugeUnlink_Values(string? value, HugeUnlinkMode expected)
    {
        var s = Resolve(value is null ? "--huge-unlink" : "--huge-unlink=" + value);
        Assert.That(s.HugeUnlink, Is.EqualTo(expected));
        Assert.That(s.Warnings, value == "never" ? Is.EqualTo(new[] { "Using --huge-unlink=never may create data leaks." }) : Is.Empty);
    }

    [Test]
    public void LegacyMem_WithoutSize_Warns()
    {
        Assert.That(Resolve("--legacy-mem").Warnings.Single(), Does.StartWith("Static memory layout is selected"));
    }

    [Test]
    public void PageszMem_Values()
    {
        var s = Resolve("--pagesz-mem", "2M:32G", "--pagesz-mem", "1G:0", "--pagesz-mem", "2m:4 G");
        Assert.That(s.PageSizeLimits, Is.EqualTo(new[]
        {
            new PageSizeLimit(2UL << 20, 4UL << 30),
            new PageSizeLimit(1UL << 30, 0),
        }));
        Assert.That(s.Warnings.Single(), Does.Contain("--pagesz-mem specified multiple times for page size '2m'; later limit '4 G' will be used"));
    }

    [TestCase("2M", "invalid format '2M'; expected <pagesz>:<limit>")]
    [TestCase("2M:1G:3", "invalid format")]
    [TestCase(":1G", "invalid format")]
    [TestCase("2M:1G,2G", "'2M:1G,2G' holds several pairs")]
    [TestCase("3M:6M", "invalid page size '3M' (must be a power of two)")]
    [TestCase("0:1G", "invalid page size '0'")]
    [TestCase("xM:1G", "invalid page size 'xM'")]
    [TestCase("2M:lots", "invalid memory limit 'lots'")]
    [TestCase("2M:3M", "memory limit '3M' must be aligned to page size '2M'")]
    public void PageszMem_Invalid(string value, string fragment)
    {
        Assert.That(Fails("--pagesz-mem", value).Message, Does.StartWith("--pagesz-mem: " + fragment));
    }

    [Test]
    public void PageszMem_AtMostThreeSizes()
    {
        Assert.That(Fails("--pagesz-mem", "4K:4K", "--pagesz-mem", "2M:2M", "--pagesz-mem", "1G:1G", "--pagesz-mem", "16G:16G").Message,
            Does.Contain("too many page size entries (max 3)"));
    }

    [TestCase("0x100000", 0x1000000UL)]
    [TestCase("1000000", 0x1000000UL)]
    [TestCase("7f0001000000", 0x7f0001000000UL)]
    [TestCase("0X7f0000000001", 0x7f0001000000UL)]
    [TestCase("0", 0UL)]
    public void BaseVirtaddr_IsAlignedUpTo16MiB(string value, ulong expected) =>
        Assert.That(Resolve("--base-virtaddr", value).BaseVirtualAddress, Is.EqualTo(expected));

    [TestCase("0", 32768)]
    [TestCase("64", 64)]
    [TestCase("0x200", 512)]
    [TestCase("32768", 32768)]
    public void SimdBitwidth_Valid(string value, int expected) =>
        Assert.That(Resolve("--force-max-simd-bitwidth", value).MaxSimdBitwidth, Is.EqualTo(expected));

    [Test]
    public void VfToken_ParsesUuid()
    {
        Assert.That(Resolve("--vfio-vf-token", "14D63F20-8445-11ea-8900-1f9ce7d5650d").VfioVfToken,
            Is.EqualTo(Guid.Parse("14d63f20-8445-11ea-8900-1f9ce7d5650d")));
    }

    [Test]
    public void Devices_InDpdkOrder_WithTheirKind()
    {
        var s = Resolve("--vdev", "net_null0", "-a", "0000:01:00.0", "--vdev=net_ring0", "-a", "0000:02:00.0,rxq=2");
        Assert.That(s.Devices, Is.EqualTo(new[]
        {
            new DeviceOption(DeviceOptionKind.Allowed, "0000:01:00.0"),
            new DeviceOption(DeviceOptionKind.Allowed, "0000:02:00.0,rxq=2"),
            new DeviceOption(DeviceOptionKind.Virtual, "net_null0"),
            new DeviceOption(DeviceOptionKind.Virtual, "net_ring0"),
        }));
        Assert.That(Resolve("-b", "0000:03:00.0").Devices.Single().Kind, Is.EqualTo(DeviceOptionKind.Blocked));
    }

    [Test]
    public void Flags_AndMisc()
    {
        var s = Resolve("--no-pci", "--no-hpet", "--vmware-tsc-map", "--no-telemetry", "--create-uio-dev", "-A",
            "--no-shconf", "--single-file-segments", "--match-allocations", "-v", "-d", "/opt/pmds", "-d", "x.dll",
            "--file-prefix", "app1", "--huge-dir", "/mnt/huge", "--mbuf-pool-ops-name", "ring_mp_mc",
            "--vfio-intr", "msix", "--vfio-mode", "noiommu", "--emulate=/tmp/m.json", "--huge-worker-stack=512",
            "--log-color", "--log-timestamp=iso", "--syslog", "--trace", "lib.eal.*", "--trace-dir", "/tmp/t",
            "--trace-bufsz", "2M", "--trace-mode", "d");
        Assert.Multiple(() =>
        {
            Assert.That(s.NoPci && s.NoHpet && s.VmwareTscMap && s.CreateUioDevices && s.NoAutoProbing && s.NoSharedConfig, Is.True);
            Assert.That(s.SingleFileSegments && s.MatchAllocations && s.Version, Is.True);
            Assert.That(s.Telemetry, Is.False);
            Assert.That(s.DriverPaths, Is.EqualTo(new[] { "/opt/pmds", "x.dll" }));
            Assert.That(s.FilePrefix, Is.EqualTo("app1"));
            Assert.That(s.HugeDirectory, Is.EqualTo("/mnt/huge"));
            Assert.That(s.MbufPoolOpsName, Is.EqualTo("ring_mp_mc"));
            Assert.That(s.VfioInterrupt, Is.EqualTo(VfioInterruptMode.Msix));
            Assert.That(s.VfioMode, Is.EqualTo(VfioBackendMode.NoIommu));
            Assert.That(s.Emulate, Is.True);
            Assert.That(s.EmulationSpec, Is.EqualTo("/tmp/m.json"));
            Assert.That(s.HugeWorkerStack, Is.True);
            Assert.That(s.HugeWorkerStackSize, Is.EqualTo(512UL * 1024));
            Assert.That(s.LogColor, Is.EqualTo(LogColorMode.Always));
            Assert.That(s.LogTimestamp, Is.EqualTo(LogTimestampFormat.Iso));
            Assert.That(s.SyslogFacility, Is.EqualTo("daemon"));
            Assert.That(s.TracePatterns, Is.EqualTo(new[] { "lib.eal.*" }));
            Assert.That(s.TraceDirectory, Is.EqualTo("/tmp/t"));
            Assert.That(s.TraceBufferSize, Is.EqualTo(2UL << 20));
            Assert.That(s.TraceMode, Is.EqualTo(TraceMode.Discard));
        });
        Assert.That(Resolve("--huge-worker-stack").HugeWorkerStackSize, Is.Null);
        Assert.That(Resolve("--log-timestamp").LogTimestamp, Is.EqualTo(LogTimestampFormat.Time));
        Assert.That(Resolve("--syslog=local7").SyslogFacility, Is.EqualTo("local7"));
        Assert.That(Resolve("--log-color=auto").LogColor, Is.EqualTo(LogColorMode.Auto));
        Assert.That(Resolve("--trace-mode", "overwrite").TraceMode, Is.EqualTo(TraceMode.Overwrite));
    }

    [Test]
    public void LogLevel_IsResolved_AndHelpIsNotASetting()
    {
        var s = Resolve("--log-level", "lib.eal:debug", "--log-level", "4");
        Assert.That(s.LogLevels.Rules.Count, Is.EqualTo(2));
        Assert.That(s.LogLevels.GlobalLevel, Is.EqualTo(Eal.Logging.DpdkLogLevel.Error));
        Assert.That(Resolve("--log-level=help").LogLevels.Rules, Is.Empty);
        Assert.That(Fails("--log-level", "lib.eal:verbose").Message, Does.StartWith("--log-level: invalid log level 'verbose' in 'lib.eal:verbose'"));
    }
}
