using System.Globalization;

namespace Eal.Options;

/// <summary>Strict forms of the C number parsers DPDK uses (<c>strtoul(.., 0)</c>, <c>rte_str_to_size</c>).</summary>
internal static class CNumber
{
    /// <summary>
    /// <c>strtoul(s, &amp;end, 0)</c> requiring the whole string: decimal, <c>0x</c>/<c>0X</c> hex or leading-0 octal.
    /// Unlike C, no sign and no surrounding blanks are accepted.
    /// </summary>
    public static bool TryParseUnsigned(string s, out ulong value)
    {
        value = 0;
        if (s.Length == 0)
            return false;
        if (s.Length > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            return ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        if (s.Length > 1 && s[0] == '0')
        {
            foreach (char c in s)
            {
                if (c is < '0' or > '7')
                    return false;
                if (value > (ulong.MaxValue >> 3))
                    return false;
                value = (value << 3) + (uint)(c - '0');
            }
            return true;
        }
        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A plain non-negative decimal integer (what DPDK's <c>atoi</c>/<c>strtoull(.., 10)</c> options mean).</summary>
    public static bool TryParseDecimal(string s, out ulong value) =>
        ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// <c>rte_str_to_size</c> requiring the whole string: a number (decimal or <c>0x</c> hex), an optional single
    /// space and an optional K/M/G/T/P/E suffix (either case), e.g. <c>2M</c>, <c>1 G</c>, <c>4096</c>.
    /// </summary>
    public static bool TryParseSize(string s, out ulong value)
    {
        value = 0;
        int end = s.Length;
        int shift = 0;
        if (end > 0)
        {
            shift = char.ToUpperInvariant(s[end - 1]) switch
            {
                'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => 0,
            };
            if (shift != 0)
            {
                end--;
                if (end > 0 && s[end - 1] == ' ')
                    end--;
            }
        }
        string number = s[..end];
        bool ok = number.Length > 2 && number[0] == '0' && (number[1] is 'x' or 'X')
            ? ulong.TryParse(number.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : TryParseDecimal(number, out value);
        if (!ok)
            return false;
        if (shift != 0 && value > (ulong.MaxValue >> shift))
            return false;
        value <<= shift;
        return true;
    }
}
