using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Eal.Integration.Tests")]
