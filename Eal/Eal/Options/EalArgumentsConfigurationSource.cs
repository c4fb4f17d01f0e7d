using Microsoft.Extensions.Configuration;

namespace Eal.Options;

/// <summary>
/// An <see cref="IConfigurationSource"/> over parsed EAL arguments: each option becomes a key under the
/// <c>Eal</c> section (<c>Eal:Lcores</c>, <c>Eal:Allow:0</c>, <c>Eal:NoHuge</c> = <c>true</c>), so command-line
/// settings layer over JSON or environment variables like any other source.
/// </summary>
public sealed class EalArgumentsConfigurationSource : IConfigurationSource
{
    /// <summary>Creates the source.</summary>
    /// <param name="arguments">The parsed arguments.</param>
    /// <param name="section">The section the keys are placed under; <see cref="EalOptions.SectionName"/> by default.</param>
    public EalArgumentsConfigurationSource(ParsedEalArguments arguments, string section = EalOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(section);
        Arguments = arguments;
        Section = section;
    }

    /// <summary>The parsed arguments.</summary>
    public ParsedEalArguments Arguments { get; }

    /// <summary>The section the keys are placed under.</summary>
    public string Section { get; }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new EalArgumentsConfigurationProvider(this);
}

/// <summary>The provider built by <see cref="EalArgumentsConfigurationSource"/>.</summary>
internal sealed class EalArgumentsConfigurationProvider : ConfigurationProvider
{
    private readonly EalArgumentsConfigurationSource _source;

    public EalArgumentsConfigurationProvider(EalArgumentsConfigurationSource source) => _source = source;

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in _source.Arguments.ToConfigurationData(_source.Section))
            data[key] = value;
        Data = data;
    }
}

/// <summary>Configuration extensions for EAL arguments.</summary>
public static class EalConfigurationExtensions
{
    /// <summary>Adds already-parsed EAL arguments as a configuration source (keys under <c>Eal</c>).</summary>
    public static IConfigurationBuilder AddEalArguments(this IConfigurationBuilder builder, ParsedEalArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new EalArgumentsConfigurationSource(arguments));
    }

    /// <summary>Parses EAL arguments (without the program name) and adds them as a configuration source.</summary>
    /// <exception cref="EalArgumentException">The arguments do not parse.</exception>
    public static IConfigurationBuilder AddEalArguments(this IConfigurationBuilder builder, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new EalArgumentsConfigurationSource(EalArgumentParser.Parse(args)));
    }

    /// <summary>
    /// Binds the <c>Eal</c> section of <paramref name="configuration"/> to a new <see cref="EalOptions"/>
    /// (source-generated binder, AOT-safe). Missing keys keep their defaults.
    /// </summary>
    public static EalOptions GetEalOptions(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new EalOptions();
        configuration.GetSection(EalOptions.SectionName).Bind(options);
        return options;
    }
}
