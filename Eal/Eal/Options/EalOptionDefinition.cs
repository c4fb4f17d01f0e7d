using System.Text;

namespace Eal.Options;

/// <summary>One row of the <see cref="EalOptionTable"/>: the names, kind, configuration key and help of an EAL option.</summary>
public sealed class EalOptionDefinition
{
    internal EalOptionDefinition(
        string longName, string? shortName, EalOptionKind kind, string? valueHint, string help,
        string? aliasOf = null, bool hasConfigurationKey = true)
    {
        LongName = longName;
        ShortName = shortName;
        Kind = kind;
        ValueHint = valueHint;
        Help = help;
        AliasOf = aliasOf;
        ConfigurationKey = hasConfigurationKey && aliasOf is null ? ToConfigurationKey(longName) : null;
    }

    /// <summary>The long name with its dashes, e.g. <c>--lcores</c>.</summary>
    public string LongName { get; }

    /// <summary>The short name with its dash, e.g. <c>-l</c>, or null.</summary>
    public string? ShortName { get; }

    /// <summary>How the option takes its value.</summary>
    public EalOptionKind Kind { get; }

    /// <summary>A placeholder for the value in help text, e.g. <c>&lt;corelist&gt;</c>; null for flags.</summary>
    public string? ValueHint { get; }

    /// <summary>One line of help.</summary>
    public string Help { get; }

    /// <summary>For <see cref="EalOptionKind.Alias"/>: the long name of the option it stands for; otherwise null.</summary>
    public string? AliasOf { get; }

    /// <summary>
    /// The key under the <c>Eal</c> configuration section (PascalCase of the long name, e.g. <c>NumaMem</c>);
    /// for an alias, the key of its target. Null for actions that are not settings (<c>--help</c>).
    /// </summary>
    public string? ConfigurationKey { get; private set; }

    /// <summary>The option whose setting this one writes: itself, or the target of an alias.</summary>
    public EalOptionDefinition Canonical { get; private set; } = null!;

    /// <summary>The value semantics: the kind of <see cref="Canonical"/>.</summary>
    public EalOptionKind EffectiveKind => Canonical.Kind;

    /// <summary>The names for messages: <c>-l/--lcores</c> or <c>--in-memory</c>.</summary>
    public string DisplayName => ShortName is null ? LongName : ShortName + "/" + LongName;

    internal void Link(EalOptionDefinition canonical)
    {
        Canonical = canonical;
        if (!ReferenceEquals(canonical, this))
            ConfigurationKey = canonical.ConfigurationKey;
    }

    /// <summary><c>--force-max-simd-bitwidth</c> becomes <c>ForceMaxSimdBitwidth</c>.</summary>
    internal static string ToConfigurationKey(string longName)
    {
        var sb = new StringBuilder(longName.Length);
        foreach (string part in longName.TrimStart('-').Split('-'))
        {
            if (part.Length == 0)
                continue;
            sb.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        }
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => DisplayName;
}
