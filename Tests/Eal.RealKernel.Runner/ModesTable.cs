using System.Globalization;
using System.Text;

namespace Eal.RealKernel.Runner;

/// <summary>
/// The modes × checks tables of docs/real-kernel-conformance.md, built from the results of every boot: columns are
/// group, cdev and no-IOMMU, each on the real and the emulated kernel; an emulated case that ran in several boots
/// counts once per boot, and a cell shows a failure if any boot failed it.
/// </summary>
internal static class ModesTable
{
    private static readonly string[] Modes = ["group", "cdev", "noiommu", "any"];
    private static readonly string[] Kernels = ["real", "emulated"];

    /// <summary>One row per check: pass, FAIL, ignored (with no real run in that mode), or blank when the check has no such column.</summary>
    public static string Detailed(IReadOnlyList<CaseResult> results)
    {
        var columns = Columns(results);
        var sb = new StringBuilder();
        Header(sb, "check", columns);
        foreach (var check in results.GroupBy(r => r.Check).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append("| `").Append(check.Key).Append('`');
            foreach (var (mode, kernel) in columns)
                sb.Append(" | ").Append(Cell(check.Where(r => r.Mode == mode && r.Kernel == kernel).ToList()));
            sb.AppendLine(" |");
        }
        return sb.ToString();
    }

    /// <summary>One row per case class: passed/run per column (run = not ignored), for the README.</summary>
    public static string Summary(IReadOnlyList<CaseResult> results)
    {
        var columns = Columns(results);
        var sb = new StringBuilder();
        Header(sb, "cases", columns);
        foreach (var group in results.GroupBy(r => r.Base).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append("| ").Append(group.Key);
            foreach (var (mode, kernel) in columns)
            {
                var cell = group.Where(r => r.Mode == mode && r.Kernel == kernel).GroupBy(r => r.Test).Select(Merge).ToList();
                int run = cell.Count(o => o != Outcome.Ignored), passed = cell.Count(o => o == Outcome.Passed);
                sb.Append(" | ").Append(run == 0 ? (cell.Count == 0 ? "" : "–") : string.Create(CultureInfo.InvariantCulture, $"{passed}/{run}{(passed < run ? " ✗" : "")}"));
            }
            sb.AppendLine(" |");
        }
        return sb.ToString();
    }

    private static List<(string Mode, string Kernel)> Columns(IReadOnlyList<CaseResult> results) =>
        Modes.Where(m => m != "any" || results.Any(r => r.Mode == "any"))
            .SelectMany(m => Kernels.Select(k => (m, k))).ToList();

    private static void Header(StringBuilder sb, string first, List<(string Mode, string Kernel)> columns)
    {
        sb.Append("| ").Append(first);
        foreach (var (mode, kernel) in columns) sb.Append(" | ").Append(mode == "noiommu" ? "no-IOMMU" : mode).Append(' ').Append(kernel);
        sb.AppendLine(" |");
        sb.Append("|---");
        foreach (var _ in columns) sb.Append("|:---:");
        sb.AppendLine("|");
    }

    // Several boots may run the same case (the emulated twins run in each): a failure anywhere wins, then a pass.
    private static Outcome Merge(IEnumerable<CaseResult> runs)
    {
        var all = runs.Select(r => r.Outcome).ToList();
        return all.Contains(Outcome.Failed) ? Outcome.Failed : all.Contains(Outcome.Passed) ? Outcome.Passed : Outcome.Ignored;
    }

    private static string Cell(List<CaseResult> runs) => runs.Count == 0 ? "" : Merge(runs) switch
    {
        Outcome.Passed => "pass",
        Outcome.Failed => "**FAIL**",
        _ => "–",
    };
}
