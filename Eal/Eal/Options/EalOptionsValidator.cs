using Eal.Platform;
using Microsoft.Extensions.Options;

namespace Eal.Options;

/// <summary>
/// Validates <see cref="EalOptions"/> with exactly the checks and messages of <see cref="EalSettings.Resolve"/>,
/// so settings from JSON or environment variables fail at start (<c>ValidateOnStart</c>) like bad arguments do.
/// </summary>
public sealed class EalOptionsValidator : IValidateOptions<EalOptions>
{
    private readonly CpuTopology _cpus;

    /// <summary>Creates the validator for a machine's CPUs.</summary>
    public EalOptionsValidator(CpuTopology cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        _cpus = cpus;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            EalSettings.Resolve(options, _cpus);
            return ValidateOptionsResult.Success;
        }
        catch (EalArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
