using Eal.Vfio.Native;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>The pairing and documentation rules of the real-vs-emulated errno differential.</summary>
public sealed class ErrnoDifferentialTests
{
    private static readonly Version Kernel612 = new(6, 12, 117);

    private static ErrnoRecord R(string call, string answer, string test = "Case") => new("Type1Conformance", test, call, answer);

    [Test]
    public void RecordLinesRoundTripThroughATestsOutput()
    {
        string output = "noise\n" + ErrnoRecord.Line("MAP_DMA => odd call", -Errno.EINVAL) + "\n" + ErrnoRecord.Line("GET_INFO", 0) + "\r\n";
        var records = ErrnoRecord.Parse("Type1Conformance", "Case", output).ToList();
        Assert.That(records, Is.EqualTo(new[] { R("MAP_DMA => odd call", "EINVAL"), R("GET_INFO", "OK 0") }));
    }

    [Test]
    public void EqualAnswersAreComparedAndDoNotDiffer()
    {
        var result = ErrnoDifferential.Compare([R("a", "EINVAL"), R("b", "ENOTTY")], [R("b", "ENOTTY"), R("a", "EINVAL")], Kernel612, []);
        Assert.That((result.Compared, result.Differences.Count), Is.EqualTo((2, 0)));
    }

    [Test]
    public void ADifferentAnswerIsAnUndocumentedDifference()
    {
        var result = ErrnoDifferential.Compare([R("a", "EINVAL")], [R("a", "ENOTTY")], Kernel612, []);
        Assert.That(result.Undocumented.Single().Real.Answer, Is.EqualTo("EINVAL"));
        Assert.That(result.Undocumented.Single().Emulated.Answer, Is.EqualTo("ENOTTY"));
    }

    [Test]
    public void RepeatedDescriptionsPairByOccurrenceAndOneSidedCallsAreNotCompared()
    {
        var result = ErrnoDifferential.Compare(
            [R("same", "EINVAL"), R("same", "EBUSY"), R("only real", "EFAULT")],
            [R("same", "EINVAL"), R("same", "EEXIST"), R("only emulated", "EFAULT")], Kernel612, []);
        Assert.That(result.Compared, Is.EqualTo(2));
        Assert.That(result.Differences.Single().Real.Answer, Is.EqualTo("EBUSY"));
    }

    [Test]
    public void ADocumentedDifferenceCoversOnlyItsKernelRangeAndAnswer()
    {
        var known = new[] { new KnownErrnoDifference("Type1Conformance", "Case", "a", new Version(6, 8), new Version(6, 12), "ENOTTY", "changed in 6.12") };
        Assert.That(ErrnoDifferential.Compare([R("a", "ENOTTY")], [R("a", "EINVAL")], new Version(6, 10, 3), known).Undocumented, Is.Empty);
        Assert.That(ErrnoDifferential.Compare([R("a", "ENOTTY")], [R("a", "EINVAL")], Kernel612, known).Undocumented.Count(), Is.EqualTo(1), "6.12 is past the range");
        Assert.That(ErrnoDifferential.Compare([R("a", "EBUSY")], [R("a", "EINVAL")], new Version(6, 10), known).Undocumented.Count(), Is.EqualTo(1), "another answer than the documented one");
        Assert.That(ErrnoDifferential.Compare([R("a", "ENOTTY", "Other")], [R("a", "EINVAL", "Other")], new Version(6, 10), known).Undocumented.Count(), Is.EqualTo(1), "another test");
    }
}
