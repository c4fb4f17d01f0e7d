namespace Eal.Vfio.Uapi;

/// <summary>
/// A uAPI buffer (an info struct with its capability chain, or a struct with a variable-length tail) is
/// malformed: an offset or count points outside the bytes the kernel (or the emulated kernel) said it filled.
/// </summary>
public sealed class UapiFormatException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public UapiFormatException() : base("Malformed uAPI buffer.") { }

    /// <summary>Creates the exception with a message that says what is wrong and where.</summary>
    public UapiFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public UapiFormatException(string message, Exception innerException) : base(message, innerException) { }
}
