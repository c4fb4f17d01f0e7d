using System.Globalization;
using Eal.Platform;

namespace Eal.Options;

/// <summary>The core-selection grammars of DPDK: core lists, lcore maps and hex core masks.</summary>
internal static class CoreSyntax
{
    /// <summary>Linux <c>CPU_SETSIZE</c>: CPU numbers must be below it.</summary>
    public const int CpuSetSize = 1024;

    private const string ListExample = "expected core numbers and ranges such as '0-3,8'";

    /// <summary>
    /// A plain core list (argparse CORELIST): tokens <c>N</c> or <c>N-M</c> separated by <c>,</c>; blanks before a
    /// token are skipped; every token starts with a digit; <c>N</c> at most 65535; <c>M &lt; N</c> is swapped.
    /// </summary>
    public static SortedSet<int> ParseCoreList(string option, string value)
    {
        var set = new SortedSet<int>();
        if (value.Trim().Length == 0)
            throw new EalArgumentException(option, value, $"empty core list; {ListExample}");
        int pos = 0;
        while (true)
        {
            SkipBlanks(value, ref pos);
            int first = ReadNumber(option, value, ref pos, 65535, "core list", ListExample);
            int last = first;
            if (pos < value.Length && value[pos] == '-')
            {
                pos++;
                SkipBlanks(value, ref pos);
                last = ReadNumber(option, value, ref pos, 65535, "core list", ListExample);
                if (pos < value.Length && value[pos] == '-')
                    throw Invalid(option, value, "core list", $"'-' at position {pos + 1} continues a range that already ended; {ListExample}");
            }
            for (int cpu = Math.Min(first, last); cpu <= Math.Max(first, last); cpu++)
                set.Add(cpu);
            if (pos == value.Length)
                return set;
            if (value[pos] != ',')
                throw Invalid(option, value, "core list", $"unexpected '{value[pos]}' at position {pos + 1}; {ListExample}");
            pos++;
        }
    }

    /// <summary>
    /// The lcore map (<c>eal_parse_lcores</c>): <c>lcores[@cpus][,lcores[@cpus]...]</c> where each side is a number,
    /// <c>N-M</c> or a group <c>(a,b-c)</c>. Without <c>@</c> the CPUs are the lcores themselves, and a bare range
    /// gives each lcore its own CPU. A later element overrides the CPUs of an lcore given earlier.
    /// </summary>
    public static List<(int Lcore, SortedSet<int> Cpus)> ParseLcoreMap(string option, string value, int maxLcore)
    {
        const string Example = "expected e.g. '1,2@(5-7),(3-5)@(0,2),(0,6),7-8'";
        var result = new List<(int Lcore, SortedSet<int> Cpus)>();
        var index = new Dictionary<int, int>();
        int pos = 0;
        while (true)
        {
            SkipBlanks(value, ref pos);
            if (pos == value.Length)
                throw Invalid(option, value, "lcore map", $"empty element at position {pos + 1}; {Example}");
            int start = pos;
            var lcores = ParseSet(option, value, ref pos, out bool bareRange);
            SortedSet<int>? cpus = null;
            if (pos < value.Length && value[pos] == '@')
            {
                if (bareRange)
                    throw Invalid(option, value, "lcore map",
                        $"'{value[start..pos]}@' maps a range of lcores without parentheses; write '({value[start..pos].Trim()})@...'");
                pos++;
                cpus = ParseSet(option, value, ref pos, out _);
            }
            if (pos < value.Length && value[pos] != ',')
                throw Invalid(option, value, "lcore map", $"unexpected '{value[pos]}' at position {pos + 1}; {Example}");

            foreach (int lcore in lcores)
            {
                if (lcore >= maxLcore)
                    throw new EalArgumentException(option, value,
                        $"lcore id {lcore} is not below RTE_MAX_LCORE ({maxLcore}); use a lower lcore id and map it with '@', e.g. '0@{lcore}'");
                var lcoreCpus = cpus ?? (bareRange ? new SortedSet<int> { lcore } : lcores);
                if (index.TryGetValue(lcore, out int at))
                    result[at] = (lcore, lcoreCpus);
                else
                {
                    index[lcore] = result.Count;
                    result.Add((lcore, lcoreCpus));
                }
            }
            if (pos == value.Length)
                return result;
            pos++; // ','
        }
    }

