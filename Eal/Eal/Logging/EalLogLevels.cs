using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Eal.Options;
using Microsoft.Extensions.Logging;

namespace Eal.Logging;

/// <summary>DPDK log levels (<c>RTE_LOG_*</c>), with DPDK's numbers.</summary>
public enum DpdkLogLevel
{
    /// <summary><c>RTE_LOG_EMERG</c>.</summary>
    Emergency = 1,
    /// <summary><c>RTE_LOG_ALERT</c>.</summary>
    Alert = 2,
    /// <summary><c>RTE_LOG_CRIT</c>.</summary>
    Critical = 3,
    /// <summary><c>RTE_LOG_ERR</c>.</summary>
    Error = 4,
    /// <summary><c>RTE_LOG_WARNING</c>.</summary>
    Warning = 5,
    /// <summary><c>RTE_LOG_NOTICE</c>.</summary>
    Notice = 6,
    /// <summary><c>RTE_LOG_INFO</c>.</summary>
    Info = 7,
    /// <summary><c>RTE_LOG_DEBUG</c>.</summary>
    Debug = 8,
}

/// <summary>How a <see cref="EalLogLevelRule"/> selects log types.</summary>
public enum EalLogLevelRuleKind
{
    /// <summary><c>--log-level=level</c>: the global level.</summary>
    Global,
    /// <summary><c>--log-level=pattern:level</c>: log types matching a shell glob (fnmatch).</summary>
    Glob,
    /// <summary><c>--log-level=regex,level</c>: log types in which a regular expression matches.</summary>
    Regex,
}

/// <summary>One <c>--log-level</c> argument, parsed.</summary>
/// <param name="Kind">How log types are selected.</param>
/// <param name="Pattern">The glob or regular expression; null for <see cref="EalLogLevelRuleKind.Global"/>.</param>
/// <param name="Level">The level set (values above debug are clamped to debug, as DPDK does).</param>
public sealed record EalLogLevelRule(EalLogLevelRuleKind Kind, string? Pattern, DpdkLogLevel Level);

/// <summary>
/// The <c>--log-level</c> rules with DPDK's semantics, as a filter over logger categories that are DPDK log
/// type names (<c>lib.eal</c>, <c>pmd.net.null</c>, <c>bus.pci</c>). A message is emitted when its level is
/// allowed both by the global level (default debug) and by its log type's level (default info, changed by
/// the last glob/regex rule that matches the type) — so, as in DPDK, <c>--log-level=debug</c> alone does not
/// show debug messages; <c>--log-level=lib.eal:debug</c> or <c>--log-level=*:debug</c> does.
/// </summary>
public sealed class EalLogLevels
{
    /// <summary>DPDK's default global level (<c>RTE_LOG_DEBUG</c>).</summary>
    public const DpdkLogLevel DefaultGlobalLevel = DpdkLogLevel.Debug;

    /// <summary>The default level of a log type no rule matches (<c>RTE_LOG_INFO</c>, DPDK's usual registration level).</summary>
    public const DpdkLogLevel DefaultTypeLevel = DpdkLogLevel.Info;

    private static readonly string[] LevelNames =
        ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"];

    private readonly (EalLogLevelRule Rule, Regex Matcher)[] _typeRules;
    private readonly ConcurrentDictionary<string, DpdkLogLevel> _typeLevelCache = new(StringComparer.Ordinal);

    private EalLogLevels(IReadOnlyList<EalLogLevelRule> rules, DpdkLogLevel global, (EalLogLevelRule, Regex)[] typeRules)
    {
        Rules = rules;
        GlobalLevel = global;
        _typeRules = typeRules;
    }

    /// <summary>No rule: global debug, every type at info.</summary>
    public static EalLogLevels Default { get; } = new([], DefaultGlobalLevel, []);

    /// <summary>The rules, in the order given.</summary>
    public IReadOnlyList<EalLogLevelRule> Rules { get; }

    /// <summary>The global level: the last <see cref="EalLogLevelRuleKind.Global"/> rule, else debug.</summary>
    public DpdkLogLevel GlobalLevel { get; }

    /// <summary>Parses <c>--log-level</c> values in order (later rules override earlier ones).</summary>
    /// <exception cref="EalArgumentException">A value is not <c>level</c>, <c>pattern:level</c> or <c>regex,level</c>
    /// with a valid level, or a regular expression does not compile.</exception>
    public static EalLogLevels Parse(IEnumerable<string> logLevelArgs)
    {
        ArgumentNullException.ThrowIfNull(logLevelArgs);
        var rules = new List<EalLogLevelRule>();
        var typeRules = new List<(EalLogLevelRule, Regex)>();
        DpdkLogLevel global = DefaultGlobalLevel;
        foreach (string arg in logLevelArgs)
        {
            var rule = ParseRule(arg);
            rules.Add(rule);
            switch (rule.Kind)
            {
                case EalLogLevelRuleKind.Global:
                    global = rule.Level;
                    break;
                case EalLogLevelRuleKind.Glob:
                    typeRules.Add((rule, GlobToRegex(rule.Pattern!)));
                    break;
                default:
                    typeRules.Add((rule, CompileRegex(rule.Pattern!, arg)));
                    break;
            }
        }
        return new EalLogLevels(rules.AsReadOnly(), global, typeRules.ToArray());
    }

