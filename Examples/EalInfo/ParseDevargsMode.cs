using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Eal.Devargs;

namespace EalInfo;

/// <summary>
/// <c>EalInfo -- --parse-devargs</c>: parses each input line as a devargs string and prints one compact JSON object
/// per line, <c>{"in","ok","bus","name","args","class","error"}</c>, the same format as DPDK's side of
/// <c>eng/devargs-oracle</c>. A field is null where <c>struct rte_devargs</c> has NULL; on failure every field but
/// <c>in</c>, <c>ok</c> and <c>error</c> is null. See <c>docs/devargs.md</c>.
/// </summary>
internal static class ParseDevargsMode
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Devargs are ASCII command-line text; keep '+', '<', '\'' and friends readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Parses every line of <paramref name="input"/>; returns 0 when all parsed, 1 when any failed.</summary>
    public static int Run(TextReader input, TextWriter output, DevargsParser parser)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(parser);
        var buffer = new ArrayBufferWriter<byte>(256);
        bool anyFailed = false;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            buffer.Clear();
            using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("in", line);
                if (parser.TryParse(line, out var da, out var error))
                {
                    json.WriteBoolean("ok", true);
                    json.WriteString("bus", da.Bus);
                    json.WriteString("name", da.Name);
                    json.WriteString("args", da.Args);
                    json.WriteString("class", da.Class);
                    json.WriteNull("error");
                }
                else
                {
                    anyFailed = true;
                    json.WriteBoolean("ok", false);
                    json.WriteNull("bus");
                    json.WriteNull("name");
                    json.WriteNull("args");
                    json.WriteNull("class");
                    json.WriteString("error", error);
                }
                json.WriteEndObject();
            }
            output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        output.Flush();
        return anyFailed ? 1 : 0;
    }
}
