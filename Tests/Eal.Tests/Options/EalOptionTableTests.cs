using System.Reflection;
using Eal.Options;
using NUnit.Framework;

namespace Eal.Tests.Options;

[TestFixture]
public class EalOptionTableTests
{
    private static readonly string[] DpdkOptions =
    [
        "--auto-probing", "--allow", "--base-virtaddr", "--block", "--coremask", "--driver-path",
        "--force-max-simd-bitwidth", "--huge-unlink", "--in-memory", "--iova-mode", "--lcores", "--legacy-mem",
        "--log-color", "--log-level", "--log-timestamp", "--main-lcore", "--mbuf-pool-ops-name", "--memory-channels",
        "--memory-ranks", "--memory-size", "--no-auto-probing", "--no-hpet", "--no-huge", "--no-pci", "--no-shconf",
        "--no-telemetry", "--pagesz-mem", "--proc-type", "--remap-lcore-ids", "--service-corelist",
        "--service-coremask", "--single-file-segments", "--telemetry", "--vdev", "--vmware-tsc-map", "--version",
        "--syslog", "--trace", "--trace-bufsz", "--trace-dir", "--trace-mode", "--create-uio-dev", "--file-prefix",
        "--huge-dir", "--huge-worker-stack", "--match-allocations", "--numa-mem", "--numa-limit", "--socket-mem",
        "--socket-limit", "--vfio-intr", "--vfio-vf-token", "--help", "--vfio-mode", "--emulate",
    ];

    [Test]
    public void Table_HoldsExactlyTheDpdkOptionsPlusOurs()
    {
        Assert.That(EalOptionTable.All.Select(d => d.LongName), Is.EquivalentTo(DpdkOptions));
    }

    [TestCase("--allow", "-a", EalOptionKind.List, "Allow")]
    [TestCase("--block", "-b", EalOptionKind.List, "Block")]
    [TestCase("--coremask", "-c", EalOptionKind.Str, "Coremask")]
    [TestCase("--driver-path", "-d", EalOptionKind.List, "DriverPath")]
    [TestCase("--lcores", "-l", EalOptionKind.Str, "Lcores")]
    [TestCase("--memory-channels", "-n", EalOptionKind.Str, "MemoryChannels")]
    [TestCase("--memory-ranks", "-r", EalOptionKind.Str, "MemoryRanks")]
    [TestCase("--memory-size", "-m", EalOptionKind.Str, "MemorySize")]
    [TestCase("--no-auto-probing", "-A", EalOptionKind.Bool, "NoAutoProbing")]
    [TestCase("--remap-lcore-ids", "-R", EalOptionKind.OptionalStr, "RemapLcoreIds")]
    [TestCase("--service-corelist", "-S", EalOptionKind.Str, "ServiceCorelist")]
    [TestCase("--service-coremask", "-s", EalOptionKind.Str, "ServiceCoremask")]
    [TestCase("--version", "-v", EalOptionKind.Bool, "Version")]
    [TestCase("--help", "-h", EalOptionKind.Bool, null)]
    [TestCase("--force-max-simd-bitwidth", null, EalOptionKind.Str, "ForceMaxSimdBitwidth")]
    [TestCase("--huge-unlink", null, EalOptionKind.OptionalStr, "HugeUnlink")]
    [TestCase("--emulate", null, EalOptionKind.OptionalStr, "Emulate")]
    [TestCase("--vfio-mode", null, EalOptionKind.Str, "VfioMode")]
    [TestCase("--socket-mem", null, EalOptionKind.Alias, "NumaMem")]
    [TestCase("--socket-limit", null, EalOptionKind.Alias, "NumaLimit")]
    public void Row_HasNamesKindAndKey(string longName, string? shortName, EalOptionKind kind, string? key)
    {
        var d = EalOptionTable.Get(longName);
        Assert.That(d.ShortName, Is.EqualTo(shortName));
        Assert.That(d.Kind, Is.EqualTo(kind));
        Assert.That(d.ConfigurationKey, Is.EqualTo(key));
        if (shortName is not null)
            Assert.That(EalOptionTable.Find(shortName), Is.SameAs(d));
    }

    [Test]
    public void Alias_PointsAtItsTarget()
    {
        Assert.That(EalOptionTable.Get("--socket-mem").Canonical, Is.SameAs(EalOptionTable.Get("--numa-mem")));
        Assert.That(EalOptionTable.Get("--socket-mem").EffectiveKind, Is.EqualTo(EalOptionKind.Str));
    }

    [Test]
    public void EveryConfigurationKey_IsAnEalOptionsProperty_AndViceVersa()
    {
        var keys = EalOptionTable.All.Where(d => d.Kind != EalOptionKind.Alias && d.ConfigurationKey is not null)
            .ToDictionary(d => d.ConfigurationKey!, d => d.Kind);
        var props = typeof(EalOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => p.Name, p => p.PropertyType);
        Assert.That(props.Keys, Is.EquivalentTo(keys.Keys));
        foreach (var (key, kind) in keys)
        {
            Type expected = kind switch
            {
                EalOptionKind.Bool => typeof(bool),
                EalOptionKind.List => typeof(List<string>),
                _ => typeof(string),
            };
            Assert.That(props[key], Is.EqualTo(expected), key);
        }
    }

    [Test]
    public void Find_IsExact()
    {
        Assert.That(EalOptionTable.Find("--lcore"), Is.Null);
        Assert.That(EalOptionTable.Find("--LCORES"), Is.Null);
        Assert.That(EalOptionTable.Find("lcores"), Is.Null);
        Assert.That(() => EalOptionTable.Get("--nope"), Throws.ArgumentException.With.Message.Contains("'--nope' is not an EAL option"));
    }

    [Test]
    public void Help_ListsEveryOptionWithNamesHintAndHelp()
    {
        string help = EalOptionTable.FormatHelp("testpmd");
        Assert.That(help, Does.StartWith("usage: testpmd [EAL options] -- [application options]\n"));
        foreach (var d in EalOptionTable.All)
        {
            Assert.That(help, Does.Contain(d.LongName), d.LongName);
            Assert.That(help, Does.Contain(d.Help), d.LongName);
        }
        Assert.That(help, Does.Contain("  -l, --lcores <corelist|lcore map>"));
        Assert.That(help, Does.Contain("      --huge-unlink[=existing|always|never]"));
        Assert.That(help, Does.Contain("  -A, --no-auto-probing "));
        Assert.That(help, Does.Contain("      --socket-mem <MiB,MiB,...>"));
    }
}
