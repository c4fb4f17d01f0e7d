using Eal.Options;
using NUnit.Framework;

namespace Eal.Tests.Options;

[TestFixture]
public class EalArgumentParserTests
{
    private static ParsedEalArguments Parse(params string[] args) => EalArgumentParser.Parse(args);

    [TestCase("-l", "0-3")]
    [TestCase("-l0-3")]
    [TestCase("-l=0-3")]
    [TestCase("--lcores", "0-3")]
    [TestCase("--lcores=0-3")]
    public void ValueForms_AllGiveTheSameValue(params string[] args)
    {
        var parsed = Parse(args);
        Assert.That(parsed.GetValues("--lcores"), Is.EqualTo(new[] { "0-3" }));
        Assert.That(parsed.Consumed, Is.EqualTo(args.Length));
        Assert.That(parsed.Occurrences.Single().NameAsWritten, Is.EqualTo(args[0].StartsWith("--", StringComparison.Ordinal) ? "--lcores" : "-l"));
    }

    [Test]
    public void GluedShortValue_MayContainEquals()
    {
        var parsed = Parse("-a0000:01:00.0,rxq=4");
        Assert.That(parsed.GetValues("-a"), Is.EqualTo(new[] { "0000:01:00.0,rxq=4" }));
    }

    [Test]
    public void LongValue_SplitsAtFirstEquals()
    {
        Assert.That(Parse("--vdev=net_null0,size=64").GetValues("--vdev"), Is.EqualTo(new[] { "net_null0,size=64" }));
    }

    [Test]
    public void ListOption_KeepsEveryValueInOrder()
    {
        var parsed = Parse("-a", "0000:01:00.0", "--allow=0000:02:00.0", "-a0000:03:00.0");
        Assert.That(parsed.GetValues("--allow"), Is.EqualTo(new[] { "0000:01:00.0", "0000:02:00.0", "0000:03:00.0" }));
        Assert.That(parsed.Occurrences.Select(o => o.Index), Is.EqualTo(new[] { 0, 2, 3 }));
    }

    [Test]
    public void StrOption_RepeatedIsRejected()
    {
        var e = Assert.Throws<EalArgumentException>(() => Parse("-l", "0", "--lcores", "1"))!;
        Assert.That(e.Message, Is.EqualTo("--lcores: may be given only once (already given as '-l'); remove the repeated option"));
        Assert.That(e.Option, Is.EqualTo("--lcores"));
    }

    [Test]
    public void BoolOption_RepeatedIsRejected()
    {
        var e = Assert.Throws<EalArgumentException>(() => Parse("--no-huge", "--no-huge"))!;
        Assert.That(e.Message, Is.EqualTo("--no-huge: may be given only once; remove the repeated option"));
    }

    [Test]
    public void Alias_AndItsTarget_CountAsOneOption()
    {
        var e = Assert.Throws<EalArgumentException>(() => Parse("--numa-mem", "1", "--socket-mem", "2"))!;
        Assert.That(e.Message, Does.Contain("--socket-mem: may be given only once (already given as '--numa-mem')"));
    }

    [Test]
    public void BoolOption_WithValue_IsRejected()
    {
        var e = Assert.Throws<EalArgumentException>(() => Parse("--no-huge=1"))!;
        Assert.That(e.Message, Is.EqualTo("--no-huge: takes no value, but '1' was given; write '--no-huge' alone"));
        var e2 = Assert.Throws<EalArgumentException>(() => Parse("-vx"))!;
        Assert.That(e2.Message, Does.StartWith("-v: takes no value, but 'x' was given"));
    }

    [Test]
    public void OptionalValue_OnlyFromEqualsForm()
    {
        var parsed = Parse("--huge-unlink", "never", "--syslog=local3");
        Assert.That(parsed.GetValues("--huge-unlink"), Is.EqualTo(new string?[] { null }));
        Assert.That(parsed.GetValues("--syslog"), Is.EqualTo(new[] { "local3" }));
        Assert.That(parsed.ApplicationArguments, Is.EqualTo(new[] { "never" }));
        Assert.That(parsed.Consumed, Is.EqualTo(2));
    }

