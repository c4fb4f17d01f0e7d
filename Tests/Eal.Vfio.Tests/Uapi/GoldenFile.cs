using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Uapi;

/// <summary>One "header/kind/name=value" line of the golden file.</summary>
internal sealed record GoldenEntry(string Key, string Header, string Kind, string Name, string Value)
{

    public override string ToString() => $"{Key}={Value}";

    public static GoldenEntry Parse(string line)
    {
        int eq = line.IndexOf('=', StringComparison.Ordinal);
        string key = line[..eq];
        string[] parts = key.Split('/', 3);
        return new GoldenEntry(key, parts[0], parts[1], parts.Length > 2 ? parts[2] : "", line[(eq + 1)..]);
    }

    public long ValueAsInt64() => Value.StartsWith("0x", StringComparison.Ordinal)
        ? unchecked((long)ulong.Parse(Value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture))
        : long.Parse(Value, CultureInfo.InvariantCulture);
}

/// <summary>Reads the golden file and maps its C names onto the C# declarations of Eal.Vfio.</summary>
internal static class GoldenFile
{
    public static string PathInOutput => Path.Combine(AppContext.BaseDirectory, "Golden", "uapi-golden.txt");

    public static IReadOnlyList<GoldenEntry> Parse(IEnumerable<string> lines) =>
        lines.Where(l => l.Length > 0 && !l.StartsWith('#')).Select(GoldenEntry.Parse).ToList();

    public static IReadOnlyList<GoldenEntry> Load() => Parse(File.ReadAllLines(PathInOutput));

    public static Version HeadersVersion(IEnumerable<GoldenEntry> entries) =>
        Version.Parse(entries.Single(e => e.Key == "meta/linux-headers").Value);

    public static Assembly Library => typeof(VfioConstants).Assembly;

    /// <summary>VFIO_REGION_INFO_FLAG_READ minus "VFIO_" -> RegionInfoFlagRead; __reserved -> Reserved.</summary>
    public static string Pascal(string cName, params string[] prefixes)
    {
        string name = cName;
        foreach (string prefix in prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                name = name[prefix.Length..];
                break;
            }
        }

        return string.Concat(name.TrimStart('_').Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));
    }

    /// <summary>The C# constant a golden const/ioctl/errno entry names, or null if none is declared.</summary>
    public static FieldInfo? FindConstant(GoldenEntry e) => (e.Header, e.Kind) switch
    {
        ("vfio.h", "const") => Literal(typeof(VfioConstants), Pascal(e.Name, "VFIO_")),
        ("vfio.h", "ioctl") => Literal(typeof(VfioIoctl), Pascal(e.Name, "VFIO_")),
        ("iommufd.h", "const") => Literal(typeof(IommuFdConstants), Pascal(e.Name, "IOMMUFD_", "IOMMU_")),
        ("iommufd.h", "ioctl") => Literal(typeof(IommuFdIoctl), Pascal(e.Name, "IOMMUFD_", "IOMMU_")),
        ("libc", "const") => Literals(typeof(LibC)).SingleOrDefault(f => f.GetCustomAttribute<UapiNameAttribute>()?.CName == e.Name),
        ("libc", "errno") => Literal(typeof(Errno), e.Name),
        _ => null,
    };

    /// <summary>Every C# constant that must be pinned, with the golden key that pins it.</summary>
    public static IEnumerable<(FieldInfo Field, string Key)> AllConstants()
    {
        foreach (var f in Literals(typeof(VfioConstants))) yield return (f, "vfio.h/const/");
        foreach (var f in Literals(typeof(VfioIoctl))) yield return (f, "vfio.h/ioctl/");
        foreach (var f in Literals(typeof(IommuFdConstants))) yield return (f, "iommufd.h/const/");
        foreach (var f in Literals(typeof(IommuFdIoctl))) yield return (f, "iommufd.h/ioctl/");
        foreach (var f in Literals(typeof(LibC))) yield return (f, "libc/const/" + f.GetCustomAttribute<UapiNameAttribute>()?.CName);
        foreach (var f in Literals(typeof(Errno))) yield return (f, "libc/errno/" + f.Name);
    }

    public static IEnumerable<Type> UapiStructs() =>
        Library.GetTypes().Where(t => t.GetCustomAttribute<UapiHeaderAttribute>() is not null);

    public static Type? FindStruct(string header, string cName) => UapiStructs().SingleOrDefault(t =>
    {
        var a = t.GetCustomAttribute<UapiHeaderAttribute>()!;
        return a.Header == header && (a.CName == cName || (a.CName is null && t.Name == Pascal(cName)));
    });

    public static FieldInfo[] InstanceFields(Type t) => t.GetFields(BindingFlags.Public | BindingFlags.Instance);

    public static FieldInfo? FindField(Type t, string cField) =>
        InstanceFields(t).SingleOrDefault(f => f.Name == Pascal(cField));

    public static int SizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    public static int OffsetOf(FieldInfo f) => (int)Marshal.OffsetOf(f.DeclaringType!, f.Name);

    public static Version? Since(MemberInfo m) => m.GetCustomAttribute<UapiSinceAttribute>()?.Version;

    /// <summary>Compares a C# constant with a C value printed as a signed 64-bit number, at the C# type's width.</summary>
    public static bool SameBits(object csharpValue, long goldenValue, out string detail)
    {
        int bits = Marshal.SizeOf(csharpValue.GetType()) * 8;
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        ulong mine = unchecked(Convert.ToUInt64(csharpValue is int or short or long or sbyte
            ? (ulong)Convert.ToInt64(csharpValue, CultureInfo.InvariantCulture)
            : Convert.ToUInt64(csharpValue, CultureInfo.InvariantCulture))) & mask;
        ulong golden = unchecked((ulong)goldenValue);
        // The C value must survive the C# width: zero- or sign-extending the truncated bits gives it back.
        ulong signBit = bits == 64 ? 0 : 1UL << (bits - 1);
        ulong signExtended = (golden & mask & signBit) != 0 ? (golden & mask) | ~mask : golden & mask;
        bool fits = (golden & ~mask) == 0 || signExtended == golden;
        detail = $"C# {csharpValue} ({csharpValue.GetType().Name}) vs C {goldenValue}";
        return fits && mine == (golden & mask);
    }

    private static FieldInfo? Literal(Type t, string name) => Literals(t).SingleOrDefault(f => f.Name == name);

    private static IEnumerable<FieldInfo> Literals(Type t) =>
        t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral);
}
