using System.Globalization;

namespace TestPmd;

/// <summary>The packet forwarding engines (testpmd's <c>--forward-mode</c>).</summary>
internal enum ForwardMode
{
    /// <summary>Receive and send the same mbufs to the peer port unchanged.</summary>
    Io,
    /// <summary>Like io, but set the Ethernet source to the Tx port's MAC and the destination to the peer address.</summary>
    Mac,
    /// <summary>Like io, but swap the Ethernet source and destination addresses.</summary>
    MacSwap,
    /// <summary>Receive and free.</summary>
    RxOnly,
    /// <summary>Generate 64-byte IPv4/UDP packets and send them.</summary>
    TxOnly,
}

/// <summary>A testpmd application argument (after <c>--</c>) is invalid.</summary>
internal sealed class TestPmdArgumentException(string message) : Exception(message);

/// <summary>testpmd's application arguments (those after the EAL arguments and <c>--</c>).</summary>
internal sealed record TestPmdOptions
{
    /// <summary>testpmd's <c>MAX_PKT_BURST</c>.</summary>
    public const int MaxBurst = 512;

    public ForwardMode Mode { get; init; } = ForwardMode.Io;
    public int? NbCores { get; init; }
    public int RxQueues { get; init; } = 1;
    public int TxQueues { get; init; } = 1;
    public int Burst { get; init; } = 32;
    public int? TotalNumMbufs { get; init; }
    public int MbufCache { get; init; } = 250;
    public int RxDescriptors { get; init; } = 512;
    public int TxDescriptors { get; init; } = 512;
    public int StatsPeriod { get; init; }
    public double? Duration { get; init; }
    public bool AutoStart { get; init; }
    public bool Interactive { get; init; }
    public bool Help { get; init; }
    public bool TxFirst { get; init; }

    public static string ModeName(ForwardMode mode) => mode switch
    {
        ForwardMode.MacSwap => "macswap",
        ForwardMode.RxOnly => "rxonly",
        ForwardMode.TxOnly => "txonly",
        _ => mode.ToString().ToLowerInvariant(),
    };

    public const string HelpText = """
        testpmd application arguments (after the EAL arguments and --):
          -i, --interactive             run the command prompt (start, stop, show port stats all, quit)
          -a, --auto-start              start forwarding at once (always done without -i)
          --forward-mode=MODE           io (default), mac, macswap, rxonly, txonly
          --nb-cores=N                  forwarding lcores, 1..number of worker lcores (default: all workers)
          --rxq=N, --txq=N              Rx/Tx queues per port, 1..1024 (default 1)
          --rxd=N, --txd=N              descriptors per Rx/Tx queue, 1..65535 (default 512)
          --burst=N                     packets per burst, 1..512 (default 32)
          --total-num-mbufs=N           mbufs in the pool, > 1024 (default: enough for every queue and lcore)
          --mbcache=N                   per-lcore mbuf cache, 0..512 (default 250)
          --stats-period=N              print port statistics every N seconds (default 0: never)
          --tx-first                    send one txonly burst per stream before forwarding (primes net_ring loops)
          --duration=S                  stop forwarding after S seconds (not in DPDK's testpmd)
          -h, --help                    this text
        """;

    /// <summary>Parses testpmd arguments; both <c>--opt=value</c> and <c>--opt value</c> are accepted, as getopt_long does.</summary>
    /// <exception cref="TestPmdArgumentException">An argument is unknown or its value is invalid.</exception>
    public static TestPmdOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TestPmdOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            string Value()
            {
                if (value is not null) return value;
                if (i + 1 >= args.Count || args[i + 1].StartsWith('-'))
                    throw new TestPmdArgumentException($"{name}: missing value; write {name}=<value>");
                return args[++i];
            }
            switch (name)
            {
                case "-i" or "--interactive": NoValue(name, value); o = o with { Interactive = true }; break;
                case "-a" or "--auto-start": NoValue(name, value); o = o with { AutoStart = true }; break;
                case "--tx-first": NoValue(name, value); o = o with { TxFirst = true }; break;
                case "-h" or "--help": NoValue(name, value); o = o with { Help = true }; break;
                case "--forward-mode": o = o with { Mode = ParseMode(Value()) }; break;
                case "--nb-cores": o = o with { NbCores = Int(name, Value(), 1, 128, "a number of forwarding lcores from 1 to the number of worker lcores") }; break;
                case "--rxq": o = o with { RxQueues = Int(name, Value(), 1, 1024, "a queue count from 1 to 1024") }; break;
                case "--txq": o = o with { TxQueues = Int(name, Value(), 1, 1024, "a queue count from 1 to 1024") }; break;
                case "--rxd": o = o with { RxDescriptors = Int(name, Value(), 1, 65535, "a descriptor count from 1 to 65535") }; break;
                case "--txd": o = o with { TxDescriptors = Int(name, Value(), 1, 65535, "a descriptor count from 1 to 65535") }; break;
                case "--burst": o = o with { Burst = Int(name, Value(), 1, MaxBurst, $"a burst size from 1 to {MaxBurst}") }; break;
                case "--total-num-mbufs": o = o with { TotalNumMbufs = Int(name, Value(), 1025, int.MaxValue, "more than 1024 mbufs") }; break;
                case "--mbcache": o = o with { MbufCache = Int(name, Value(), 0, 512, "a cache size from 0 to 512") }; break;
                case "--stats-period": o = o with { StatsPeriod = Int(name, Value(), 1, 3600, "a period in whole seconds from 1 to 3600") }; break;
                case "--duration": o = o with { Duration = Seconds(name, Value()) }; break;
                default:
                    throw new TestPmdArgumentException($"{arg}: unknown testpmd argument; see -- --help for the supported ones");
            }
        }
        return o;
    }

    private static void NoValue(string name, string? value)
    {
        if (value is not null) throw new TestPmdArgumentException($"{name}={value}: {name} takes no value");
    }

    private static ForwardMode ParseMode(string v) => v switch
    {
        "io" => ForwardMode.Io,
        "mac" => ForwardMode.Mac,
        "macswap" => ForwardMode.MacSwap,
        "rxonly" => ForwardMode.RxOnly,
        "txonly" => ForwardMode.TxOnly,
        _ => throw new TestPmdArgumentException($"--forward-mode={v}: unknown forwarding mode; valid modes are io, mac, macswap, rxonly, txonly"),
    };

    private static int Int(string name, string v, int min, int max, string expected)
    {
        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new TestPmdArgumentException($"{name}={v}: invalid value; expected {expected}");
        return n;
    }

    private static double Seconds(string name, string v)
    {
        if (!double.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double s) || s <= 0 || s > 86400 || double.IsNaN(s))
            throw new TestPmdArgumentException($"{name}={v}: invalid duration; expected seconds greater than 0, e.g. --duration=10 or --duration=0.5");
        return s;
    }
}