    /// <summary>One side of an lcore map element: a number, <c>N-M</c>, or a parenthesised group.</summary>
    private static SortedSet<int> ParseSet(string option, string value, ref int pos, out bool bareRange)
    {
        const string What = "lcore map";
        const string Expect = "expected a number, a range 'N-M' or a group '(a,b-c)'";
        bareRange = false;
        var set = new SortedSet<int>();
        SkipBlanks(value, ref pos);
        if (pos < value.Length && value[pos] == '(')
        {
            pos++;
            while (true)
            {
                SkipBlanks(value, ref pos);
                int first = ReadNumber(option, value, ref pos, CpuSetSize - 1, What, Expect);
                SkipBlanks(value, ref pos);
                int last = first;
                if (pos < value.Length && value[pos] == '-')
                {
                    pos++;
                    SkipBlanks(value, ref pos);
                    last = ReadNumber(option, value, ref pos, CpuSetSize - 1, What, Expect);
                    SkipBlanks(value, ref pos);
                    if (pos < value.Length && value[pos] == '-')
                        throw Invalid(option, value, What, $"'-' at position {pos + 1} continues a range that already ended inside a group");
                }
                for (int n = Math.Min(first, last); n <= Math.Max(first, last); n++)
                    set.Add(n);
                if (pos >= value.Length)
                    throw Invalid(option, value, What, "group is missing its closing ')'");
                char c = value[pos++];
                if (c == ')')
                    break;
                if (c != ',')
                    throw Invalid(option, value, What, $"unexpected '{c}' at position {pos} inside a group; {Expect}");
            }
            SkipBlanks(value, ref pos);
            return set;
        }

        int a = ReadNumber(option, value, ref pos, CpuSetSize - 1, What, Expect);
        SkipBlanks(value, ref pos);
        int b = a;
        if (pos < value.Length && value[pos] == '-')
        {
            pos++;
            SkipBlanks(value, ref pos);
            b = ReadNumber(option, value, ref pos, CpuSetSize - 1, What, Expect);
            SkipBlanks(value, ref pos);
            bareRange = true;
        }
        for (int n = Math.Min(a, b); n <= Math.Max(a, b); n++)
            set.Add(n);
        return set;
    }

    /// <summary>
    /// A hex core mask (<c>rte_eal_parse_coremask</c>): blanks around and a <c>0x</c>/<c>0X</c> prefix allowed;
    /// bit N selects CPU N; at most 128 bits set; no bit at or above CPU_SETSIZE.
    /// </summary>
    public static SortedSet<int> ParseCoremask(string option, string value, int maxLcore)
    {
        string mask = StripMask(value);
        if (mask.Length == 0)
            throw new EalArgumentException(option, value, "no lcores in coremask; expected a hexadecimal mask such as '0xf'");
        var set = new SortedSet<int>();
        for (int i = mask.Length - 1, bit = 0; i >= 0; i--, bit += 4)
        {
            int digit = HexValue(mask[i]);
            if (digit < 0)
                throw new EalArgumentException(option, value,
                    $"invalid character '{mask[i]}' in coremask; expected hexadecimal digits such as '0xf'");
            for (int j = 0; j < 4; j++)
            {
                if ((digit & (1 << j)) == 0)
                    continue;
                int cpu = bit + j;
                if (set.Count >= maxLcore)
                    throw new EalArgumentException(option, value,
                        $"too many lcores in coremask; at most RTE_MAX_LCORE ({maxLcore}) may be set");
                if (cpu >= CpuSetSize)
                    throw new EalArgumentException(option, value,
                        $"CPU {cpu} is not below CPU_SETSIZE ({CpuSetSize}) and cannot be used");
                set.Add(cpu);
            }
        }
        if (set.Count == 0)
            throw new EalArgumentException(option, value, "no lcores in coremask; set at least one bit, e.g. '0x1'");
        return set;
    }

