namespace Eal.Options;

/// <summary>
/// Parses EAL command-line arguments with the syntax DPDK's <c>rte_argparse</c> accepts for <c>rte_eal_init</c>,
/// driven by <see cref="EalOptionTable"/>. Only the syntax is checked here; values are validated by
/// <see cref="EalSettings.Resolve"/>.
/// </summary>
public static class EalArgumentParser
{
    /// <summary>The argument that ends the EAL options.</summary>
    public const string Terminator = "--";

    /// <summary>Parses <paramref name="args"/> (without the program name).</summary>
    /// <param name="args">The arguments, e.g. <c>["-l", "0-3", "--no-huge", "--", "app-arg"]</c>.</param>
    /// <returns>The options found, the count consumed and the arguments left to the application.</returns>
    /// <exception cref="EalArgumentException">Unknown option, missing or unexpected value, or an option repeated that may not be.</exception>
    public static ParsedEalArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var occurrences = new List<EalArgumentOccurrence>();
        var positional = new List<string>();
        var seen = new Dictionary<EalOptionDefinition, string>();
        bool help = false, logLevelHelp = false;
        int consumed = 0;
        int i = 0;
        for (; i < args.Count; i++)
        {
            string arg = args[i] ?? throw new ArgumentException($"Argument {i} is null.", nameof(args));
            if (arg == Terminator)
            {
                consumed++;
                i++;
                break;
            }
            if (arg.Length == 0 || arg[0] != '-')
            {
                // DPDK (argparse ignore_non_flag_args): skip it, keep parsing, hand it to the application.
                positional.Add(arg);
                continue;
            }

            SplitNameAndValue(arg, out string name, out string? value);
            var option = EalOptionTable.Find(name)
                ?? throw new EalArgumentException(name, null,
                    $"unknown option '{arg}'; run with --help for the list of EAL options" +
                    (name.StartsWith("--", StringComparison.Ordinal) ? " (long names must be written in full)" : ""));
            consumed++;
            int optionIndex = i;

            var canonical = option.Canonical;
            // Help may be repeated (DPDK checks it before anything else).
            if (canonical.Kind != EalOptionKind.List && !ReferenceEquals(option, EalOptionTable.Help) && seen.TryGetValue(canonical, out string? first))
            {
                string also = first == name ? "" : $" (already given as '{first}')";
                throw new EalArgumentException(name, value,
                    $"may be given only once{also}; remove the repeated option");
            }
            seen.TryAdd(canonical, name);

            switch (canonical.Kind)
            {
                case EalOptionKind.Bool:
                    if (value is not null)
                        throw new EalArgumentException(name, value,
                            $"takes no value, but '{value}' was given; write '{name}' alone");
                    break;
                case EalOptionKind.OptionalStr:
                    // A value only in the glued '--opt=value' form: the next argument is never taken.
                    // An empty value is refused so that "" can mean "given without a value" in configuration.
                    if (value is { Length: 0 })
                        throw new EalArgumentException(name, value,
                            $"empty value; write '{name}' alone or '{name}=<value>'");
                    break;
                default:
                    if (value is null)
                    {
                        if (i + 1 >= args.Count || args[i + 1] == Terminator)
                            throw new EalArgumentException(name, null,
                                $"requires a value {option.ValueHint}; write '{name} <value>' or '{name}=<value>'");
                        value = args[++i];
                        consumed++;
                    }
                    break;
            }

            if (ReferenceEquals(option, EalOptionTable.Help))
                help = true;
            if (canonical.LongName == "--log-level" && value == "help")
                logLevelHelp = true;
            occurrences.Add(new EalArgumentOccurrence(option, name, value, optionIndex));
        }

        var application = new List<string>(positional.Count + args.Count - i);
        application.AddRange(positional);
        for (; i < args.Count; i++)
            application.Add(args[i]);
        return new ParsedEalArguments(consumed, application.AsReadOnly(), occurrences.AsReadOnly(), help, logLevelHelp);
    }

    /// <summary>
    /// <c>--name=value</c> and <c>--name</c> for long options; <c>-x</c>, <c>-xvalue</c> and <c>-x=value</c> for short ones.
    /// </summary>
    private static void SplitNameAndValue(string arg, out string name, out string? value)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            name = eq < 0 ? arg : arg[..eq];
            value = eq < 0 ? null : arg[(eq + 1)..];
            return;
        }
        // A short option is always two characters; the rest is its glued value, after an optional '='
        // (unlike DPDK, a glued value may itself contain '=', e.g. -a0000:01:00.0,key=val).
        name = arg.Length >= 2 ? arg[..2] : arg;
        if (arg.Length <= 2)
            value = null;
        else
            value = arg[2] == '=' ? arg[3..] : arg[2..];
    }
}
