using Microsoft.Extensions.Logging;

namespace Eal.Logging;

/// <summary>Logging extensions for DPDK-style <c>--log-level</c> rules.</summary>
public static class EalLoggingBuilderExtensions
{
    /// <summary>
    /// Filters log messages with DPDK's <c>--log-level</c> semantics over logger categories that are DPDK
    /// log type names (see <see cref="EalLogLevels"/>). Globs and regular expressions cannot be plain filter
    /// rules, so this adds one filter function as the catch-all rule; category-specific rules from other
    /// configuration (<c>Logging:LogLevel:bus.pci</c>) are more specific and still take precedence.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <param name="logLevelArgs">The <c>--log-level</c> values in command-line order.</param>
    /// <exception cref="Eal.Options.EalArgumentException">A value is invalid.</exception>
    public static ILoggingBuilder AddDpdkLogLevels(this ILoggingBuilder builder, IEnumerable<string> logLevelArgs)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDpdkLogLevels(EalLogLevels.Parse(logLevelArgs));
    }

    /// <summary>Filters log messages with already-parsed <see cref="EalLogLevels"/>.</summary>
    public static ILoggingBuilder AddDpdkLogLevels(this ILoggingBuilder builder, EalLogLevels levels)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(levels);
        // The filter rule carries no level, so the default minimum (Information) does not hide debug messages.
        builder.SetMinimumLevel(LogLevel.Trace);
        builder.AddFilter((string? _, string? category, LogLevel level) => levels.IsEnabled(category ?? string.Empty, level));
        return builder;
    }
}