    /// <summary>The service core mask (<c>-s</c>): like a core mask, but only lcore ids below 128 and every one must exist.</summary>
    public static SortedSet<int> ParseServiceCoremask(string option, string value, int maxLcore, CpuTopology cpus)
    {
        string mask = StripMask(value);
        if (mask.Length == 0)
            throw new EalArgumentException(option, value, "empty service coremask; expected a hexadecimal mask such as '0x2'");
        var set = new SortedSet<int>();
        for (int i = mask.Length - 1, bit = 0; i >= 0; i--, bit += 4)
        {
            int digit = HexValue(mask[i]);
            if (digit < 0)
                throw new EalArgumentException(option, value,
                    $"invalid character '{mask[i]}' in service coremask; expected hexadecimal digits such as '0x2'");
            for (int j = 0; j < 4; j++)
            {
                if ((digit & (1 << j)) == 0)
                    continue;
                int lcore = bit + j;
                if (lcore >= maxLcore)
                    throw new EalArgumentException(option, value,
                        $"service lcore {lcore} is not below RTE_MAX_LCORE ({maxLcore})");
                if (!cpus.IsDetected(lcore))
                    throw new EalArgumentException(option, value,
                        $"service lcore {lcore} is unavailable: no such CPU; available CPUs: {cpus.FormatCpuList()}");
                set.Add(lcore);
            }
        }
        if (set.Count == 0)
            throw new EalArgumentException(option, value, "no lcores in service coremask; set at least one bit, e.g. '0x2'");
        return set;
    }

    /// <summary>The service core list (<c>-S</c>): <c>N</c> or <c>N-M</c> tokens, blanks allowed, each below 128.</summary>
    public static SortedSet<int> ParseServiceCorelist(string option, string value, int maxLcore)
    {
        const string Example = "expected lcore ids and ranges such as '1,3-4'";
        var set = new SortedSet<int>();
        if (value.Trim().Length == 0)
            throw new EalArgumentException(option, value, $"empty service core list; {Example}");
        int pos = 0;
        while (true)
        {
            SkipBlanks(value, ref pos);
            int first = ReadNumber(option, value, ref pos, int.MaxValue, "service core list", Example);
            SkipBlanks(value, ref pos);
            int last = first;
            if (pos < value.Length && value[pos] == '-')
            {
                pos++;
                SkipBlanks(value, ref pos);
                last = ReadNumber(option, value, ref pos, int.MaxValue, "service core list", Example);
                SkipBlanks(value, ref pos);
                if (last < first)
                    throw Invalid(option, value, "service core list", $"range {first}-{last} is reversed; write {last}-{first}");
            }
            if (last >= maxLcore)
                throw new EalArgumentException(option, value,
                    $"service lcore {last} is not below RTE_MAX_LCORE ({maxLcore})");
            for (int n = first; n <= last; n++)
                set.Add(n);
            if (pos == value.Length)
                return set;
            if (value[pos] != ',')
                throw Invalid(option, value, "service core list", $"unexpected '{value[pos]}' at position {pos + 1}; {Example}");
            pos++;
        }
    }

    private static string StripMask(string value)
    {
        string mask = value.Trim(' ', '\t');
        if (mask.Length >= 2 && mask[0] == '0' && (mask[1] == 'x' || mask[1] == 'X'))
            mask = mask[2..].TrimEnd(' ', '\t');
        return mask;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static void SkipBlanks(string s, ref int pos)
    {
        while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t'))
            pos++;
    }

    private static int ReadNumber(string option, string value, ref int pos, int max, string what, string expect)
    {
        int start = pos;
        while (pos < value.Length && char.IsAsciiDigit(value[pos]))
            pos++;
        if (pos == start)
        {
            string found = start < value.Length ? $"'{value[start]}'" : "the end of the value";
            throw Invalid(option, value, what, $"expected a number at position {start + 1} but found {found}; {expect}");
        }
        if (!int.TryParse(value.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > max)
            throw Invalid(option, value, what, $"number '{value[start..pos]}' is out of range (at most {max})");
        return n;
    }

    private static EalArgumentException Invalid(string option, string value, string what, string detail) =>
        new(option, value, $"invalid {what} '{value}': {detail}");
}
