using System.Globalization;
using System.Text.RegularExpressions;
using TestPmd;

namespace Eal.Integration.Tests.TestPmd;

[TestFixture]
public sealed partial class TestPmdRunTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args) => Run(stdin, CancellationToken.None, args);

    private static (int Code, string Out, string Err) Run(string stdin, CancellationToken cancel, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = TestPmdApp.Run(args, new StringReader(stdin), stdout, stderr, cancel);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private sealed record PortStats(ulong Rx, ulong RxDropped, ulong RxTotal, ulong Tx, ulong TxDropped, ulong TxTotal);

    [GeneratedRegex(@"-+ Forward statistics for port (\d+) +-+\n  RX-packets: (\d+) +RX-dropped: (\d+) +RX-total: (\d+)\n  TX-packets: (\d+) +TX-dropped: (\d+) +TX-total: (\d+)\n")]
    private static partial Regex PortBlock();

    [GeneratedRegex(@"Accumulated forward statistics for all ports\++\n  RX-packets: (\d+) +RX-dropped: (\d+) +RX-total: (\d+)\n  TX-packets: (\d+) +TX-dropped: (\d+) +TX-total: (\d+)\n")]
    private static partial Regex AccumulatedBlock();

    [GeneratedRegex(@"Total forwarded packets: (\d+) in ([0-9.]+) s = ([0-9.]+) Mpps")]
    private static partial Regex FinalLine();

    private static Dictionary<int, PortStats> ParsePorts(string output) => PortBlock().Matches(output.ReplaceLineEndings("\n")).ToDictionary(
        m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
        m => new PortStats(U(m, 2), U(m, 3), U(m, 4), U(m, 5), U(m, 6), U(m, 7)));

    private static ulong U(Match m, int g) => ulong.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);

    [Test]
    public void Io_forwarding_on_the_emulated_platform_prints_consistent_forward_statistics()
    {
        var (code, output, err) = Run("", "--emulate", "-l", "0-1", "--vdev", "net_null0", "--vdev", "net_null1", "--",
            "--forward-mode=io", "--auto-start", "--duration", "1");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("Set io packet forwarding mode"));
        Assert.That(output, Does.Contain("io packet forwarding - ports=2 - cores=1 - streams=2"));
        Assert.That(output, Does.Contain("Logical Core 1 (socket 0) forwards packets on 2 streams:"));
        Assert.That(output, Does.Contain("  RX P=0/Q=0 (socket 0) -> TX P=1/Q=0 (socket 0) peer=02:00:00:00:00:01"));
        Assert.That(output, Does.Contain("  RX P=1/Q=0 (socket 0) -> TX P=0/Q=0 (socket 0) peer=02:00:00:00:00:00"));

        var ports = ParsePorts(output);
        Assert.That(ports.Keys, Is.EquivalentTo(new[] { 0, 1 }));
        foreach (var (rxPort, txPort) in new[] { (0, 1), (1, 0) })
        {
            var rx = ports[rxPort];
            var tx = ports[txPort];
            Assert.That(rx.Rx, Is.GreaterThan(0UL), $"port {rxPort} received");
            Assert.That(tx.Tx + tx.TxDropped, Is.EqualTo(rx.Rx), $"io mode: every packet received on port {rxPort} is sent or dropped on port {txPort}");
            Assert.That(rx.RxTotal, Is.EqualTo(rx.Rx + rx.RxDropped));
            Assert.That(tx.TxTotal, Is.EqualTo(tx.Tx + tx.TxDropped));
        }
        var acc = AccumulatedBlock().Match(output.ReplaceLineEndings("\n"));
        Assert.That(acc.Success, Is.True, output);
        Assert.That(U(acc, 1), Is.EqualTo(ports[0].Rx + ports[1].Rx));
        Assert.That(U(acc, 4), Is.EqualTo(ports[0].Tx + ports[1].Tx));

        var final = FinalLine().Match(output);
        Assert.That(final.Success, Is.True, output);
        Assert.That(U(final, 1), Is.EqualTo(U(acc, 4)), "forwarded = accumulated TX-packets");
        double seconds = double.Parse(final.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.That(seconds, Is.InRange(0.9, 10.0));
        double mpps = double.Parse(final.Groups[3].Value, CultureInfo.InvariantCulture);
        // seconds are printed rounded to milliseconds, so recomputing Mpps from them agrees only to ~0.1%.
        Assert.That(mpps, Is.EqualTo(U(final, 1) / seconds / 1e6).Within(0.1).Percent);
        Assert.That(output, Does.Contain("Port 0 is closed").And.Contain("Port 1 is closed").And.EndWith("Bye..." + Environment.NewLine));
    }

    [Test]
    public void Stats_period_prints_nic_statistics_with_throughput()
    {
        var (code, output, err) = Run("", "--emulate", "-l", "0-1", "--vdev", "net_null0", "--vdev", "net_null1", "--",
            "--stats-period=1", "--duration=2.5");
        Assert.That(code, Is.Zero, err);
        var shows = Regex.Matches(output, "Port statistics ====================================");
        Assert.That(shows, Has.Count.EqualTo(2), "at 1 s and 2 s");
        Assert.That(output, Does.Contain("  ######################## NIC statistics for port 0  ########################"));
        var pps = Regex.Matches(output, @"  Rx-pps: +(\d+) +Rx-bps: +\d+").Select(m => ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.That(pps, Has.Length.EqualTo(4));
        Assert.That(pps[..2], Is.All.Zero, "the first show has no previous one (as testpmd)");
        Assert.That(pps[2..], Is.All.GreaterThan(0UL));
    }

    [TestCase("rxonly")]
    [TestCase("txonly")]
    [TestCase("mac")]
    [TestCase("macswap")]
    public void Other_engines_count_what_they_do(string mode)
    {
        var (code, output, err) = Run("", "--emulate", "-l", "0-1", "--vdev", "net_null0", "--vdev", "net_null1", "--",
            $"--forward-mode={mode}", "--duration=0.3", "--burst=16");
        Assert.That(code, Is.Zero, err);
        var ports = ParsePorts(output);
        ulong rx = ports[0].Rx + ports[1].Rx, tx = ports[0].Tx + ports[1].Tx;
        switch (mode)
        {
            case "rxonly": Assert.That((rx > 0, tx), Is.EqualTo((true, 0UL))); break;
            case "txonly": Assert.That((rx, tx > 0, tx % 16), Is.EqualTo((0UL, true, 0UL)), "whole bursts of 16"); break;
            default: Assert.That((rx > 0, tx), Is.EqualTo((true, rx))); break;
        }
        Assert.That(output, Does.Contain($"Total forwarded packets: {(mode == "rxonly" ? rx : tx)} in"));
    }

    [Test]
    public void Ring_ports_forward_the_tx_first_burst_round_and_round()
    {
        var (code, output, err) = Run("", "--emulate", "-l", "0-1", "--vdev", "net_ring0", "--vdev", "net_ring1", "--",
            "--tx-first", "--duration=0.5");
        Assert.That(code, Is.Zero, err);
        var ports = ParsePorts(output);
        ulong rx = ports[0].Rx + ports[1].Rx, tx = ports[0].Tx + ports[1].Tx;
        Assert.That(rx, Is.GreaterThan(64UL), "the primed packets went round more than once");
        Assert.That(tx - rx, Is.InRange(0UL, 64UL), "at most the 2 x 32 primed packets are still in the rings at stop");
    }

    [Test]
    public void Interactive_prompt_starts_stops_shows_and_quits()
    {
        var (code, output, err) = Run("show port stats all\nstop\nstart\nstart\nstop\nbogus\nquit\n",
            "--emulate", "-l", "0-1", "--vdev", "net_null0", "--vdev", "net_null1", "--", "-i");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("testpmd> "));
        Assert.That(output, Does.Contain("NIC statistics for port 1"));
        Assert.That(output, Does.Contain("Packet forwarding not started"));
        Assert.That(output, Does.Contain("Packet forwarding already started"));
        Assert.That(Regex.Matches(output, "Forward statistics for port 0"), Has.Count.EqualTo(1));
        Assert.That(output, Does.Contain("Bad arguments: 'bogus' is not a command here"));
        Assert.That(output, Does.Not.Contain("No commandline core given"));
    }

    [Test]
    public void Cancellation_stops_forwarding_cleanly_with_statistics()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        var (code, output, err) = Run("", cts.Token, "--emulate", "-l", "0-1", "--vdev", "net_null0", "--vdev", "net_null1", "--", "--stats-period=60");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("Signal received, preparing to exit..."));
        Assert.That(ParsePorts(output)[0].Rx, Is.GreaterThan(0UL));
        Assert.That(output, Does.Contain("Port 1 is closed"));
    }

    [Test]
    public void Without_stats_or_duration_it_waits_for_enter()
    {
        var (code, output, err) = Run("\n", "--emulate", "-l", "0-1", "--vdev", "net_null0", "--vdev", "net_null1");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("Press enter to exit"));
        Assert.That(ParsePorts(output), Has.Count.EqualTo(2));
    }

    [TestCase(new[] { "--emulate", "-l", "0", "--vdev", "net_null0" },
        "testpmd: no worker lcore to forward on: the only lcore is the main lcore 0; give at least two lcores, e.g. -l 0-1")]
    [TestCase(new[] { "--emulate", "-l", "0-1", "--vdev", "net_null0", "--", "--nb-cores=2" },
        "testpmd: --nb-cores=2: only 1 worker lcore(s) (1) besides the main lcore; lower --nb-cores or add lcores with -l")]
    [TestCase(new[] { "--emulate", "-l", "0-1" },
        "testpmd: No probed ethernet devices; add ports, e.g. --vdev net_null0 --vdev net_null1")]
    [TestCase(new[] { "--emulate", "-l", "0-1", "--vdev", "net_null0", "--", "--burst=0" },
        "testpmd: --burst=0: invalid value; expected a burst size from 1 to 512")]
    [TestCase(new[] { "--emulate", "--bogus-eal" }, "testpmd: --bogus-eal: unknown option '--bogus-eal'; run with --help")]
    public void Errors_exit_1_with_the_reason(string[] args, string message)
    {
        var (code, _, err) = Run("", args);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.StartWith(message));
    }

    [Test]
    public void Two_forwarding_lcores_share_the_streams()
    {
        var (code, output, err) = Run("", "--emulate=cpus=3", "-l", "0-2", "--vdev", "net_null0", "--vdev", "net_null1", "--",
            "--nb-cores=2", "--rxq=2", "--txq=2", "--duration=0.3");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("io packet forwarding - ports=2 - cores=2 - streams=4"));
        Assert.That(output, Does.Contain("Logical Core 1 (socket 0) forwards packets on 2 streams:\n  RX P=0/Q=0 (socket 0) -> TX P=1/Q=0".ReplaceLineEndings()));
        Assert.That(output, Does.Contain("Logical Core 2 (socket 0) forwards packets on 2 streams:\n  RX P=1/Q=0 (socket 0) -> TX P=0/Q=0".ReplaceLineEndings()));
        var ports = ParsePorts(output);
        Assert.That(ports[1].Tx + ports[1].TxDropped, Is.EqualTo(ports[0].Rx));
    }
}
