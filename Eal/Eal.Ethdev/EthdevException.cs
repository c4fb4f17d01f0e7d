namespace Eal.Ethdev;

/// <summary>An ethdev operation was refused; the message names the port, what was wrong and what is valid.</summary>
public sealed class EthdevException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EthdevException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public EthdevException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public EthdevException() { }
}
