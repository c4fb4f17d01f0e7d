using System.Globalization;

namespace Eal.Options;

/// <summary>One EAL option as it appeared on the command line.</summary>
/// <param name="Option">The table row matched (for an alias, the alias row; see <see cref="EalOptionDefinition.Canonical"/>).</param>
/// <param name="NameAsWritten">The name the user typed: <c>-l</c> or <c>--lcores</c>.</param>
/// <param name="Value">The value, or null for a flag or a bare optional-value option.</param>
/// <param name="Index">Index of the option in the argument list given to the parser.</param>
public sealed record EalArgumentOccurrence(EalOptionDefinition Option, string NameAsWritten, string? Value, int Index);

/// <summary>The result of <see cref="EalArgumentParser.Parse"/>.</summary>
public sealed class ParsedEalArguments
{
    internal ParsedEalArguments(
        int consumed, IReadOnlyList<string> applicationArguments, IReadOnlyList<EalArgumentOccurrence> occurrences,
        bool helpRequested, bool logLevelHelpRequested)
    {
        Consumed = consumed;
        ApplicationArguments = applicationArguments;
        Occurrences = occurrences;
        HelpRequested = helpRequested;
        LogLevelHelpRequested = logLevelHelpRequested;
    }

    /// <summary>
    /// The number of arguments EAL consumed (what <c>rte_eal_init</c> returns, without the program name):
    /// options, their separate values and the <c>--</c> terminator. Stray positional arguments are not counted.
    /// </summary>
    public int Consumed { get; }

    /// <summary>
    /// The arguments left to the application: stray positional arguments met among the EAL options (in order),
    /// then everything after <c>--</c>. This is the order DPDK leaves in <c>argv[ret..]</c>.
    /// </summary>
    public IReadOnlyList<string> ApplicationArguments { get; }

    /// <summary>Every option given, in command-line order (<c>-h/--help</c> included).</summary>
    public IReadOnlyList<EalArgumentOccurrence> Occurrences { get; }

    /// <summary><c>-h</c> or <c>--help</c> was given: print <see cref="EalOptionTable.FormatHelp"/> and exit.</summary>
    public bool HelpRequested { get; }

    /// <summary><c>-v</c> or <c>--version</c> was given: log the version.</summary>
    public bool VersionRequested => IsPresent("--version");

    /// <summary><c>--log-level=help</c> was given: list log types and levels and exit (it is not kept as a setting).</summary>
    public bool LogLevelHelpRequested { get; }

    /// <summary>True when the option (any of its names, or its alias) was given.</summary>
    /// <param name="name">A long or short name from <see cref="EalOptionTable"/>.</param>
    public bool IsPresent(string name)
    {
        var canonical = EalOptionTable.Get(name).Canonical;
        return Occurrences.Any(o => ReferenceEquals(o.Option.Canonical, canonical));
    }

    /// <summary>The values given for an option (or its alias), in order; empty when absent.</summary>
    /// <param name="name">A long or short name from <see cref="EalOptionTable"/>.</param>
    public IReadOnlyList<string?> GetValues(string name)
    {
        var canonical = EalOptionTable.Get(name).Canonical;
        return Occurrences.Where(o => ReferenceEquals(o.Option.Canonical, canonical)).Select(o => o.Value).ToList();
    }

    /// <summary>
    /// The settings as configuration key/value pairs under <paramref name="section"/>: a flag is <c>"true"</c>,
    /// a valued option its value, a bare optional-value option <c>""</c>, a list option <c>Key:0</c>, <c>Key:1</c>...
    /// <c>--help</c> and <c>--log-level=help</c> are actions, not settings, and produce no key.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> ToConfigurationData(string section = EalOptions.SectionName)
    {
        string prefix = string.IsNullOrEmpty(section) ? "" : section + ConfigurationDelimiter;
        var listCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var occurrence in Occurrences)
        {
            string? key = occurrence.Option.ConfigurationKey;
            if (key is null)
                continue;
            switch (occurrence.Option.EffectiveKind)
            {
                case EalOptionKind.Bool:
                    yield return KeyValuePair.Create(prefix + key, (string?)"true");
                    break;
                case EalOptionKind.OptionalStr:
                    yield return KeyValuePair.Create(prefix + key, (string?)(occurrence.Value ?? ""));
                    break;
                case EalOptionKind.List:
                    if (occurrence.Option.LongName == "--log-level" && occurrence.Value == "help")
                        break;
                    listCounts.TryGetValue(key, out int n);
                    listCounts[key] = n + 1;
                    yield return KeyValuePair.Create(
                        prefix + key + ConfigurationDelimiter + n.ToString(CultureInfo.InvariantCulture), occurrence.Value);
                    break;
                default:
                    yield return KeyValuePair.Create(prefix + key, occurrence.Value);
                    break;
            }
        }
    }

    private const string ConfigurationDelimiter = ":";
}
