using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
runner.Load(typeof(Eal.Vfio.Tests.Conformance.ConformanceBase).Assembly, new Dictionary<string, object>());
var result = runner.Run(TestListener.NULL, TestFilter.Empty);
Console.WriteLine($"{result.PassCount} passed, {result.FailCount} failed, {result.SkipCount} skipped");