    [Test]
    public void OptionalValue_ShortForm_Glued()
    {
        Assert.That(Parse("-R5").GetValues("-R"), Is.EqualTo(new[] { "5" }));
        Assert.That(Parse("-R").GetValues("-R"), Is.EqualTo(new string?[] { null }));
    }

    [Test]
    public void RequiredValue_Missing_IsRejected()
    {
        var e = Assert.Throws<EalArgumentException>(() => Parse("-l"))!;
        Assert.That(e.Message, Is.EqualTo("-l: requires a value <corelist|lcore map>; write '-l <value>' or '-l=<value>'"));
        var e2 = Assert.Throws<EalArgumentException>(() => Parse("--iova-mode", "--", "app"))!;
        Assert.That(e2.Message, Does.StartWith("--iova-mode: requires a value"));
    }

    [Test]
    public void RequiredValue_NextArgumentIsTakenEvenIfItLooksLikeAnOption()
    {
        Assert.That(Parse("--log-level", "-1").GetValues("--log-level"), Is.EqualTo(new[] { "-1" }));
    }

    [TestCase("--lcore", "--lcore")]
    [TestCase("--no-hug", "--no-hug")]
    [TestCase("-x", "-x")]
    [TestCase("-", "-")]
    [TestCase("--master-lcore=1", "--master-lcore")]
    [TestCase("-w0000:01:00.0", "-w")]
    public void UnknownOrAbbreviated_IsRejected(string arg, string name)
    {
        var e = Assert.Throws<EalArgumentException>(() => Parse(arg))!;
        Assert.That(e.Message, Does.StartWith($"{name}: unknown option '{arg}'; run with --help"));
    }

    [Test]
    public void DoubleDash_EndsEalArguments_AndIsConsumed()
    {
        var parsed = Parse("-l", "0", "--", "--no-huge", "-p", "x");
        Assert.That(parsed.Consumed, Is.EqualTo(3));
        Assert.That(parsed.ApplicationArguments, Is.EqualTo(new[] { "--no-huge", "-p", "x" }));
        Assert.That(parsed.IsPresent("--no-huge"), Is.False);
    }

    [Test]
    public void StrayPositional_IsSkippedAndHandedToTheApplicationFirst()
    {
        var parsed = Parse("app1", "-l", "0", "app2", "--no-huge", "--", "after");
        Assert.That(parsed.Consumed, Is.EqualTo(4));
        Assert.That(parsed.ApplicationArguments, Is.EqualTo(new[] { "app1", "app2", "after" }));
        Assert.That(parsed.IsPresent("--no-huge"), Is.True);
    }

    [Test]
    public void NoArguments_ConsumesNothing()
    {
        var parsed = Parse();
        Assert.That(parsed.Consumed, Is.Zero);
        Assert.That(parsed.ApplicationArguments, Is.Empty);
        Assert.That(parsed.HelpRequested, Is.False);
    }

    [Test]
    public void Help_Version_AndLogLevelHelp_AreFlagged()
    {
        var parsed = Parse("-h", "--help", "-v", "--log-level=help");
        Assert.That(parsed.HelpRequested, Is.True);
        Assert.That(parsed.VersionRequested, Is.True);
        Assert.That(parsed.LogLevelHelpRequested, Is.True);
        Assert.That(parsed.Consumed, Is.EqualTo(4));
    }

    [Test]
    public void EmptyValueForOptionalValue_IsRejected()
    {
        var e = Assert.Throws<EalArgumentException>(() => Parse("--huge-unlink="))!;
        Assert.That(e.Message, Is.EqualTo("--huge-unlink: empty value; write '--huge-unlink' alone or '--huge-unlink=<value>'"));
    }

    [Test]
    public void EveryTableOption_IsAcceptedByItsNames()
    {
        foreach (var d in EalOptionTable.All)
        {
            foreach (string? name in new[] { d.LongName, d.ShortName })
            {
                if (name is null)
                    continue;
                string[] args = d.EffectiveKind is EalOptionKind.Bool or EalOptionKind.OptionalStr ? [name] : [name, "x"];
                var parsed = EalArgumentParser.Parse(args);
                Assert.That(parsed.Occurrences.Single().Option, Is.SameAs(d), name);
                Assert.That(parsed.Consumed, Is.EqualTo(args.Length), name);
            }
        }
    }
}
