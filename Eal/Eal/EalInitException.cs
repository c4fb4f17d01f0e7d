namespace Eal;

/// <summary>EAL initialisation failed; the message says what, where and how to fix it. Everything opened was released.</summary>
public sealed class EalInitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EalInitException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public EalInitException(string message, Exception inner) : base(message, inner) { }
}
