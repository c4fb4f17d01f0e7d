using System.Diagnostics.CodeAnalysis;

namespace Eal.Devargs;

/// <summary>One <c>key=value</c> pair. <see cref="Value"/> is null for a bare <c>key</c> (no <c>=</c>), empty for <c>key=</c>.</summary>
/// <param name="Key">The key; empty for <c>=value</c>.</param>
/// <param name="Value">The value, or null when the pair has no <c>=</c>.</param>
public readonly record struct KvPair(string Key, string? Value);

/// <summary>
/// A parsed kvargs list with exactly DPDK's <c>rte_kvargs</c> rules (see <c>docs/devargs.md</c>):
/// <c>,</c> separates pairs and <c>=</c> ends a key; between <c>[</c> and the next <c>]</c> a comma is part of the
/// value (the brackets are kept; lists do not nest); empty pairs are skipped; <c>key</c> alone has a null value,
/// <c>key=</c> an empty one; with several <c>=</c> the text between the last two is the key (<c>a=b=c</c> is
/// <c>b</c> = <c>c</c>); there is no quoting or escaping; at most <see cref="MaxPairs"/> pairs.
/// </summary>
public sealed class KvArgs
{
    /// <summary>DPDK's <c>RTE_KVARGS_MAX</c>.</summary>
    public const int MaxPairs = 32;

    private readonly KvPair[] _pairs;
    private readonly int[] _offsets;

    private KvArgs(string text, KvPair[] pairs, int[] offsets)
    {
        Text = text;
        _pairs = pairs;
        _offsets = offsets;
    }

    /// <summary>An empty list.</summary>
    public static KvArgs Empty { get; } = new(string.Empty, [], []);

    /// <summary>The text that was parsed.</summary>
    public string Text { get; }

    /// <summary>The pairs in input order.</summary>
    public IReadOnlyList<KvPair> Pairs => _pairs;

    /// <summary>Where pair <paramref name="index"/> starts in <see cref="Text"/> (for error messages).</summary>
    public int OffsetOf(int index) => _offsets[index];

