using Eal.Logging;
using Eal.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Eal.Tests.Logging;

[TestFixture]
public class EalLogLevelsTests
{
    [TestCase("e", DpdkLogLevel.Emergency)]
    [TestCase("a", DpdkLogLevel.Alert)]
    [TestCase("crit", DpdkLogLevel.Critical)]
    [TestCase("err", DpdkLogLevel.Error)]
    [TestCase("w", DpdkLogLevel.Warning)]
    [TestCase("n", DpdkLogLevel.Notice)]
    [TestCase("info", DpdkLogLevel.Info)]
    [TestCase("d", DpdkLogLevel.Debug)]
    [TestCase("1", DpdkLogLevel.Emergency)]
    [TestCase("0x4", DpdkLogLevel.Error)]
    [TestCase("8", DpdkLogLevel.Debug)]
    [TestCase("9", DpdkLogLevel.Debug)]
    [TestCase("4000", DpdkLogLevel.Debug)]
    public void ParseLevel_NamesPrefixesAndNumbers(string text, DpdkLogLevel expected) =>
        Assert.That(EalLogLevels.ParseLevel(text), Is.EqualTo(expected));

    [TestCase("0")]
    [TestCase("")]
    [TestCase("debugx")]
    [TestCase("DEBUG")]
    [TestCase("-1")]
    public void ParseLevel_Invalid(string text)
    {
        var e = Assert.Throws<EalArgumentException>(() => EalLogLevels.ParseLevel(text))!;
        Assert.That(e.Message, Does.StartWith($"--log-level: invalid log level '{text}'"));
    }

    [Test]
    public void Rule_Kinds_CommaBeforeColon()
    {
        Assert.That(EalLogLevels.ParseRule("lib.eal:debug"), Is.EqualTo(new EalLogLevelRule(EalLogLevelRuleKind.Glob, "lib.eal", DpdkLogLevel.Debug)));
        Assert.That(EalLogLevels.ParseRule("pmd.*,7"), Is.EqualTo(new EalLogLevelRule(EalLogLevelRuleKind.Regex, "pmd.*", DpdkLogLevel.Info)));
        Assert.That(EalLogLevels.ParseRule("a:b,3"), Is.EqualTo(new EalLogLevelRule(EalLogLevelRuleKind.Regex, "a:b", DpdkLogLevel.Critical)));
        Assert.That(EalLogLevels.ParseRule("warning"), Is.EqualTo(new EalLogLevelRule(EalLogLevelRuleKind.Global, null, DpdkLogLevel.Warning)));
    }

    [Test]
    public void Help_IsNotARule() =>
        Assert.That(() => EalLogLevels.ParseRule("help"), Throws.TypeOf<EalArgumentException>().With.Message.Contains("'help' lists the log types"));

    [Test]
    public void BadRegex_IsRejected() =>
        Assert.That(() => EalLogLevels.Parse(["pmd.(,debug"]),
            Throws.TypeOf<EalArgumentException>().With.Message.StartsWith("--log-level: invalid regular expression 'pmd.(' in 'pmd.(,debug'"));

    [TestCase(DpdkLogLevel.Emergency, LogLevel.Critical)]
    [TestCase(DpdkLogLevel.Alert, LogLevel.Critical)]
    [TestCase(DpdkLogLevel.Critical, LogLevel.Critical)]
    [TestCase(DpdkLogLevel.Error, LogLevel.Error)]
    [TestCase(DpdkLogLevel.Warning, LogLevel.Warning)]
    [TestCase(DpdkLogLevel.Notice, LogLevel.Information)]
    [TestCase(DpdkLogLevel.Info, LogLevel.Information)]
    [TestCase(DpdkLogLevel.Debug, LogLevel.Debug)]
    public void ToLogLevel(DpdkLogLevel dpdk, LogLevel expected) => Assert.That(EalLogLevels.ToLogLevel(dpdk), Is.EqualTo(expected));

    [Test]
    public void Defaults_InfoPerType()
    {
        var l = EalLogLevels.Default;
        Assert.That(l.IsEnabled("lib.eal", LogLevel.Information), Is.True);
        Assert.That(l.IsEnabled("lib.eal", LogLevel.Debug), Is.False);
    }

