using System.Globalization;
using Eal.Vfio.Tests.Conformance;

namespace Eal.RealKernel.Runner;

/// <summary>How a case ended.</summary>
internal enum Outcome
{
    /// <summary>Every assertion held.</summary>
    Passed,

    /// <summary>An assertion failed or the case threw.</summary>
    Failed,

    /// <summary>Not run: the machine lacks the device or mode (a real twin outside the VM, or the other boot's mode).</summary>
    Ignored,
}

/// <summary>One case of one twin: which kernel, which VFIO mode, which check, and how it ended.</summary>
/// <param name="Kernel"><c>real</c> or <c>emulated</c>.</param>
/// <param name="Mode"><c>group</c>, <c>cdev</c>, <c>noiommu</c>, or <c>any</c> when the case names no mode.</param>
/// <param name="Base">The abstract case class both twins derive from.</param>
/// <param name="Test">The test name.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Message">The failure or ignore reason (first line), empty when it passed.</param>
internal sealed record CaseResult(string Kernel, string Mode, string Base, string Test, Outcome Outcome, string Message)
{
    /// <summary>The errno records the case wrote (see <see cref="ErrnoRecord"/>).</summary>
    public IReadOnlyList<ErrnoRecord> Errnos { get; init; } = [];

    /// <summary>The rest of a failure's message (expected/actual), printed indented under the case's line.</summary>
    public string Details { get; init; } = string.Empty;

    /// <summary>The check's name in reports: <c>Base.Test</c>.</summary>
    public string Check => $"{Base}.{Test}";

    /// <summary>One tab-separated line for the results file that <c>table</c> combines across boots.</summary>
    public string ToTsv() => string.Join('\t', Kernel, Mode, Base, Test, Outcome.ToString().ToLowerInvariant(), Message.Replace('\t', ' '));

    /// <summary>Reads a line written by <see cref="ToTsv"/>.</summary>
    /// <exception cref="FormatException">The line has fewer than five fields or an unknown outcome.</exception>
    public static CaseResult FromTsv(string line, string source)
    {
        var f = line.Split('\t');
        if (f.Length < 5 || !Enum.TryParse<Outcome>(f[4], ignoreCase: true, out var outcome))
            throw new FormatException($"{source}: '{line}' is not a results line (kernel, mode, base, test, outcome[, message] separated by tabs); regenerate it with 'realkernel-runner run --results'");
        return new CaseResult(f[0], f[1], f[2], f[3], outcome, f.Length > 5 ? f[5] : string.Empty);
    }

    /// <summary>The line printed as the case finishes.</summary>
    public override string ToString()
    {
        string tag = Outcome switch { Outcome.Passed => "pass", Outcome.Failed => "FAIL", _ => "skip" };
        string why = Message.Length == 0 ? string.Empty : " — " + Message;
        string line = string.Create(CultureInfo.InvariantCulture, $"{tag} {Kernel,-8} {Mode,-7} {Check}{why}");
        return Details.Length == 0 ? line : line + "\n" + string.Join('\n', Details.Split('\n').Select(l => "     " + l.TrimEnd()).Where(l => l.Trim().Length > 0));
    }
}
