using Eal.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Eal.Tests.Options;

[TestFixture]
public class EalConfigurationTests
{
    [Test]
    public void ParsedArguments_BecomeKeysUnderEal()
    {
        var parsed = EalArgumentParser.Parse(
            ["-l", "0-3", "-a", "0000:01:00.0", "-a", "0000:02:00.0", "--no-huge", "--socket-mem", "512,512",
             "--huge-worker-stack", "--syslog=local1", "--log-level=help", "-h", "--", "app"]);
        var data = parsed.ToConfigurationData().ToList();
        Assert.That(data, Is.EqualTo(new[]
        {
            KeyValuePair.Create("Eal:Lcores", (string?)"0-3"),
            KeyValuePair.Create("Eal:Allow:0", (string?)"0000:01:00.0"),
            KeyValuePair.Create("Eal:Allow:1", (string?)"0000:02:00.0"),
            KeyValuePair.Create("Eal:NoHuge", (string?)"true"),
            KeyValuePair.Create("Eal:NumaMem", (string?)"512,512"),
            KeyValuePair.Create("Eal:HugeWorkerStack", (string?)""),
            KeyValuePair.Create("Eal:Syslog", (string?)"local1"),
        }));
    }

    [Test]
    public void RoundTrip_FromArguments_ThroughTheSourceGeneratedBinder()
    {
        var config = new ConfigurationBuilder().AddEalArguments(
            ["-l", "0-3", "-a", "0000:01:00.0", "--vdev=net_null0", "--no-huge", "--socket-limit", "0,1024",
             "--huge-unlink", "--iova-mode", "va", "--emulate=cpus=8,numa=2", "--log-level", "lib.eal:debug", "-v"]).Build();
        var o = config.GetEalOptions();
        Assert.Multiple(() =>
        {
            Assert.That(config["Eal:Lcores"], Is.EqualTo("0-3"));
            Assert.That(o.Lcores, Is.EqualTo("0-3"));
            Assert.That(o.Allow, Is.EqualTo(new[] { "0000:01:00.0" }));
            Assert.That(o.Vdev, Is.EqualTo(new[] { "net_null0" }));
            Assert.That(o.NoHuge, Is.True);
            Assert.That(o.InMemory, Is.False);
            Assert.That(o.NumaLimit, Is.EqualTo("0,1024"));
            Assert.That(o.NumaMem, Is.Null);
            Assert.That(o.HugeUnlink, Is.EqualTo(""));
            Assert.That(o.IovaMode, Is.EqualTo("va"));
            Assert.That(o.Emulate, Is.EqualTo("cpus=8,numa=2"));
            Assert.That(o.LogLevel, Is.EqualTo(new[] { "lib.eal:debug" }));
            Assert.That(o.Version, Is.True);
            Assert.That(o.Syslog, Is.Null);
        });
    }

    [Test]
    public void InMemorySource_LikeJson_BindsAndResolvesTheSame()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Eal:Lcores"] = "(0-3)@1,4@(2,3)",
            ["Eal:Allow:0"] = "0000:01:00.0,rxq=4",
            ["Eal:NoHuge"] = "True",
            ["Eal:MemorySize"] = "128",
            ["Eal:ProcType"] = "AUTO",
            ["Eal:VfioMode"] = "cdev",
            ["Eal:Emulate"] = "",
        }).Build();
        var s = EalSettings.Resolve(config.GetEalOptions(), EalTestHelpers.Machine);
        Assert.Multiple(() =>
        {
            Assert.That(s.Lcores.Select(l => l.LcoreId), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
            Assert.That(s.Lcores[4].Cpus, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(s.Devices, Is.EqualTo(new[] { new DeviceOption(DeviceOptionKind.Allowed, "0000:01:00.0,rxq=4") }));
            Assert.That(s.NoHuge, Is.True);
            Assert.That(s.MemorySize, Is.EqualTo(128UL << 20));
            Assert.That(s.ProcessType, Is.EqualTo(EalProcessType.Auto));
            Assert.That(s.VfioMode, Is.EqualTo(VfioBackendMode.Cdev));
            Assert.That(s.Emulate, Is.True);
            Assert.That(s.EmulationSpec, Is.Null);
        });
    }

    [Test]
    public void CommandLine_OverridesEarlierSources()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Eal:Lcores"] = "0-7", ["Eal:FilePrefix"] = "json" })
            .AddEalArguments(["-l", "2"]).Build();
        var o = config.GetEalOptions();
        Assert.That(o.Lcores, Is.EqualTo("2"));
        Assert.That(o.FilePrefix, Is.EqualTo("json"));
    }

    [Test]
    public void Validator_FailsWithTheResolveMessage_AtOptionsAccess()
    {
        var services = new ServiceCollection();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Eal:IovaMode"] = "xx",
        }).Build();
        services.AddOptions<EalOptions>().Configure(o => config.GetSection(EalOptions.SectionName).Bind(o));
        services.AddSingleton<IValidateOptions<EalOptions>>(new EalOptionsValidator(EalTestHelpers.Machine));
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<EalOptions>>().Value)!;
        Assert.That(e.Failures, Is.EqualTo(new[] { "--iova-mode: invalid value 'xx'; expected 'pa' or 'va'" }));
    }

    [Test]
    public void Validator_Succeeds_ForValidOptions()
    {
        var result = new EalOptionsValidator(EalTestHelpers.Machine).Validate(null, EalTestHelpers.Bind("-l", "1-2"));
        Assert.That(result.Succeeded, Is.True);
    }
}
