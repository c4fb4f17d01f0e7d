using System.Text.Json;
using Eal;
using Eal.Bus;
using Eal.Bus.Vdev;
using Eal.Devargs;
using Eal.Options;
using Eal.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EalInfo;

/// <summary>
/// eal-info: registers every bus and driver the project ships, runs EAL init with the given arguments and
/// prints one JSON object describing the result (or, with <c>-- --parse-devargs</c>, parses devargs read from
/// standard input). Kept apart from <c>Main</c> so tests can run it in-process.
/// </summary>
internal static class EalInfoApp
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var parsed = EalArgumentParser.Parse(args);
            if (parsed.HelpRequested)
            {
                stdout.Write(FormatHelp());
                return 0;
            }
            using var eal = EalInstance.Init(args, services =>
            {
                services.AddLogging(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
                RegisterShippedBusesAndDrivers(services);
            });
            if (eal.ApplicationArguments.Contains("--parse-devargs"))
                return ParseDevargsMode.Run(stdin, stdout, eal.DevargsParser);
            WriteSuccess(stdout, eal);
            return 0;
        }
        catch (Exception ex) when (ex is EalArgumentException or EalInitException or PluginLoadException
                                       or DevargsException or IovaModeException)
        {
            WriteFailure(stdout, ex.Message);
            stderr.WriteLine(ex.Message);
            return 1;
        }
    }

    /// <summary>Every bus and driver this repository ships.</summary>
    internal static void RegisterShippedBusesAndDrivers(IServiceCollection services)
    {
        services.AddPciBus();
        services.AddVdevBus();
        services.AddNullPmd();
        services.AddRingPmd();
    }

    private static string FormatHelp()
    {
        var services = new ServiceCollection();
        RegisterShippedBusesAndDrivers(services);
        using var provider = services.BuildServiceProvider();
        var text = new System.Text.StringBuilder(EalOptionTable.FormatHelp("eal-info"));
        text.AppendLine().AppendLine("vdev drivers and their parameters:");
        foreach (var driver in provider.GetServices<VdevDriver>())
            text.Append("  ").Append(driver.Name).Append(' ').AppendLine(driver.ParameterString);
        text.AppendLine().AppendLine("application arguments (after --):")
            .AppendLine("  --parse-devargs   read devargs strings from stdin, print one JSON object per line");
        return text.ToString();
    }

    private static void WriteSuccess(TextWriter stdout, EalInstance eal)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Compact))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", true);
            w.WriteNumber("consumed", eal.Consumed);
            w.WriteNumber("mainLcore", eal.Settings.MainLcore);
            w.WriteNumber("lcoreCount", eal.Settings.Lcores.Count);
            w.WriteStartArray("lcores");
            foreach (var l in eal.Settings.Lcores)
            {
                w.WriteStartObject();
                w.WriteNumber("id", l.LcoreId);
                w.WriteStartArray("cpus");
                foreach (var c in l.Cpus) w.WriteNumberValue(c);
                w.WriteEndArray();
                w.WriteNumber("socket", l.NumaNode);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("iovaMode", eal.IovaMode.ToString().ToLowerInvariant());
            w.WriteString("processType", eal.ProcessType.ToString().ToLowerInvariant());
            w.WriteBoolean("hugepages", eal.UsesHugepages);
            w.WriteString("vfioMode", eal.VfioMode);
            w.WriteString("platform", eal.Platform.Name);
            w.WriteStartArray("devargs");
            foreach (var da in eal.Devargs)
            {
                w.WriteStartObject();
                w.WriteString("policy", da.Policy == DevargsPolicy.Block ? "block" : "allow");
                w.WriteString("bus", da.Bus);
                w.WriteString("name", da.Name);
                w.WriteString("args", da.Args);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("devices");
            foreach (var bus in eal.Buses)
            {
                foreach (var d in bus.Devices)
                {
                    if (!d.IsProbed) continue;
                    w.WriteStartObject();
                    w.WriteString("bus", bus.Name);
                    w.WriteString("name", d.Name);
                    w.WriteString("driver", d.Driver!.Name);
                    w.WriteNumber("numaNode", d.NumaNode);
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteStartArray("probeFailures");
            foreach (var f in eal.ProbeFailures)
            {
                w.WriteStartObject();
                w.WriteString("device", f.Device.ToString());
                w.WriteString("driver", f.Driver.Name);
                w.WriteString("reason", f.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteFailure(TextWriter stdout, string message)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Compact))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", false);
            w.WriteString("error", message);
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