    /// <summary>Parses one <c>--log-level</c> value; the first <c>,</c> makes it a regex rule, else the first <c>:</c> a glob rule.</summary>
    /// <exception cref="EalArgumentException">The value is invalid.</exception>
    public static EalLogLevelRule ParseRule(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value == "help")
            throw new EalArgumentException("--log-level", value,
                "'help' lists the log types and levels and exits; it is not a level rule and cannot be a setting");
        int comma = value.IndexOf(',', StringComparison.Ordinal);
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (comma >= 0)
            return new EalLogLevelRule(EalLogLevelRuleKind.Regex, value[..comma], ParseLevel(value[(comma + 1)..], value));
        if (colon >= 0)
            return new EalLogLevelRule(EalLogLevelRuleKind.Glob, value[..colon], ParseLevel(value[(colon + 1)..], value));
        return new EalLogLevelRule(EalLogLevelRuleKind.Global, null, ParseLevel(value, value));
    }

    /// <summary>
    /// Parses a level: a prefix of a level name (first match in order emergency, alert, critical, error,
    /// warning, notice, info, debug, so <c>e</c> is emergency and <c>err</c> error) or a number 1..8
    /// (decimal, <c>0x</c> hex or leading-0 octal; larger numbers are clamped to 8).
    /// </summary>
    /// <exception cref="EalArgumentException">Empty, 0, or neither a name prefix nor a number.</exception>
    public static DpdkLogLevel ParseLevel(string level) => ParseLevel(level, level);

    private static DpdkLogLevel ParseLevel(string level, string whole)
    {
        if (level.Length > 0)
        {
            for (int i = 0; i < LevelNames.Length; i++)
            {
                if (LevelNames[i].StartsWith(level, StringComparison.Ordinal))
                    return (DpdkLogLevel)(i + 1);
            }
            if (CNumber.TryParseUnsigned(level, out ulong n) && n > 0)
                return n >= (ulong)DpdkLogLevel.Debug ? DpdkLogLevel.Debug : (DpdkLogLevel)n;
        }
        throw new EalArgumentException("--log-level", whole,
            $"invalid log level '{level}' in '{whole}'; expected a number 1-8 or a level name or its prefix " +
            "(emergency, alert, critical, error, warning, notice, info, debug), as 'level', 'pattern:level' or 'regex,level'");
    }

    /// <summary>The Microsoft.Extensions.Logging threshold for a DPDK level.</summary>
    /// <remarks>EMERG/ALERT/CRIT → Critical, ERR → Error, WARNING → Warning, NOTICE/INFO → Information, DEBUG → Debug.</remarks>
    public static LogLevel ToLogLevel(DpdkLogLevel level) => level switch
    {
        DpdkLogLevel.Emergency or DpdkLogLevel.Alert or DpdkLogLevel.Critical => LogLevel.Critical,
        DpdkLogLevel.Error => LogLevel.Error,
        DpdkLogLevel.Warning => LogLevel.Warning,
        DpdkLogLevel.Notice or DpdkLogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>The level of a log type: the last glob/regex rule that matches it, else <see cref="DefaultTypeLevel"/>.</summary>
    public DpdkLogLevel GetTypeLevel(string logType)
    {
        ArgumentNullException.ThrowIfNull(logType);
        return _typeLevelCache.GetOrAdd(logType, static (type, rules) =>
        {
            var level = DefaultTypeLevel;
            foreach (var (rule, matcher) in rules)
            {
                if (matcher.IsMatch(type))
                    level = rule.Level;
            }
            return level;
        }, _typeRules);
    }

    /// <summary>The effective DPDK level of a log type: the lower of the global level and its type level.</summary>
    public DpdkLogLevel GetEffectiveLevel(string logType)
    {
        var typeLevel = GetTypeLevel(logType);
        return typeLevel < GlobalLevel ? typeLevel : GlobalLevel;
    }

    /// <summary>True when a message of <paramref name="level"/> in <paramref name="category"/> passes the rules.</summary>
    public bool IsEnabled(string category, LogLevel level) =>
        level != LogLevel.None && level >= ToLogLevel(GetEffectiveLevel(category ?? string.Empty));

    private static Regex CompileRegex(string pattern, string whole)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new EalArgumentException("--log-level", whole,
                $"invalid regular expression '{pattern}' in '{whole}' ({e.Message}); " +
                "use 'regex,level', or 'pattern:level' for a shell glob such as 'pmd.net.*:debug'");
        }
    }

    /// <summary>fnmatch(3) without flags: <c>*</c> any run (dots included), <c>?</c> one char, <c>[...]</c>/<c>[!...]</c> classes.</summary>
    internal static Regex GlobToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    int close = glob.IndexOf(']', i + 2 < glob.Length ? i + 2 : glob.Length - 1);
                    if (close < 0 || i + 1 >= glob.Length)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    string body = glob[(i + 1)..close];
                    bool negate = body.StartsWith('!');
                    if (negate)
                        body = body[1..];
                    sb.Append('[').Append(negate ? "^" : "")
                      .Append(body.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("[", @"\[", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                case '\\' when i + 1 < glob.Length:
                    sb.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    /// <summary>Formats the rules back as <c>--log-level</c> values.</summary>
    public override string ToString() => string.Join(' ', Rules.Select(r => r.Kind switch
    {
        EalLogLevelRuleKind.Global => ((int)r.Level).ToString(CultureInfo.InvariantCulture),
        EalLogLevelRuleKind.Glob => r.Pattern + ":" + (int)r.Level,
        _ => r.Pattern + "," + (int)r.Level,
    }));
}