    /// <summary>Number of pairs whose key is <paramref name="key"/>, or of all pairs when null (<c>rte_kvargs_count</c>).</summary>
    public int Count(string? key = null)
    {
        if (key is null) return _pairs.Length;
        int n = 0;
        foreach (var p in _pairs)
            if (string.Equals(p.Key, key, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>The value of the first pair with <paramref name="key"/>; false when no pair has that key.
    /// A bare <c>key</c> gives true and a null value.</summary>
    public bool TryGet(string key, out string? value)
    {
        foreach (var p in _pairs)
        {
            if (string.Equals(p.Key, key, StringComparison.Ordinal)) { value = p.Value; return true; }
        }
        value = null;
        return false;
    }

    /// <summary>The value of the first pair with <paramref name="key"/>, or null when absent or valueless (<c>rte_kvargs_get</c>).</summary>
    public string? Get(string key) => TryGet(key, out var v) ? v : null;

    /// <summary>
    /// The value of the first pair matching both <paramref name="key"/> and <paramref name="value"/>, where a null
    /// argument matches anything (<c>rte_kvargs_get_with_value</c>); null when none matches.
    /// </summary>
    public string? GetWithValue(string? key, string? value)
    {
        foreach (var p in _pairs)
        {
            if (key is not null && !string.Equals(p.Key, key, StringComparison.Ordinal)) continue;
            if (value is not null && !string.Equals(p.Value, value, StringComparison.Ordinal)) continue;
            return p.Value;
        }
        return null;
    }

    /// <summary>True when any pair has <paramref name="key"/>.</summary>
    public bool Contains(string key) => TryGet(key, out _);

    /// <summary>
    /// Calls <paramref name="handler"/> for each pair whose key is <paramref name="keyMatch"/> (all pairs when null),
    /// in order, like DPDK 24.11+'s <c>rte_kvargs_process</c>: a matching pair without a value is an error, raised
    /// before the handler sees it. A handler rejects a value by throwing; that stops the walk.
    /// </summary>
    /// <exception cref="DevargsException">A matching pair has no <c>=value</c>.</exception>
    public void Process(string? keyMatch, Action<string, string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        for (int i = 0; i < _pairs.Length; i++)
        {
            var p = _pairs[i];
            if (keyMatch is not null && !string.Equals(p.Key, keyMatch, StringComparison.Ordinal)) continue;
            if (p.Value is null)
                throw new DevargsException(
                    $"kvargs \"{Text}\": key '{p.Key}' at offset {_offsets[i]} has no value; write {p.Key}=<value>");
            handler(p.Key, p.Value);
        }
    }

    /// <summary>
    /// Like <see cref="Process"/> but valueless pairs reach the handler with a null value
    /// (<c>rte_kvargs_process_opt</c>).
    /// </summary>
    public void ProcessOptional(string? keyMatch, Action<string, string?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        foreach (var p in _pairs)
        {
            if (keyMatch is not null && !string.Equals(p.Key, keyMatch, StringComparison.Ordinal)) continue;
            handler(p.Key, p.Value);
        }
    }

    /// <summary>Parses <paramref name="text"/> (<c>rte_kvargs_parse</c>).</summary>
    /// <param name="text">The kvargs text.</param>
    /// <param name="validKeys">When given, any other key is an error.</param>
    /// <exception cref="DevargsException">More than <see cref="MaxPairs"/> pairs, or a key not in <paramref name="validKeys"/>.</exception>
    public static KvArgs Parse(string text, IReadOnlyCollection<string>? validKeys = null)
    {
        if (!TryParse(text, validKeys, out var kv, out var error))
            throw new DevargsException(error);
        return kv;
    }

    /// <summary>
    /// Parses <paramref name="text"/> up to the first character found in <paramref name="validEnds"/>
    /// (<c>rte_kvargs_parse_delim</c>); the rest of the text is ignored.
    /// </summary>
    /// <exception cref="DevargsException">As <see cref="Parse"/>.</exception>
    public static KvArgs ParseDelimited(string text, string? validEnds, IReadOnlyCollection<string>? validKeys = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!string.IsNullOrEmpty(validEnds))
        {
            int end = text.AsSpan().IndexOfAny(validEnds);
            if (end >= 0) text = text[..end];
        }
        return Parse(text, validKeys);
    }

    /// <summary>Parses <paramref name="text"/> without throwing; <paramref name="error"/> says where and why it failed.</summary>
    public static bool TryParse(string text, IReadOnlyCollection<string>? validKeys,
        [NotNullWhen(true)] out KvArgs? result, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pairs = new List<KvPair>();
        var offsets = new List<int>();

        // The state machine of rte_kvargs_tokenize: '=' always ends a key (even inside a list, and again for
        // "a=b=c", so the last key wins); ',' outside a list ends the pair; '[' opens a list that the first ']'
        // closes; the end of the text ends the pair even inside an unclosed list.
        int start = 0;          // start of the current key or value
        int pairStart = 0;      // start of the current pair, for messages
        string? key = null;
        bool inList = false, endKey = false;
        for (int i = 0; ; i++)
        {
            char c = i < text.Length ? text[i] : '\0';
            bool atEnd = i >= text.Length;
            bool save = false, endPair = false, endValue = false;
            if (atEnd)
            {
                if (endKey) endValue = true; else endKey = true;
                save = endPair = true;
            }
            else if (c == '=')
            {
                endKey = save = true;
            }
            else if (c == ',')
            {
                if (!inList)
                {
                    if (endKey) endValue = true; else endKey = true;
                    save = endPair = true;
                }
            }
            else if (c == '[')
            {
                inList = true;
            }
            else if (c == ']')
            {
                inList = false;
            }

            if (!save) continue;

            // DPDK checks the limit at every key/value boundary, so even an empty pair after the 32nd fails.
            if (pairs.Count >= MaxPairs)
            {
                result = null;
                error = $"kvargs \"{text}\": more than {MaxPairs} key=value pairs (limit reached at offset {i}); " +
                        $"at most {MaxPairs} are allowed, remove pairs or empty ',' separators";
                return false;
            }

            string token = text[start..i];
            string? value = null;
            if (endValue) value = token;
            else key = token;

            if (endPair)
            {
                // An empty pair (",," or a trailing ',') is skipped; "=" alone is a pair with empty key and value.
                if (endValue || i != start)
                {
                    pairs.Add(new KvPair(key!, value));
                    offsets.Add(pairStart);
                }
                key = null;
                endKey = false;
                pairStart = i + 1;
            }

            if (atEnd) break;
            start = i + 1;
        }

        if (validKeys is not null)
        {
            for (int p = 0; p < pairs.Count; p++)
            {
                if (!validKeys.Contains(pairs[p].Key))
                {
                    result = null;
                    error = $"kvargs \"{text}\": unknown key '{pairs[p].Key}' at offset {offsets[p]}; " +
                            $"valid keys are: {string.Join(", ", validKeys)}";
                    return false;
                }
            }
        }

        result = new KvArgs(text, pairs.ToArray(), offsets.ToArray());
        error = null;
        return true;
    }

    /// <summary>The pairs written back as <c>key=value,...</c> (a valueless pair as its key alone).</summary>
    public override string ToString() =>
        string.Join(",", _pairs.Select(p => p.Value is null ? p.Key : $"{p.Key}={p.Value}"));
}

/// <summary>A devargs or kvargs string could not be parsed; the message says where (offset) and why.</summary>
public sealed class DevargsException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public DevargsException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public DevargsException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with no message (prefer the other constructors).</summary>
    public DevargsException() { }
}
