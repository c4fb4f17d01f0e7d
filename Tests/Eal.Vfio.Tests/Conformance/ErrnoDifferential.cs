using System.Globalization;
using Eal.Vfio.Native;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>
/// One errno-asserting call of a conformance case: which case (base class and test name), which call (its
/// description), and what the kernel answered (an errno name, or <c>OK</c> with the value when it succeeded).
/// </summary>
/// <param name="Base">The abstract case class both twins derive from, e.g. <c>Type1Conformance</c>.</param>
/// <param name="Test">The test name (with its arguments for parameterised cases).</param>
/// <param name="Call">The call's description as the case gives it to <c>AssertErrno</c>.</param>
/// <param name="Answer">The kernel's answer: <c>EINVAL</c>, ..., or <c>OK 0</c>.</param>
public sealed record ErrnoRecord(string Base, string Test, string Call, string Answer)
{
    /// <summary>The prefix of a record line in a test's output.</summary>
    public const string Prefix = "[errno] ";

    private const string Separator = " => ";

    /// <summary>The answer text for a raw kernel result (a value or -errno).</summary>
    public static string AnswerOf(long result) =>
        result < 0 ? Errno.Name((int)-result) : string.Create(CultureInfo.InvariantCulture, $"OK {result}");

    /// <summary>The line a case writes to its output: the call and the answer (the runner knows base and test).</summary>
    public static string Line(string call, long result) => Prefix + call + Separator + AnswerOf(result);

    /// <summary>The records in one test's <paramref name="output"/> (lines written by <see cref="Line"/>).</summary>
    public static IEnumerable<ErrnoRecord> Parse(string baseName, string test, string? output)
    {
        if (string.IsNullOrEmpty(output)) yield break;
        foreach (var line in output.Split('\n'))
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            int at = line.LastIndexOf(Separator, StringComparison.Ordinal);
            if (at < 0) continue;
            yield return new ErrnoRecord(baseName, test, line[Prefix.Length..at], line[(at + Separator.Length)..].TrimEnd('\r'));
        }
    }
}

/// <summary>
/// An errno on which the real kernel legitimately differs from the emulated one (which models Linux 6.12): the
/// kernel versions that answer <see cref="RealAnswer"/> instead, and why. Every other difference is a bug in the
/// emulation (or in the case) and fails the run.
/// </summary>
/// <param name="Base">The case class.</param>
/// <param name="Test">The test name.</param>
/// <param name="Call">The call description.</param>
/// <param name="From">First kernel version (major.minor) that answers <paramref name="RealAnswer"/>.</param>
/// <param name="Before">First version that no longer does (exclusive), or null for "still does".</param>
/// <param name="RealAnswer">What those kernels answer, e.g. <c>ENOTTY</c>.</param>
/// <param name="Why">The kernel change behind it (commit subject or version note).</param>
public sealed record KnownErrnoDifference(string Base, string Test, string Call, Version From, Version? Before, string RealAnswer, string Why)
{
    /// <summary>Whether this entry covers <paramref name="record"/> answered by a kernel of <paramref name="kernel"/>.</summary>
    public bool Covers(ErrnoRecord record, Version kernel)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(kernel);
        var majorMinor = new Version(kernel.Major, Math.Max(kernel.Minor, 0));
        return record.Base == Base && record.Test == Test && record.Call == Call && record.Answer == RealAnswer
            && majorMinor >= From && (Before is null || majorMinor < Before);
    }
}

/// <summary>
/// The errno differential of issue 7: pairs the records of the <c>Real…</c> and <c>Emulated…</c> twin of each case
/// and reports every call the two kernels answered differently.
/// </summary>
public static class ErrnoDifferential
{
    /// <summary>
    /// The documented kernel-version-dependent differences (see docs/real-kernel-conformance.md). The emulated kernel
    /// answers as Linux 6.12 does; an entry names another version range whose answer differs. Empty while every
    /// checked call agrees with the real kernels the suite has run on (6.12.117 in eng/vm).
    /// </summary>
    public static IReadOnlyList<KnownErrnoDifference> Known { get; } = [];

    /// <summary>A call the twins answered differently.</summary>
    /// <param name="Real">The real kernel's record.</param>
    /// <param name="Emulated">The emulated kernel's record.</param>
    /// <param name="Documented">The table entry that explains it, or null (then it fails the run).</param>
    public sealed record Difference(ErrnoRecord Real, ErrnoRecord Emulated, KnownErrnoDifference? Documented);

    /// <summary>The outcome: how many calls were paired and which differ.</summary>
    /// <param name="Compared">Calls answered on both kernels.</param>
    /// <param name="Differences">Every call answered differently, documented or not.</param>
    public sealed record Result(int Compared, IReadOnlyList<Difference> Differences)
    {
        /// <summary>Differences not in the table: each fails the run.</summary>
        public IEnumerable<Difference> Undocumented => Differences.Where(d => d.Documented is null);
    }

    /// <summary>
    /// Pairs <paramref name="real"/> with <paramref name="emulated"/> by (base, test, call, n-th occurrence) and
    /// compares the answers; <paramref name="known"/> (default <see cref="Known"/>) explains differences for a real
    /// kernel of version <paramref name="kernel"/>. Calls only one side reached are not compared: the case that
    /// stopped early has failed already.
    /// </summary>
    public static Result Compare(IEnumerable<ErrnoRecord> real, IEnumerable<ErrnoRecord> emulated, Version kernel,
        IReadOnlyList<KnownErrnoDifference>? known = null)
    {
        known ??= Known;
        var emulatedByKey = Keyed(emulated).ToDictionary(p => p.Key, p => p.Record);
        var differences = new List<Difference>();
        int compared = 0;
        foreach (var (key, r) in Keyed(real))
        {
            if (!emulatedByKey.TryGetValue(key, out var e)) continue;
            compared++;
            if (r.Answer != e.Answer) differences.Add(new Difference(r, e, known.FirstOrDefault(k => k.Covers(r, kernel))));
        }
        return new Result(compared, differences);
    }

    /// <summary>The entry that lets a real kernel of <paramref name="kernel"/> answer <paramref name="answer"/> to this call, or null.</summary>
    public static KnownErrnoDifference? Allowing(string baseName, string test, string call, string answer, Version kernel) =>
        Known.FirstOrDefault(k => k.Covers(new ErrnoRecord(baseName, test, call, answer), kernel));

    // A case may describe two calls alike; the n-th occurrence keeps them apart.
    private static IEnumerable<((string, string, string, int) Key, ErrnoRecord Record)> Keyed(IEnumerable<ErrnoRecord> records)
    {
        var seen = new Dictionary<(string, string, string), int>();
        foreach (var r in records)
        {
            var k = (r.Base, r.Test, r.Call);
            int n = seen.TryGetValue(k, out int c) ? c + 1 : 0;
            seen[k] = n;
            yield return ((r.Base, r.Test, r.Call, n), r);
        }
    }
}
