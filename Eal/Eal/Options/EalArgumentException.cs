namespace Eal.Options;

/// <summary>
/// An EAL argument or setting is invalid. The message names the option as the user wrote it, the
/// offending value and what would be valid, e.g. <c>--iova-mode: invalid value 'xx'; expected 'pa' or 'va'</c>.
/// </summary>
public sealed class EalArgumentException : Exception
{
    /// <summary>Creates the exception for an option (as written, e.g. <c>-l</c> or <c>--lcores</c>) and a message.</summary>
    /// <param name="option">The option name as written, or null when the error is not about one option.</param>
    /// <param name="value">The offending value, if any.</param>
    /// <param name="detail">What is wrong and what would be valid; prefixed with <c>option: </c> in <see cref="Exception.Message"/>.</param>
    public EalArgumentException(string? option, string? value, string detail)
        : base(option is null ? detail : option + ": " + detail)
    {
        Option = option;
        Value = value;
    }

    /// <summary>Creates the exception with a complete message.</summary>
    public EalArgumentException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a complete message and an inner exception.</summary>
    public EalArgumentException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message (required by the exception pattern).</summary>
    public EalArgumentException()
    {
    }

    /// <summary>The option the error is about, as written (<c>-l</c>, <c>--lcores</c>), or null.</summary>
    public string? Option { get; }

    /// <summary>The offending value, or null.</summary>
    public string? Value { get; }
}