    [Test]
    public void GlobalDebugAlone_DoesNotRaiseTypeLevels_AsInDpdk()
    {
        var l = EalLogLevels.Parse(["debug"]);
        Assert.That(l.IsEnabled("lib.eal", LogLevel.Debug), Is.False);
        var l2 = EalLogLevels.Parse(["*:debug"]);
        Assert.That(l2.IsEnabled("lib.eal", LogLevel.Debug), Is.True);
    }

    [Test]
    public void GlobalLevel_CapsTypeLevels()
    {
        var l = EalLogLevels.Parse(["lib.eal:debug", "err"]);
        Assert.That(l.GetEffectiveLevel("lib.eal"), Is.EqualTo(DpdkLogLevel.Error));
        Assert.That(l.IsEnabled("lib.eal", LogLevel.Warning), Is.False);
        Assert.That(l.IsEnabled("lib.eal", LogLevel.Error), Is.True);
    }

    [Test]
    public void LaterRulesOverrideEarlier_GlobAndRegex()
    {
        var l = EalLogLevels.Parse(["pmd.net.*:debug", "pmd.net.null:err", "^bus\\.,warning"]);
        Assert.That(l.GetTypeLevel("pmd.net.ring"), Is.EqualTo(DpdkLogLevel.Debug));
        Assert.That(l.GetTypeLevel("pmd.net.null"), Is.EqualTo(DpdkLogLevel.Error));
        Assert.That(l.GetTypeLevel("bus.pci"), Is.EqualTo(DpdkLogLevel.Warning));
        Assert.That(l.GetTypeLevel("lib.bus.x"), Is.EqualTo(DpdkLogLevel.Info));
        Assert.That(l.GetTypeLevel("pmd.net"), Is.EqualTo(DpdkLogLevel.Info), "the glob needs the dot");
    }

    [Test]
    public void Glob_IsFnmatch()
    {
        var l = EalLogLevels.Parse(["pmd.net.?ull:debug", "lib.[!e]*:err"]);
        Assert.That(l.GetTypeLevel("pmd.net.null"), Is.EqualTo(DpdkLogLevel.Debug));
        Assert.That(l.GetTypeLevel("pmd.net.nulls"), Is.EqualTo(DpdkLogLevel.Info));
        Assert.That(l.GetTypeLevel("lib.mempool"), Is.EqualTo(DpdkLogLevel.Error));
        Assert.That(l.GetTypeLevel("lib.eal"), Is.EqualTo(DpdkLogLevel.Info));
    }

    [Test]
    public void Regex_IsUnanchoredSearch()
    {
        var l = EalLogLevels.Parse(["net,debug"]);
        Assert.That(l.GetTypeLevel("pmd.net.null"), Is.EqualTo(DpdkLogLevel.Debug));
        Assert.That(l.GetTypeLevel("lib.eal"), Is.EqualTo(DpdkLogLevel.Info));
    }

    [Test]
    public void AddDpdkLogLevels_FiltersLoggers()
    {
        var sink = new ListProvider();
        using var sp = new ServiceCollection()
            .AddLogging(b => b.AddProvider(sink).AddDpdkLogLevels(["pmd.net.null:debug", "bus.pci:warning"]))
            .BuildServiceProvider();
        var factory = sp.GetRequiredService<ILoggerFactory>();
        var nul = factory.CreateLogger("pmd.net.null");
        var pci = factory.CreateLogger("bus.pci");
        nul.LogDebug("d1");
        nul.LogTrace("t1");
        pci.LogInformation("i1");
        pci.LogWarning("w1");
        factory.CreateLogger("lib.eal").LogInformation("i2");
        Assert.That(sink.Messages, Is.EqualTo(new[] { "pmd.net.null:d1", "bus.pci:w1", "lib.eal:i2" }));
    }

    private sealed class ListProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];
        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);
        public void Dispose() { }

        private sealed class ListLogger(ListProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Add(category + ":" + formatter(state, exception));
        }
    }
}
