using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Eal.Ethdev;

/// <summary>An Ethernet MAC address (DPDK's <c>struct rte_ether_addr</c>), stored in the low 48 bits, first octet highest.</summary>
public readonly record struct MacAddress
{
    private readonly ulong _value;

    /// <summary>Creates an address from its 48-bit value (first octet in bits 47..40).</summary>
    public MacAddress(ulong value) => _value = value & 0xFFFF_FFFF_FFFFUL;

    /// <summary>Creates an address from its six octets.</summary>
    /// <exception cref="ArgumentException"><paramref name="octets"/> does not hold exactly six bytes.</exception>
    public MacAddress(ReadOnlySpan<byte> octets)
    {
        if (octets.Length != 6) throw new ArgumentException($"A MAC address has 6 octets, got {octets.Length}", nameof(octets));
        Span<byte> b = stackalloc byte[8];
        b.Clear();
        octets.CopyTo(b[2..]);
        _value = BinaryPrimitives.ReadUInt64BigEndian(b);
    }

    /// <summary>The all-zero address.</summary>
    public static MacAddress Zero => default;

    /// <summary>The 48-bit value.</summary>
    public ulong Value => _value;

    /// <summary>True for a group (multicast or broadcast) address: the I/G bit of the first octet is set.</summary>
    public bool IsMulticast => (_value & 0x0100_0000_0000UL) != 0;

    /// <summary>True for the all-zero address.</summary>
    public bool IsZero => _value == 0;

    /// <summary>True for a unicast, non-zero address (DPDK's <c>rte_is_valid_assigned_ether_addr</c>).</summary>
    public bool IsValidAssigned => !IsZero && !IsMulticast;

    /// <summary>True when the locally administered bit is set.</summary>
    public bool IsLocallyAdministered => (_value & 0x0200_0000_0000UL) != 0;

    /// <summary>Writes the six octets to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, _value);
        b[2..].CopyTo(destination);
    }

    /// <summary>A random locally administered unicast address (DPDK's <c>rte_eth_random_addr</c>).</summary>
    public static MacAddress Random()
    {
        Span<byte> b = stackalloc byte[6];
        RandomNumberGenerator.Fill(b);
        b[0] = (byte)((b[0] & 0xFE) | 0x02);
        return new MacAddress(b);
    }

    /// <summary>
    /// Parses <c>XX:XX:XX:XX:XX:XX</c>, <c>XX-XX-XX-XX-XX-XX</c> or <c>XXXX:XXXX:XXXX</c> (hex, either case), as
    /// DPDK's <c>rte_ether_unformat_addr</c>.
    /// </summary>
    public static bool TryParse(string? text, out MacAddress address)
    {
        address = default;
        if (text is null) return false;
        ulong v = 0;
        if (text.Length == 17)
        {
            char sep = text[2];
            if (sep is not (':' or '-')) return false;
            for (int i = 0; i < 6; i++)
            {
                if (i > 0 && text[(i * 3) - 1] != sep) return false;
                if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte o)) return false;
                v = (v << 8) | o;
            }
        }
        else if (text.Length == 14)
        {
            for (int i = 0; i < 3; i++)
            {
                if (i > 0 && text[(i * 5) - 1] != ':') return false;
                if (!ushort.TryParse(text.AsSpan(i * 5, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort w)) return false;
                v = (v << 16) | w;
            }
        }
        else
        {
            return false;
        }
        address = new MacAddress(v);
        return true;
    }

    /// <summary>Parses an address; see <see cref="TryParse"/> for the accepted forms.</summary>
    /// <exception cref="FormatException">The text is not a MAC address; the message shows the accepted forms.</exception>
    public static MacAddress Parse(string text) => TryParse(text, out var a)
        ? a
        : throw new FormatException($"'{text}' is not a MAC address; expected XX:XX:XX:XX:XX:XX (hex), XX-XX-XX-XX-XX-XX or XXXX:XXXX:XXXX");

    /// <summary>The address as <c>XX:XX:XX:XX:XX:XX</c> (upper-case hex, as DPDK's <c>RTE_ETHER_ADDR_PRT_FMT</c>).</summary>
    public override string ToString()
    {
        Span<byte> b = stackalloc byte[6];
        CopyTo(b);
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]:X2}:{b[1]:X2}:{b[2]:X2}:{b[3]:X2}:{b[4]:X2}:{b[5]:X2}");
    }
}
