using System.Globalization;
using Eal.RealKernel.Runner;
using Eal.Vfio.Tests.Conformance;

// realkernel-runner: the conformance and driver twins, in-process, for a VM where `dotnet test` is far too slow.
//   run [--expect MODE[,MODE]] [--results FILE] [--where TEXT]   run every Real…/Emulated… twin, one line per case
//   table FILE... [--out FILE]                                    combine results files into the modes × checks tables
const string Usage = """
    usage: realkernel-runner run [--expect group,cdev|noiommu] [--results FILE] [--where TEXT]
           realkernel-runner table RESULTS... [--out FILE]
      run     runs the Real…/Emulated… twin fixtures of Eal.Vfio.Tests and Eal.Drivers.Tests, prints one line per case,
              the errno differential, then "N passed, N failed"; exits 1 on a failure, an undocumented errno difference,
              no case run, or an --expect mode (group, cdev, noiommu) in which no real case ran
      table   writes the markdown tables (summary and per check) of one or more results files
    """;
try
{
    return args switch
    {
        ["run", .. var rest] => Run(rest),
        ["table", .. var rest] => Table(rest),
        [] => Run([]),
        ["-h" or "--help"] => Print(Usage, 0),
        _ => Print($"realkernel-runner: unknown command '{args[0]}'\n{Usage}", 2),
    };
}
catch (ArgumentException e)
{
    return Print($"realkernel-runner: {e.Message}\n{Usage}", 2);
}

static int Print(string text, int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine(text);
    return code;
}

static string Value(string[] args, ref int i) =>
    i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");

static int Run(string[] args)
{
    var expect = new List<string>();
    string? resultsFile = null, where = null;
    for (int i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--expect":
                foreach (var m in Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    expect.Add(m is "group" or "cdev" or "noiommu" ? m : throw new ArgumentException($"--expect {m}: the modes are group, cdev and noiommu"));
                break;
            case "--results": resultsFile = Value(args, ref i); break;
            case "--where": where = Value(args, ref i); break;
            default: throw new ArgumentException($"unknown option '{args[i]}'");
        }
    }

    var assemblies = new[] { typeof(ConformanceBase).Assembly, typeof(Eal.Drivers.Tests.DriverTarget).Assembly };
    var twins = TwinRun.Discover(assemblies);
    Console.WriteLine($"kernel {Environment.OSVersion.Version}, {twins.Fixtures.Count} twin fixtures, expecting real cases in: {(expect.Count == 0 ? "(none)" : string.Join(", ", expect))}");
    var results = new List<CaseResult>();
    foreach (var assembly in assemblies)
        twins.Run(assembly, t => where is null || t.FullName.Contains(where, StringComparison.OrdinalIgnoreCase), c =>
        {
            results.Add(c);
            Console.WriteLine(c);
        });
    if (resultsFile is not null) File.WriteAllLines(resultsFile, results.Select(r => r.ToTsv()));

    var problems = new List<string>();
    ReportDifferential(results, problems);
    foreach (var mode in expect)
    {
        var real = results.Where(r => r.Kernel == "real" && r.Mode == mode).ToList();
        if (!real.Any(r => r.Outcome != Outcome.Ignored))
            problems.Add($"this boot must provide real {mode} cases, but none ran{(real.Count > 0 ? $" (first reason: {real[0].Message})" : " (no real case has that mode)")}");
    }
    int passed = results.Count(r => r.Outcome == Outcome.Passed), failed = results.Count(r => r.Outcome == Outcome.Failed);
    if (passed + failed == 0) problems.Add("no case ran" + (where is null ? "" : $" (--where {where} matched none)"));
    foreach (var p in problems) Console.WriteLine("error: " + p);
    Console.WriteLine($"{results.Count(r => r.Outcome == Outcome.Ignored)} ignored (real cases need the VM's devices; see the reasons above)");
    // each problem (an undocumented errno difference, a mode this boot had to provide, no case at all) counts as a failure
    Console.WriteLine($"{passed} passed, {failed + problems.Count} failed");
    return failed == 0 && problems.Count == 0 ? 0 : 1;
}

// Prints every call the real and emulated twin answered differently; each undocumented one becomes a problem.
static void ReportDifferential(List<CaseResult> results, List<string> problems)
{
    var ran = results.Where(r => r.Outcome != Outcome.Ignored).ToList();
    var kernel = Environment.OSVersion.Version;
    int compared = 0, undocumented = 0, documented = 0;
    foreach (var mode in ran.Select(r => r.Mode).Distinct())
    {
        var outcome = ErrnoDifferential.Compare(
            ran.Where(r => r.Kernel == "real" && r.Mode == mode).SelectMany(r => r.Errnos),
            ran.Where(r => r.Kernel == "emulated" && r.Mode == mode).SelectMany(r => r.Errnos), kernel);
        compared += outcome.Compared;
        foreach (var d in outcome.Differences)
        {
            string line = $"errno differs ({mode}) {d.Real.Base}.{d.Real.Test}: {d.Real.Call}: real {d.Real.Answer}, emulated {d.Emulated.Answer}";
            if (d.Documented is { } k) { documented++; Console.WriteLine($"{line} — documented for kernel {k.From}{(k.Before is null ? "+" : $"..{k.Before}")}: {k.Why}"); }
            else { undocumented++; Console.WriteLine(line); problems.Add(line + " (fix the emulation, or document a kernel-version difference in ErrnoDifferential.Known)"); }
        }
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"errno differential: {compared} calls answered by both kernels, {undocumented} differ, {documented} documented differences"));
}

static int Table(string[] args)
{
    string? output = null;
    var files = new List<string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (args[i] == "--out") output = Value(args, ref i);
        else files.Add(args[i]);
    }
    if (files.Count == 0) throw new ArgumentException("table needs at least one results file (written by 'run --results FILE')");
    var results = new List<CaseResult>();
    foreach (var f in files)
    {
        if (!File.Exists(f)) throw new ArgumentException($"results file {f} does not exist: did its boot run 'realkernel-runner run --results {f}'?");
        results.AddRange(File.ReadAllLines(f).Where(l => l.Length > 0).Select(l => CaseResult.FromTsv(l, f)));
    }
    string text = $"### Summary (passed/run per case class)\n\n{ModesTable.Summary(results)}\n### Every check\n\n{ModesTable.Detailed(results)}";
    if (output is null) Console.Write(text);
    else File.WriteAllText(output, text);
    return 0;
}
