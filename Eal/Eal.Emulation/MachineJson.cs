using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eal.Emulation;

/// <summary>Reads and writes <see cref="MachineDescription"/> as JSON (source-generated, AOT-safe).</summary>
public static class MachineJson
{
    /// <summary>Parses a machine description; <paramref name="source"/> names the origin in errors.</summary>
    /// <exception cref="FormatException">The JSON is malformed or describes an impossible machine.</exception>
    public static MachineDescription Parse(string json, string source = "JSON")
    {
        MachineDescription? m;
        try
        {
            m = JsonSerializer.Deserialize(json, MachineJsonContext.Default.MachineDescription);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"machine description {source}: {ex.Message}", ex);
        }
        if (m is null) throw new FormatException($"machine description {source}: the document is 'null'; expected an object");
        MachineValidator.Validate(m, source);
        return m;
    }

    /// <summary>Reads a machine description from a JSON file.</summary>
    public static MachineDescription Load(string path) => Parse(File.ReadAllText(path), $"file '{path}'");

    /// <summary>Writes <paramref name="machine"/> as indented JSON.</summary>
    public static string Serialize(MachineDescription machine) =>
        JsonSerializer.Serialize(machine, MachineJsonContext.Default.MachineDescription);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(MachineDescription))]
internal sealed partial class MachineJsonContext : JsonSerializerContext;

/// <summary>Accepts a number or a string (<c>"0x8086"</c>, <c>"32902"</c>); writes <c>"0x8086"</c>.</summary>
internal sealed class HexUInt32JsonConverter : JsonConverter<uint>
{
    public override uint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.GetUInt32();
        string s = reader.GetString() ?? throw new JsonException("expected a number or a hex string such as \"0x8086\"");
        ulong v = HexParsing.ParseUInt64(s);
        if (v > uint.MaxValue) throw new JsonException($"'{s}' does not fit 32 bits");
        return (uint)v;
    }

    public override void Write(Utf8JsonWriter writer, uint value, JsonSerializerOptions options) =>
        writer.WriteStringValue("0x" + value.ToString(value > 0xFFFF ? "x6" : "x4", CultureInfo.InvariantCulture));
}

/// <summary>Accepts a number or a string (<c>"0xfe000000"</c>); writes a hex string.</summary>
internal sealed class HexUInt64JsonConverter : JsonConverter<ulong>
{
    public override ulong Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.GetUInt64();
        return HexParsing.ParseUInt64(reader.GetString() ?? throw new JsonException("expected a number or a hex string such as \"0x1000\""));
    }

    public override void Write(Utf8JsonWriter writer, ulong value, JsonSerializerOptions options) =>
        writer.WriteStringValue("0x" + value.ToString("x", CultureInfo.InvariantCulture));
}

internal static class HexParsing
{
    /// <summary>Parses <c>0x</c>-prefixed hex or decimal; throws <see cref="JsonException"/>.</summary>
    public static ulong ParseUInt64(string s)
    {
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok) throw new JsonException($"'{s}' is not a number; write hex as \"0x1af4\" or decimal digits");
        return v;
    }
}
