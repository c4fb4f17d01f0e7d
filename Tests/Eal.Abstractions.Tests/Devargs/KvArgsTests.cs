using Eal.Devargs;
using NUnit.Framework;

namespace Eal.Abstractions.Tests.Devargs;

[TestFixture]
public class KvArgsTests
{
    // test_kvargs.c test_basic_token_count, every vector.
    [TestCase("foo=1,check=1,check=2", 3)]
    [TestCase("foo=1,check,check=2", 3)]
    [TestCase("foo=1,foo=", 2)]
    [TestCase("foo=1,foo", 2)]
    [TestCase("foo=1,=2", 2)]
    [TestCase("foo=1,,foo=2,,", 2)]
    [TestCase("foo=[1,2", 1)]
    [TestCase(",=", 1)]
    [TestCase("foo=[", 1)]
    [TestCase("", 0)]
    public void Count_MatchesDpdkTokenCountVectors(string text, int expected)
    {
        Assert.That(KvArgs.Parse(text).Count(), Is.EqualTo(expected));
    }

    [Test]
    public void Parse_SplitsKeysAndValuesInOrder()
    {
        var kv = KvArgs.Parse("foo=1234,check=value0,check=value1");
        Assert.That(kv.Pairs, Is.EqualTo(new[]
        {
            new KvPair("foo", "1234"), new KvPair("check", "value0"), new KvPair("check", "value1"),
        }));
        Assert.That(kv.Count("check"), Is.EqualTo(2));
        Assert.That(kv.Count("foo"), Is.EqualTo(1));
        Assert.That(kv.Count("nonexistent_key"), Is.EqualTo(0));
        Assert.That(kv.Get("check"), Is.EqualTo("value0"));
    }

    [Test]
    public void Parse_BareKeyHasNullValue_KeyWithEqualsHasEmptyValue()
    {
        var kv = KvArgs.Parse("foo,bar=");
        Assert.That(kv.Pairs, Is.EqualTo(new[] { new KvPair("foo", null), new KvPair("bar", "") }));
        Assert.That(kv.TryGet("foo", out var v), Is.True);
        Assert.That(v, Is.Null);
        Assert.That(kv.TryGet("absent", out _), Is.False);
    }

    [Test]
    public void Parse_ListKeepsCommasAndBrackets()
    {
        // test_parse_list_value
        var kv = KvArgs.Parse("foo=[0,1],check=value2", ["foo", "check"]);
        Assert.That(kv.Pairs, Is.EqualTo(new[] { new KvPair("foo", "[0,1]"), new KvPair("check", "value2") }));
    }

    [Test]
    public void Parse_SkipsEmptyPairs()
    {
        // test_parse_empty_elements
        var kv = KvArgs.Parse("foo=1,,check=value2,,");
        Assert.That(kv.Pairs, Is.EqualTo(new[] { new KvPair("foo", "1"), new KvPair("check", "value2") }));
    }

    [TestCase("a=b=c", "b", "c")]
    [TestCase("a==b", "", "b")]
    [TestCase("=v", "", "v")]
    [TestCase("=", "", "")]
    [TestCase("k=[a=b,c]", "[a", "b,c]")]          // '=' ends a key even inside a list
    [TestCase("k=[[1,3],x]", "k", "[[1,3]")]       // lists do not nest: the first ']' closes
    [TestCase("k=x]y,z", "k", "x]y")]              // a stray ']' is plain text
    [TestCase("foo=[1,2", "foo", "[1,2")]          // an unclosed list runs to the end
    public void Parse_FirstPairFollowsDpdkTokenizer(string text, string key, string value)
    {
        Assert.That(KvArgs.Parse(text).Pairs[0], Is.EqualTo(new KvPair(key, value)));
    }

    [Test]
    public void Parse_UnclosedListSwallowsTheRest()
    {
        // The list hides the comma but not the '=': one pair, key "[1,b".
        Assert.That(KvArgs.Parse("a=[1,b=2").Pairs, Is.EqualTo(new[] { new KvPair("[1,b", "2") }));
    }

    [Test]
    public void Parse_AcceptsThirtyTwoPairs()
    {
        string text = string.Join(",", Enumerable.Range(0, 32).Select(i => $"k{i}={i}"));
        var kv = KvArgs.Parse(text);
        Assert.That(kv.Count(), Is.EqualTo(KvArgs.MaxPairs));
        Assert.That(kv.Pairs[31], Is.EqualTo(new KvPair("k31", "31")));
    }

    [Test]
    public void Parse_RejectsThirtyThirdPair_WithOffset()
    {
        string text = string.Join(",", Enumerable.Range(0, 33).Select(i => $"k{i}"));
        var ex = Assert.Throws<DevargsException>(() => KvArgs.Parse(text));
        int offset = text.IndexOf("k32", StringComparison.Ordinal) + 3;
        Assert.That(ex!.Message, Does.Contain($"more than 32 key=value pairs (limit reached at offset {offset})"));
    }

