using System.Reflection;
using Eal.Vfio.Tests.Conformance;
using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Eal.RealKernel.Runner;

/// <summary>
/// Runs, in-process through NUnit's framework API (no vstest, no test host), every twin fixture of the given test
/// assemblies: a concrete <c>Real&lt;Base&gt;</c> and <c>Emulated&lt;Base&gt;</c> pair deriving from the abstract
/// <c>Base</c> that holds the cases. A fixture whose twin is missing is an error, not silently dropped.
/// </summary>
internal sealed class TwinRun
{
    private const string RealPrefix = "Real", EmulatedPrefix = "Emulated";
    private readonly HashSet<Type> _fixtures;

    private TwinRun(HashSet<Type> fixtures) => _fixtures = fixtures;

    /// <summary>The twin fixture types found.</summary>
    public IReadOnlyCollection<Type> Fixtures => _fixtures;

    /// <summary>Finds the twins in <paramref name="assemblies"/>.</summary>
    /// <exception cref="InvalidOperationException">A Real or Emulated fixture has no twin.</exception>
    public static TwinRun Discover(IEnumerable<Assembly> assemblies)
    {
        var twins = new HashSet<Type>();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.IsAbstract || type.BaseType is not { IsAbstract: true } baseType) continue;
            string? prefix = type.Name == RealPrefix + baseType.Name ? RealPrefix : type.Name == EmulatedPrefix + baseType.Name ? EmulatedPrefix : null;
            if (prefix is null) continue;
            string twin = (prefix == RealPrefix ? EmulatedPrefix : RealPrefix) + baseType.Name;
            if (!type.Assembly.GetTypes().Any(t => t.Name == twin && t.BaseType == baseType))
                throw new InvalidOperationException($"{type.FullName} has no twin {twin} deriving from {baseType.Name}: add it beside the other (see docs/real-kernel-conformance.md)");
            twins.Add(type);
        }
        return new TwinRun(twins);
    }

    /// <summary>Runs the twins of <paramref name="assembly"/>, reporting each finished case to <paramref name="finished"/>.</summary>
    public void Run(Assembly assembly, Func<ITest, bool> select, Action<CaseResult> finished)
    {
        var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
        runner.Load(assembly, new Dictionary<string, object>());
        runner.Run(new Listener(this, finished), new Filter(this, select));
    }

    private bool IsTwin(ITest test) => test.TypeInfo?.Type is { } t && _fixtures.Contains(t);

    /// <summary>The result of a finished case, or null for suites.</summary>
    private CaseResult? ToCase(ITestResult result)
    {
        var test = result.Test;
        if (test.IsSuite || test.TypeInfo?.Type is not { } fixture || !_fixtures.Contains(fixture)) return null;
        string kernel = fixture.Name.StartsWith(RealPrefix, StringComparison.Ordinal) ? "real" : "emulated";
        string baseName = fixture.BaseType!.Name;
        var outcome = result.ResultState.Status switch
        {
            TestStatus.Passed => Outcome.Passed,
            TestStatus.Skipped => Outcome.Ignored,
            _ => Outcome.Failed, // failed, inconclusive, warning: anything short of a pass is not one
        };
        string message = (result.Message ?? string.Empty).Trim();
        int eol = message.IndexOf('\n', StringComparison.Ordinal);
        string details = eol >= 0 && outcome == Outcome.Failed ? message[(eol + 1)..] : string.Empty;
        if (eol >= 0) message = message[..eol].TrimEnd();
        if (outcome == Outcome.Failed && message.Length == 0) message = result.ResultState.ToString();
        return new CaseResult(kernel, ModeOf(test, fixture), baseName, test.Name, outcome, message)
        {
            Details = details,
            Errnos = ErrnoRecord.Parse(baseName, test.Name, result.Output).ToList(),
        };
    }

    /// <summary>
    /// The VFIO mode a case exercises: a mode value among the fixture's or the test's arguments (fixtures that run
    /// in several modes take it as a parameter); otherwise a conformance fixture's own <see cref="ConformanceBase.Mode"/>;
    /// otherwise a mode word in the test's full name; otherwise <c>any</c>.
    /// </summary>
    internal static string ModeOf(ITest test, Type fixture)
    {
        foreach (var argument in (test.Parent?.Arguments ?? []).Concat(test.Arguments))
            if (argument is Enum e && e.GetType().Name is "VfioMode" or "VfioFlavour") return e.ToString().ToLowerInvariant();
        if (typeof(ConformanceBase).IsAssignableFrom(fixture) && fixture.GetConstructor(Type.EmptyTypes) is { } constructor)
            return ((ConformanceBase)constructor.Invoke(null)).Mode.ToString().ToLowerInvariant();
        string name = test.FullName.ToLowerInvariant();
        foreach (var mode in new[] { "noiommu", "cdev", "group" })
            if (name.Contains(mode, StringComparison.Ordinal)) return mode;
        return "any";
    }

    private sealed class Filter(TwinRun run, Func<ITest, bool> select) : TestFilter
    {
        // cases only: NUnit passes a suite when a descendant matches, and would run all of a matching suite's children
        public override bool Match(ITest test) => !test.IsSuite && run.IsTwin(test) && select(test);

        public override TNode AddToXml(TNode parentNode, bool recursive) => parentNode.AddElement("twins");
    }

    private sealed class Listener(TwinRun run, Action<CaseResult> finished) : ITestListener
    {
        public void TestStarted(ITest test) { }

        public void TestFinished(ITestResult result)
        {
            if (run.ToCase(result) is { } c) finished(c);
        }

        public void TestOutput(TestOutput output) { }

        public void SendMessage(TestMessage message) { }
    }
}
