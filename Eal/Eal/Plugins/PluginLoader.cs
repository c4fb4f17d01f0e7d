using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;

namespace Eal.Plugins;

/// <summary>A plugin assembly loaded with <c>-d</c>.</summary>
/// <param name="Path">The assembly file.</param>
/// <param name="Assembly">The loaded assembly.</param>
/// <param name="Context">Its own load context.</param>
/// <param name="Registration">The object that registered its services.</param>
public sealed record LoadedPlugin(string Path, Assembly Assembly, AssemblyLoadContext Context, IEalPlugin Registration);

/// <summary>
/// Loads third-party bus/driver assemblies named by <c>-d &lt;file|dir&gt;</c>, each in its own
/// <see cref="AssemblyLoadContext"/>. Only the framework's own assemblies (<c>Eal.*</c>) and the
/// Microsoft.Extensions abstractions they expose are shared with the host; everything else a plugin ships
/// stays private to it.
/// </summary>
public sealed class PluginLoader
{
    private static readonly Assembly Contracts = typeof(EalPluginAttribute).Assembly;

    /// <summary>The contracts version this host provides.</summary>
    public static Version ContractsVersion { get; } = Contracts.GetName().Version ?? new Version(0, 0);

    /// <summary>Expands <c>-d</c> values into plugin files, in order; checks existence and permissions.</summary>
    /// <exception cref="PluginLoadException">A path is missing, insecure, or a directory holds no plugin.</exception>
    public static IReadOnlyList<string> ResolvePaths(IEnumerable<string> driverPaths)
    {
        var files = new List<string>();
        foreach (var raw in driverPaths)
        {
            string path = Path.GetFullPath(raw);
            if (Directory.Exists(path))
            {
                VerifyNotWorldWritable(raw, path);
                var candidates = Directory.GetFiles(path, "*.dll").Order(StringComparer.Ordinal).ToList();
                int before = files.Count;
                foreach (var file in candidates)
                {
                    var info = PluginInspector.Inspect(file, Contracts.GetName().Name!);
                    if (info is { HasPluginAttribute: true }) files.Add(file);
                }
                if (files.Count == before)
                    throw new PluginLoadException(
                        $"-d {raw}: the directory holds no plugin assembly (no *.dll carries [assembly: EalPlugin(...)]); " +
                        "point -d at the plugin's .dll or at the folder it was published to");
            }
            else if (File.Exists(path))
            {
                VerifyNotWorldWritable(raw, path);
                files.Add(path);
            }
            else
            {
                throw new PluginLoadException($"-d {raw}: no such file or directory; give the path of a plugin .dll or of a folder of plugins");
            }
        }
        return files;
    }

    /// <summary>
    /// Loads every plugin named by <paramref name="driverPaths"/> and lets each register its services.
    /// </summary>
    /// <exception cref="PluginLoadException">A plugin cannot be loaded; nothing of it was registered.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Plugins are code the trimmer never saw; -d is refused when dynamic code is unsupported.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The registration type comes from a plugin assembly loaded at run time.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Refused up front when dynamic code is unsupported.")]
    public IReadOnlyList<LoadedPlugin> Load(IEnumerable<string> driverPaths, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var files = ResolvePaths(driverPaths);
        if (files.Count == 0) return [];
        if (!RuntimeFeature.IsDynamicCodeSupported)
            throw new PluginLoadException("-d: plugins cannot be loaded in a native AOT build; reference the bus/driver packages and call their Add* methods instead");

        var loaded = new List<LoadedPlugin>();
        foreach (var file in files)
            loaded.Add(LoadOne(file, services));
        return loaded;
    }

    [RequiresUnreferencedCode("Loads and activates plugin types by reflection.")]
    [RequiresDynamicCode("Loads plugin assemblies at run time.")]
    private static LoadedPlugin LoadOne(string file, IServiceCollection services)
    {
        var info = PluginInspector.Inspect(file, Contracts.GetName().Name!)
            ?? throw new PluginLoadException($"-d {file}: not a .NET assembly (no CLI metadata); -d takes plugin assemblies (.dll) built against {Contracts.GetName().Name}");
        if (!info.HasPluginAttribute)
            throw new PluginLoadException($"-d {file}: assembly '{info.AssemblyName}' is not an EAL plugin: it has no [assembly: EalPlugin(typeof(...))] naming its registration type");
        CheckContractsVersion(file, info.ContractsVersion);

        var context = new PluginLoadContext(file);
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyPath(file);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException)
        {
            throw new PluginLoadException($"-d {file}: cannot load assembly: {ex.Message}", ex);
        }

