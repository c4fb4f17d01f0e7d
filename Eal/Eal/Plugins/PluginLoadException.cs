namespace Eal.Plugins;

/// <summary>A <c>-d</c> plugin path could not be loaded; the message names the path, the reason and the fix.</summary>
public sealed class PluginLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginLoadException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public PluginLoadException(string message, Exception inner) : base(message, inner) { }
}
