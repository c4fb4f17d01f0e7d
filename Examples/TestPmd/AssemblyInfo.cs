using System.Runtime.CompilerServices;

// The integration tests run testpmd in-process (TestPmdApp.Run) and parse its options directly.
[assembly: InternalsVisibleTo("Eal.Integration.Tests")]
[assembly: InternalsVisibleTo("Eal.Benchmarks")]