    [Test]
    public void Parse_RejectsTrailingCommaAfterThirtyTwoPairs_AsDpdkDoes()
    {
        string text = string.Join(",", Enumerable.Range(0, 32).Select(i => $"k{i}")) + ",";
        Assert.That(KvArgs.TryParse(text, null, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("at most 32 are allowed"));
    }

    [Test]
    public void Parse_WithValidKeys_RejectsUnknownKeyNamingOffsetAndValidKeys()
    {
        // test_invalid_kvargs
        var ex = Assert.Throws<DevargsException>(() => KvArgs.Parse("foo=1,wrong-key=x", ["foo", "check"]));
        Assert.That(ex!.Message, Is.EqualTo(
            "kvargs \"foo=1,wrong-key=x\": unknown key 'wrong-key' at offset 6; valid keys are: foo, check"));
    }

    [Test]
    public void Parse_WithValidKeys_AcceptsKnownKeys()
    {
        var kv = KvArgs.Parse("foo=droids,check=value0,check=value1,check=wrong_value", ["foo", "check"]);
        Assert.That(kv.Count("check"), Is.EqualTo(3));
    }

    [Test]
    public void Process_CallsHandlerForEachMatchInOrder()
    {
        var kv = KvArgs.Parse("foo=1234,check=value0,check=value1");
        var seen = new List<string>();
        kv.Process("check", (k, v) => seen.Add($"{k}={v}"));
        Assert.That(seen, Is.EqualTo(new[] { "check=value0", "check=value1" }));
        seen.Clear();
        kv.Process("nonexistent_key", (k, v) => seen.Add(k));
        Assert.That(seen, Is.Empty);
        kv.Process(null, (k, v) => seen.Add(k));
        Assert.That(seen, Is.EqualTo(new[] { "foo", "check", "check" }));
    }

    [Test]
    public void Process_StopsAtTheFirstHandlerFailure()
    {
        // test_parse_with_valid_keys: the handler rejects the third value after accepting two.
        var kv = KvArgs.Parse("foo=droids,check=value0,check=value1,check=wrong_value");
        int count = 0;
        var ex = Assert.Throws<ArgumentException>(() => kv.Process("check", (_, v) =>
        {
            if (v != $"value{count}") throw new ArgumentException($"bad value {v}");
            count++;
        }));
        Assert.That(ex!.Message, Is.EqualTo("bad value wrong_value"));
        Assert.That(count, Is.EqualTo(2));
    }

    [Test]
    public void Process_FailsOnValuelessPair_ProcessOptionalPassesNull()
    {
        // test_parse_with_only_key (DPDK 24.11+ semantics)
        var kv = KvArgs.Parse("foo,check");
        var ex = Assert.Throws<DevargsException>(() => kv.Process("check", (_, _) => Assert.Fail("handler must not run")));
        Assert.That(ex!.Message, Is.EqualTo("kvargs \"foo,check\": key 'check' at offset 4 has no value; write check=<value>"));

        var values = new List<string?>();
        kv.ProcessOptional("check", (_, v) => values.Add(v));
        Assert.That(values, Is.EqualTo(new string?[] { null }));
    }

    [Test]
    public void GetWithValue_MatchesKeyAndValue()
    {
        var kv = KvArgs.Parse("a=1,b=2,a=3");
        Assert.That(kv.GetWithValue("a", "3"), Is.EqualTo("3"));
        Assert.That(kv.GetWithValue("a", "2"), Is.Null);
        Assert.That(kv.GetWithValue(null, "2"), Is.EqualTo("2"));
        Assert.That(kv.GetWithValue("b", null), Is.EqualTo("2"));
    }

    [Test]
    public void ParseDelimited_StopsAtFirstValidEnd()
    {
        var kv = KvArgs.ParseDelimited("a=1,b=2/class=eth", "/");
        Assert.That(kv.Pairs, Is.EqualTo(new[] { new KvPair("a", "1"), new KvPair("b", "2") }));
        Assert.That(KvArgs.ParseDelimited("a=1", null).Count(), Is.EqualTo(1));
    }

    [Test]
    public void OffsetOf_PointsAtEachPair()
    {
        var kv = KvArgs.Parse(",a=1,,bb");
        Assert.That(kv.OffsetOf(0), Is.EqualTo(1));
        Assert.That(kv.OffsetOf(1), Is.EqualTo(6));
    }

    [Test]
    public void ToString_WritesPairsBack()
    {
        Assert.That(KvArgs.Parse("a=1,,b,c=[1,2]").ToString(), Is.EqualTo("a=1,b,c=[1,2]"));
    }
}
