using System.Diagnostics.CodeAnalysis;

namespace Eal.Devargs;

/// <summary>One <c>key=value</c> pair. <see cref="Value"/> is null for a bare <c>key</c> (no <c>=</c>).</summary>
public readonly record struct KvPair(string Key, string? Value);

/// <summary>
/// A parsed kvargs list with DPDK's <c>rte_kvargs</c> rules: <c>,</c> separates pairs, <c>=</c> separates
/// key and value, <c>[...]</c> makes commas literal, empty pairs are skipped, at most
/// <see cref="MaxPairs"/> pairs.
/// </summary>
public sealed class KvArgs
{
    /// <summary>DPDK's <c>RTE_KVARGS_MAX</c>.</summary>
    public const int MaxPairs = 32;

    private readonly KvPair[] _pairs;

    internal KvArgs(KvPair[] pairs) => _pairs = pairs;

    /// <summary>The pairs in input order.</summary>
    public IReadOnlyList<KvPair> Pairs => _pairs;

    /// <summary>Number of pairs whose key is <paramref name="key"/> (all pairs when null).</summary>
    public int Count(string? key = null)
    {
        if (key is null) return _pairs.Length;
        int n = 0;
        foreach (var p in _pairs) if (p.Key == key) n++;
        return n;
    }

    /// <summary>The value of the first pair with <paramref name="key"/>; false when absent.</summary>
    public bool TryGet(string key, out string? value)
    {
        foreach (var p in _pairs)
        {
            if (p.Key == key) { value = p.Value; return true; }
        }
        value = null;
        return false;
    }

    /// <summary>The value of the first pair with <paramref name="key"/>, or null when absent or valueless.</summary>
    public string? Get(string key) => TryGet(key, out var v) ? v : null;

    /// <summary>True when any pair has <paramref name="key"/>.</summary>
    public bool Contains(string key) => TryGet(key, out _);

    /// <summary>Parses <paramref name="text"/>; throws <see cref="DevargsException"/> on error.</summary>
    /// <param name="text">The kvargs text.</param>
    /// <param name="validKeys">When given, any other key is an error.</param>
    public static KvArgs Parse(string text, IReadOnlyCollection<string>? validKeys = null)
    {
        if (!TryParse(text, validKeys, out var kv, out var error))
            throw new DevargsException(error);
        return kv;
    }

    /// <summary>Parses <paramref name="text"/> without throwing.</summary>
    public static bool TryParse(string text, IReadOnlyCollection<string>? validKeys,
        [NotNullWhen(true)] out KvArgs? result, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pairs = new List<KvPair>();
        int i = 0;
        while (i < text.Length)
        {
            // A pair runs to the next ',' that is not inside [...]; the first ']' closes the list.
            int start = i;
            bool inList = false;
            while (i < text.Length && (inList || text[i] != ','))
            {
                if (text[i] == '[') inList = true;
                else if (text[i] == ']') inList = false;
                i++;
            }
            if (inList)
            {
                result = null;
                error = $"unterminated '[' in \"{text}\" at offset {text.IndexOf('[', start)}: close the list with ']'";
                return false;
            }
            string token = text[start..i];
            i++; // skip ','
            if (token.Length == 0) continue;

            if (pairs.Count == MaxPairs)
            {
                result = null;
                error = $"too many key=value pairs in \"{text}\": at most {MaxPairs} are allowed";
                return false;
            }
            int eq = token.IndexOf('=');
            KvPair pair;
            if (eq < 0)
            {
                pair = new KvPair(token, null);
            }
            else
            {
                // DPDK's strtok_r on '=' means "a=b=c" gives key "b" value "c"; keep its rule.
                string rest = token;
                string key = rest[..eq];
                string value = rest[(eq + 1)..];
                int eq2 = value.IndexOf('=');
                while (eq2 >= 0 && !value.StartsWith('['))
                {
                    key = value[..eq2];
                    value = value[(eq2 + 1)..];
                    eq2 = value.IndexOf('=');
                }
                pair = new KvPair(key, value);
            }
            if (validKeys is not null && !validKeys.Contains(pair.Key))
            {
                result = null;
                error = $"unknown key '{pair.Key}' in \"{text}\"; valid keys: {string.Join(", ", validKeys)}";
                return false;
            }
            pairs.Add(pair);
        }
        result = new KvArgs(pairs.ToArray());
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(",", _pairs.Select(p => p.Value is null ? p.Key : $"{p.Key}={p.Value}"));
}

/// <summary>A devargs or kvargs string could not be parsed; the message says where and why.</summary>
public sealed class DevargsException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public DevargsException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public DevargsException(string message, Exception inner) : base(message, inner) { }
}
