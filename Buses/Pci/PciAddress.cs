using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Eal.Devargs;

namespace Eal.Bus.Pci;

/// <summary>
/// A PCI address <c>domain:bus:device.function</c> (DPDK's <c>struct rte_pci_addr</c>). Parses
/// <c>DDDD:BB:DD.F</c> and <c>BB:DD.F</c> (hex fields; a missing domain is 0) and prints
/// <c>%04x:%02x:%02x.%x</c>. Ordered like <c>rte_pci_addr_cmp</c>: domain, bus, device, function.
/// </summary>
/// <remarks>
/// Stricter than DPDK's <c>rte_pci_addr_parse</c>, on purpose (see <c>docs/devargs.md</c>): the device must be
/// 0-31 and the function 0-7 as the PCI spec allows (DPDK takes any byte); every field needs at least one hex digit
/// (DPDK reads an empty bus or device as 0); the domain has 1-8 hex digits, bus and device 1-2, the function 1;
/// no <c>0x</c>, sign or white space (DPDK's <c>strtoul</c> accepts them).
/// </remarks>
public readonly struct PciAddress : IEquatable<PciAddress>, IComparable<PciAddress>, ISpanFormattable
{
    /// <summary>Highest device number (5 bits).</summary>
    public const int MaxDevice = 31;

    /// <summary>Highest function number (3 bits; ARI is not modelled).</summary>
    public const int MaxFunction = 7;

    /// <summary>Creates an address, checking every field's range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Device above 31 or function above 7.</exception>
    public PciAddress(uint domain, byte bus, byte device, byte function)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(device, (byte)MaxDevice);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(function, (byte)MaxFunction);
        Domain = domain;
        Bus = bus;
        Device = device;
        Function = function;
    }

    /// <summary>PCI segment (domain), up to 32 bits as in DPDK.</summary>
    public uint Domain { get; }

    /// <summary>Bus number 0-255.</summary>
    public byte Bus { get; }

    /// <summary>Device number 0-31.</summary>
    public byte Device { get; }

    /// <summary>Function number 0-7.</summary>
    public byte Function { get; }

    /// <summary>Parses <c>DDDD:BB:DD.F</c> or <c>BB:DD.F</c>.</summary>
    /// <exception cref="FormatException">The text is not such an address; the message says which part is wrong.</exception>
    public static PciAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var address, out var error))
            throw new FormatException(error);
        return address;
    }

    /// <summary>Parses <c>DDDD:BB:DD.F</c> or <c>BB:DD.F</c> without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PciAddress address) =>
        TryParse(text, out address, out _);

    /// <summary>Parses without throwing; <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PciAddress address, [NotNullWhen(false)] out string? error)
    {
        address = default;
        if (text is null)
        {
            error = "no PCI address given; expected DDDD:BB:DD.F or BB:DD.F (hex), e.g. 0000:01:00.0";
            return false;
        }
        ReadOnlySpan<char> s = text;
        int dot = s.LastIndexOf('.');
        if (dot < 0)
            return Fail(text, "no '.' before the function", out error);
        ReadOnlySpan<char> head = s[..dot];
        ReadOnlySpan<char> fn = s[(dot + 1)..];
        int c2 = head.LastIndexOf(':');
        if (c2 < 0)
            return Fail(text, "no ':' between bus and device", out error);
        ReadOnlySpan<char> dev = head[(c2 + 1)..];
        ReadOnlySpan<char> rest = head[..c2];
        int c1 = rest.LastIndexOf(':');
        ReadOnlySpan<char> bus = c1 < 0 ? rest : rest[(c1 + 1)..];
        ReadOnlySpan<char> dom = c1 < 0 ? "0" : rest[..c1];

        if (!Hex(dom, 8, out uint d))
            return Fail(text, $"domain '{dom}' is not 1-8 hex digits", out error);
        if (!Hex(bus, 2, out uint b))
            return Fail(text, $"bus '{bus}' is not 1-2 hex digits", out error);
        if (!Hex(dev, 2, out uint v))
            return Fail(text, $"device '{dev}' is not 1-2 hex digits", out error);
        if (v > MaxDevice)
            return Fail(text, $"device 0x{v:x} is above 0x1f (a PCI device number has 5 bits)", out error);
        if (!Hex(fn, 1, out uint f) || f > MaxFunction)
            return Fail(text, $"function '{fn}' is not a digit 0-7", out error);
        address = new PciAddress(d, (byte)b, (byte)v, (byte)f);
        error = null;
        return true;
    }

    private static bool Hex(ReadOnlySpan<char> s, int maxDigits, out uint value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > maxDigits) return false;
        foreach (char c in s)
            if (!char.IsAsciiHexDigit(c)) return false;
        return uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static bool Fail(string text, string why, out string error)
    {
        error = $"invalid PCI address \"{text}\": {why}; expected DDDD:BB:DD.F or BB:DD.F in hex " +
                "(device 00-1f, function 0-7), e.g. 0000:01:00.0";
        return false;
    }

    /// <summary>
    /// The device name a PCI bus layer of layered devargs names (DPDK's <c>rte_pci_devargs_parse</c>): the
    /// <c>addr</c> key normalised to <c>DDDD:BB:DD.F</c>, or empty when the layer has no <c>addr=value</c>.
    /// </summary>
    /// <exception cref="DevargsException">The <c>addr</c> value is not a PCI address.</exception>
    public static string DeviceNameFromBusLayer(KvArgs busLayer)
    {
        ArgumentNullException.ThrowIfNull(busLayer);
        string? addr = busLayer.Get("addr");
        if (addr is null) return string.Empty;
        if (!TryParse(addr, out var a, out var error))
            throw new DevargsException($"addr={addr}: {error}");
        return a.ToString();
    }

    /// <summary>The address as <c>%04x:%02x:%02x.%x</c> (a domain above 0xffff prints all its digits).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Domain:x4}:{Bus:x2}:{Device:x2}.{Function:x}");

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{Domain:x4}:{Bus:x2}:{Device:x2}.{Function:x}", out charsWritten);

    /// <summary>The 64-bit key DPDK compares: domain, bus, device, function from high to low.</summary>
    private ulong Key => ((ulong)Domain << 24) | ((uint)Bus << 16) | ((uint)Device << 8) | Function;

    /// <inheritdoc />
    public bool Equals(PciAddress other) => Key == other.Key;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PciAddress other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Key.GetHashCode();

    /// <inheritdoc />
    public int CompareTo(PciAddress other) => Key.CompareTo(other.Key);

    /// <summary>Equality.</summary>
    public static bool operator ==(PciAddress left, PciAddress right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(PciAddress left, PciAddress right) => !left.Equals(right);

    /// <summary>Ordering.</summary>
    public static bool operator <(PciAddress left, PciAddress right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(PciAddress left, PciAddress right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(PciAddress left, PciAddress right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(PciAddress left, PciAddress right) => left.CompareTo(right) >= 0;
}