        var attribute = assembly.GetCustomAttribute<EalPluginAttribute>()
            ?? throw new PluginLoadException($"-d {file}: the EalPlugin attribute does not bind to this host's {Contracts.GetName().Name}; rebuild the plugin against version {ContractsVersion}");
        var type = attribute.RegistrationType;
        if (!typeof(IEalPlugin).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
            throw new PluginLoadException($"-d {file}: registration type {type.FullName} must be a concrete class implementing {nameof(IEalPlugin)} with a public parameterless constructor");

        IEalPlugin registration;
        try
        {
            registration = (IEalPlugin)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex)
        {
            throw new PluginLoadException($"-d {file}: constructor of {type.FullName} failed: {ex.InnerException?.Message}", ex.InnerException ?? ex);
        }

        // Register into a scratch collection first so a throwing plugin leaves the host's services untouched.
        var scratch = new ServiceCollection();
        try
        {
            registration.Register(scratch);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new PluginLoadException($"-d {file}: {type.FullName}.Register failed: {ex.Message}", ex);
        }
        foreach (var descriptor in scratch) services.Add(descriptor);
        return new LoadedPlugin(file, assembly, context, registration);
    }

    private static void CheckContractsVersion(string file, Version? built)
    {
        string contracts = Contracts.GetName().Name!;
        if (built is null)
            throw new PluginLoadException($"-d {file}: the assembly does not reference {contracts}; an EAL plugin must be built against it");
        // Same major, and not newer than the host: a plugin may use only what this host provides.
        if (built.Major != ContractsVersion.Major || built > ContractsVersion)
            throw new PluginLoadException(
                $"-d {file}: built against {contracts} {built} but this host provides {ContractsVersion}; " +
                $"rebuild the plugin against {contracts} {ContractsVersion.Major}.x (at most {ContractsVersion})");
    }

    /// <summary>
    /// DPDK refuses plugin paths any component of which is world-writable (<c>verify_perms</c>): anyone could
    /// swap the code this process runs.
    /// </summary>
    private static void VerifyNotWorldWritable(string raw, string fullPath)
    {
        for (string? p = fullPath; p is not null; p = Path.GetDirectoryName(p))
        {
            var mode = File.GetUnixFileMode(p);
            if ((mode & UnixFileMode.OtherWrite) != 0)
            {
                string what = p == fullPath && File.Exists(p) ? "file" : "directory";
                throw new PluginLoadException(
                    $"-d {raw}: {what} {p} is world-writable and insecure; keep plugins where only their owner can write (chmod o-w {p}, or move them)");
            }
        }
    }

    private sealed class PluginLoadContext : AssemblyLoadContext
    {
        private readonly AssemblyDependencyResolver _resolver;

        public PluginLoadContext(string pluginPath) : base($"EalPlugin:{Path.GetFileNameWithoutExtension(pluginPath)}")
            => _resolver = new AssemblyDependencyResolver(pluginPath);

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only reached after Load checked that dynamic code is supported.")]
        protected override Assembly? Load(AssemblyName name)
        {
            // The framework is shared so that plugin types bind to the host's contracts (one Bus, one Driver type).
            if (IsShared(name)) return null;
            string? path = _resolver.ResolveAssemblyToPath(name);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        protected override nint LoadUnmanagedDll(string unmanagedDllName)
        {
            string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path is null ? 0 : LoadUnmanagedDllFromPath(path);
        }

        private static bool IsShared(AssemblyName name)
        {
            string n = name.Name ?? string.Empty;
            return n == "Eal" || n.StartsWith("Eal.", StringComparison.Ordinal)
                || n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal);
        }
    }
}
