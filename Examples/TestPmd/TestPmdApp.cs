using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Eal;
using Eal.Bus;
using Eal.Devargs;
using Eal.Ethdev;
using Eal.Lcores;
using Eal.Memory.Mbufs;
using Eal.Options;
using Eal.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TestPmd;

/// <summary>
/// testpmd: EAL arguments, <c>--</c>, then testpmd arguments. Configures every probed ethdev port, pairs ports
/// (0&lt;-&gt;1, 2&lt;-&gt;3), spreads the streams over the forwarding lcores, forwards on pinned worker lcores while
/// the main lcore prints statistics, and prints testpmd's forward statistics at stop. Kept apart from
/// <c>Main</c> so tests run it in-process; the cancellation token of <c>Run</c> is what SIGINT/SIGTERM trigger.
/// </summary>
internal static class TestPmdApp
{
    /// <summary>Every bus and driver this repository ships, plus ethdev.</summary>
    internal static void RegisterShippedBusesAndDrivers(IServiceCollection services)
    {
        services.AddPciBus();
        services.AddVdevBus();
        services.AddEthdev();
        services.AddNullPmd();
        services.AddRingPmd();
    }

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        TestPmdOptions options;
        try
        {
            var parsed = EalArgumentParser.Parse(args);
            if (parsed.HelpRequested)
            {
                stdout.Write(EalOptionTable.FormatHelp("testpmd"));
                stdout.WriteLine();
                stdout.WriteLine(TestPmdOptions.HelpText);
                return 0;
            }
            options = TestPmdOptions.Parse(parsed.ApplicationArguments);
        }
        catch (Exception ex) when (ex is EalArgumentException or TestPmdArgumentException)
        {
            stderr.WriteLine($"testpmd: {ex.Message}");
            return 1;
        }
        if (options.Help)
        {
            stdout.WriteLine(TestPmdOptions.HelpText);
            return 0;
        }

        var services = new ServiceCollection();
        try
        {
            services.AddEal(args);
        }
        catch (Exception ex) when (ex is EalArgumentException or EalInitException or PluginLoadException)
        {
            stderr.WriteLine($"testpmd: {ex.Message}");
            return 1;
        }
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        RegisterShippedBusesAndDrivers(services);
        using var provider = services.BuildServiceProvider();
        try
        {
            var eal = provider.GetRequiredService<EalInstance>();
            try
            {
                eal.Start();
                using var session = new Session(eal, provider.GetRequiredService<EthdevRegistry>(), options, stdout);
                session.Setup();
                return session.Run(stdin, cancel);
            }
            finally
            {
                eal.Dispose();
            }
        }
        catch (Exception ex) when (ex is EalArgumentException or EalInitException or PluginLoadException or DevargsException
                                       or EthdevException or TestPmdArgumentException or IovaModeException or ArgumentException
                                       or LcoreJobException)
        {
            stdout.Flush();
            stderr.WriteLine($"testpmd: {ex.Message}");
            return 1;
        }
    }

    /// <summary>One run: the pool, the configured ports, the streams and the forwarding lcores.</summary>
    private sealed unsafe class Session(EalInstance eal, EthdevRegistry ethdev, TestPmdOptions options, TextWriter output) : IDisposable
    {
        private const string FwdBorder = "----------------------";
        private const string AccBorder = "+++++++++++++++";

        private readonly List<EthPort> _ports = [];
        private readonly List<(int Lcore, int First, int Count)> _fwdLcores = [];
        private PktMbufPool? _pool;
        private FwdStream* _streams;
        private int _streamCount;
        private FwdControl* _control;
        private bool _forwarding;
        private bool _txFirst = options.TxFirst;
        private EthStats[] _startStats = [];
        private (ulong Rx, ulong Tx, long Ticks)[] _lastShow = [];
        private readonly Stopwatch _clock = new();

        public void Setup()
        {
            _ports.AddRange(ethdev.Ports.OrderBy(p => p.PortId));
            if (_ports.Count == 0)
                throw new TestPmdArgumentException("No probed ethernet devices; add ports, e.g. --vdev net_null0 --vdev net_null1");
            var workers = eal.Lcores.WorkerIds;
            if (workers.Count == 0)
                throw new TestPmdArgumentException(
                    $"no worker lcore to forward on: the only lcore is the main lcore {eal.Lcores.MainLcoreId}; give at least two lcores, e.g. -l 0-1");
            int nbCores = options.NbCores ?? 1;
            if (nbCores > workers.Count)
                throw new TestPmdArgumentException(
                    $"--nb-cores={nbCores}: only {workers.Count} worker lcore(s) ({CpuList(workers)}) besides the main lcore; lower --nb-cores or add lcores with -l");

            // Streams: every Rx queue of every port, to the peer port (0<->1, 2<->3; an odd last port to itself).
            _streamCount = _ports.Count * options.RxQueues;
            _streams = (FwdStream*)NativeMemory.AlignedAlloc((nuint)(_streamCount * sizeof(FwdStream)), 64);
            new Span<byte>(_streams, _streamCount * sizeof(FwdStream)).Clear();
            _control = (FwdControl*)NativeMemory.AlignedAlloc((nuint)sizeof(FwdControl), 64);
            *_control = default;
            for (int k = 0, s = 0; k < _ports.Count; k++)
            {
                var peer = _ports[(k ^ 1) < _ports.Count ? k ^ 1 : k];
                for (int q = 0; q < options.RxQueues; q++, s++)
                {
                    FwdStream* fs = _streams + s;
                    fs->RxPort = _ports[k].PortId;
                    fs->RxQueue = (ushort)q;
                    fs->TxPort = peer.PortId;
                    fs->TxQueue = (ushort)(q % options.TxQueues);
                    fs->Pkts = (Mbuf**)NativeMemory.AlignedAlloc((nuint)(TestPmdOptions.MaxBurst * sizeof(nint)), 64);
                }
            }
            if (_ports.Count % 2 == 1)
                output.WriteLine($"Warning! odd number of ports: port {_ports[^1].PortId} forwards to itself");

            int nbFwd = Math.Min(nbCores, _streamCount);
            for (int i = 0; i < nbFwd; i++)
            {
                int first = i * _streamCount / nbFwd;
                int next = (i + 1) * _streamCount / nbFwd;
                _fwdLcores.Add((workers[i], first, next - first));
            }

            int lcoreCount = eal.Settings.Lcores.Count;
            uint mbufs = (uint)(options.TotalNumMbufs ?? Math.Max(8192,
                _ports.Count * (options.RxQueues * options.RxDescriptors + options.TxQueues * options.TxDescriptors)
                + lcoreCount * (options.MbufCache + TestPmdOptions.MaxBurst)));
            uint cache = (uint)Math.Min(options.MbufCache, (int)(mbufs * 2 / 3));
            int socket = _ports[0].NumaNode < 0 ? 0 : _ports[0].NumaNode;
            output.WriteLine($"testpmd: create a new mbuf pool <mb_pool_0>: n={mbufs}, size={PktMbufPool.DefaultDataRoomSize}, socket={socket}");
            _pool = PktMbufPool.Create(eal.Memory.Memzones, "mb_pool_0", mbufs, cache, socket: socket);
            for (int s = 0; s < _streamCount; s++) _streams[s].Pool = _pool.Native;

            output.WriteLine($"Set {TestPmdOptions.ModeName(options.Mode)} packet forwarding mode");
            if (options.AutoStart) output.WriteLine("Auto-start selected");
            foreach (var port in _ports) ConfigurePort(port);
            FillMacs();
        }

        private int LcoreOfRxQueue(ushort port, ushort queue)
        {
            foreach (var (lcore, first, count) in _fwdLcores)
                for (int s = first; s < first + count; s++)
                    if (_streams[s].RxPort == port && _streams[s].RxQueue == queue) return lcore;
            return -1;
        }

        private int LcoreOfTxQueue(ushort port, ushort queue)
        {
            foreach (var (lcore, first, count) in _fwdLcores)
                for (int s = first; s < first + count; s++)
                    if (_streams[s].TxPort == port && _streams[s].TxQueue == queue) return lcore;
            return -1;
        }

        private void ConfigurePort(EthPort port)
        {
            int socket = port.NumaNode < 0 ? 0 : port.NumaNode;
            output.WriteLine($"Configuring Port {port.PortId} (socket {socket})");
            port.Configure((ushort)options.RxQueues, (ushort)options.TxQueues);
            for (ushort q = 0; q < options.RxQueues; q++)
            {
                int lcore = LcoreOfRxQueue(port.PortId, q);
                port.SetupRxQueue(q, (ushort)options.RxDescriptors, _pool!,
                    new RxQueueConfig { LcoreId = lcore < 0 ? RxQueueConfig.NoLcore : (uint)lcore });
            }
            for (ushort q = 0; q < options.TxQueues; q++)
            {
                int lcore = LcoreOfTxQueue(port.PortId, q);
                port.SetupTxQueue(q, (ushort)options.TxDescriptors,
                    new TxQueueConfig { LcoreId = lcore < 0 ? RxQueueConfig.NoLcore : (uint)lcore });
            }
            port.Start();
            output.WriteLine($"Port {port.PortId}: {port.MacAddress}");
        }

        private void FillMacs()
        {
            for (int s = 0; s < _streamCount; s++)
            {
                FwdStream* fs = _streams + s;
                var src = ethdev.GetPort(fs->TxPort).MacAddress;
                src.CopyTo(new Span<byte>(fs->Macs, 6));
                PeerAddress(fs->TxPort).CopyTo(new Span<byte>(fs->Macs + 6, 6));
            }
        }

        /// <summary>testpmd's default peer address of a port: 02:00:00:00:00:&lt;port&gt;.</summary>
        private static MacAddress PeerAddress(ushort port) => new(0x02_00_00_00_00_00UL | port);

        public int Run(TextReader stdin, CancellationToken cancel)
        {
            if (options.Interactive)
            {
                if (options.AutoStart)
                {
                    output.WriteLine("Start automatic packet forwarding");
                    StartForwarding();
                }
                Prompt(stdin, cancel);
            }
            else
            {
                output.WriteLine("No commandline core given, start packet forwarding");
                StartForwarding();
                WaitUntilStopped(stdin, cancel);
            }
            if (_forwarding) StopForwarding();
            return 0;
        }

        private void WaitUntilStopped(TextReader stdin, CancellationToken cancel)
        {
            var start = Stopwatch.StartNew();
            if (options.StatsPeriod == 0 && options.Duration is null)
            {
                output.WriteLine("Press enter to exit");
                output.Flush();
                var read = Task.Run(stdin.ReadLine, CancellationToken.None);
                try { read.Wait(cancel); }
                catch (OperationCanceledException) { output.WriteLine(); output.WriteLine("Signal received, preparing to exit..."); }
                return;
            }
            long periodTicks = options.StatsPeriod * Stopwatch.Frequency;
            long nextStats = periodTicks;
            double? limit = options.Duration;
            while (!cancel.IsCancellationRequested)
            {
                double elapsed = start.Elapsed.TotalSeconds;
                if (limit is { } l && elapsed >= l) break;
                double untilStats = options.StatsPeriod > 0 ? (nextStats - start.ElapsedTicks) / (double)Stopwatch.Frequency : double.MaxValue;
                double untilEnd = limit is { } l2 ? l2 - elapsed : double.MaxValue;
                double wait = Math.Max(0, Math.Min(untilStats, untilEnd));
                if (wait > 0 && cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(wait, 3600)))) break;
                if (options.StatsPeriod > 0 && start.ElapsedTicks >= nextStats)
                {
                    ShowPortStats();
                    nextStats += periodTicks;
                }
            }
            if (cancel.IsCancellationRequested)
            {
                output.WriteLine();
                output.WriteLine("Signal received, preparing to exit...");
            }
        }

        private void Prompt(TextReader stdin, CancellationToken cancel)
        {
            while (!cancel.IsCancellationRequested)
            {
                output.Write("testpmd> ");
                output.Flush();
                string? line = stdin.ReadLine();
                if (line is null) { output.WriteLine(); return; }
                switch (string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
                {
                    case "": break;
                    case "start":
                        if (_forwarding) output.WriteLine("Packet forwarding already started");
                        else StartForwarding();
                        break;
                    case "start tx_first":
                        if (_forwarding) output.WriteLine("Packet forwarding already started");
                        else { _txFirst = true; StartForwarding(); }
                        break;
                    case "stop":
                        if (!_forwarding) output.WriteLine("Packet forwarding not started");
                        else StopForwarding();
                        break;
                    case "show port stats all": ShowPortStats(); break;
                    case "quit": return;
                    case "help":
                        output.WriteLine("commands: start, start tx_first, stop, show port stats all, quit");
                        break;
                    default:
                        output.WriteLine($"Bad arguments: '{line}' is not a command here; commands: start, start tx_first, stop, show port stats all, quit");
                        break;
                }
            }
        }

        private void StartForwarding()
        {
            PrintConfiguration();
            _startStats = _ports.Select(p => p.GetStats()).ToArray();
            _lastShow = new (ulong, ulong, long)[_ports.Count];
            for (int s = 0; s < _streamCount; s++)
            {
                _streams[s].RxPackets = 0;
                _streams[s].TxPackets = 0;
                _streams[s].FwdDropped = 0;
            }
            Volatile.Write(ref _control->Stop, 0);
            foreach (var (lcore, first, count) in _fwdLcores)
            {
                switch (options.Mode)
                {
                    case ForwardMode.Io: Launch<IoEngine>(lcore, first, count); break;
                    case ForwardMode.Mac: Launch<MacEngine>(lcore, first, count); break;
                    case ForwardMode.MacSwap: Launch<MacSwapEngine>(lcore, first, count); break;
                    case ForwardMode.RxOnly: Launch<RxOnlyEngine>(lcore, first, count); break;
                    default: Launch<TxOnlyEngine>(lcore, first, count); break;
                }
            }
            _clock.Restart();
            _forwarding = true;
            _txFirst = false;
        }

        private void Launch<TEngine>(int lcore, int first, int count) where TEngine : struct, IForwardEngine =>
            eal.Lcores.RemoteLaunch(lcore, new ForwardJob<TEngine>(ethdev.FastPath, _streams + first, count, (ushort)options.Burst, _control, _txFirst));

        private void PrintConfiguration()
        {
            string mode = TestPmdOptions.ModeName(options.Mode);
            output.WriteLine($"{mode} packet forwarding - ports={_ports.Count} - cores={_fwdLcores.Count} - streams={_streamCount} - NUMA support enabled, MP allocation mode: native");
            foreach (var (lcore, first, count) in _fwdLcores)
            {
                var lc = eal.Lcores[lcore];
                output.WriteLine($"Logical Core {lcore} (socket {lc.NumaNode}) forwards packets on {count} streams:");
                for (int s = first; s < first + count; s++)
                {
                    FwdStream* fs = _streams + s;
                    output.WriteLine($"  RX P={fs->RxPort}/Q={fs->RxQueue} (socket {Socket(fs->RxPort)}) -> TX P={fs->TxPort}/Q={fs->TxQueue} (socket {Socket(fs->TxPort)}) peer={PeerAddress(fs->TxPort)}");
                }
            }
            output.WriteLine();
            output.WriteLine($"  {mode} packet forwarding packets/burst={options.Burst}");
            output.WriteLine($"  nb forwarding cores={_fwdLcores.Count} - nb forwarding ports={_ports.Count}");
            foreach (var p in _ports)
                output.WriteLine($"  port {p.PortId}: RX queue number: {options.RxQueues} Tx queue number: {options.TxQueues}");
        }

        private int Socket(ushort port) => ethdev.GetPort(port).NumaNode is var n && n < 0 ? 0 : n;

        private void StopForwarding()
        {
            output.WriteLine("Telling cores to stop...");
            Volatile.Write(ref _control->Stop, 1);
            output.WriteLine("Waiting for lcores to finish...");
            LcoreJobException? failure = null;
            foreach (var (lcore, _, _) in _fwdLcores)
            {
                try { eal.Lcores.Wait(lcore); }
                catch (LcoreJobException ex) { failure ??= ex; }
            }
            double seconds = _clock.Elapsed.TotalSeconds;
            _forwarding = false;
            if (failure is not null) throw failure;
            PrintForwardStats(seconds);
            output.WriteLine();
            output.WriteLine("Done.");
        }

        private void PrintForwardStats(double seconds)
        {
            ulong accRx = 0, accRxDrop = 0, accTx = 0, accTxDrop = 0;
            for (int i = 0; i < _ports.Count; i++)
            {
                var port = _ports[i];
                var now = port.GetStats();
                ulong rx = now.IPackets - _startStats[i].IPackets;
                ulong rxDrop = now.IMissed - _startStats[i].IMissed;
                ulong tx = now.OPackets - _startStats[i].OPackets;
                ulong txDrop = 0;
                for (int s = 0; s < _streamCount; s++)
                    if (_streams[s].TxPort == port.PortId) txDrop += _streams[s].FwdDropped;
                accRx += rx; accRxDrop += rxDrop; accTx += tx; accTxDrop += txDrop;
                output.WriteLine();
                output.WriteLine($"  {FwdBorder} Forward statistics for port {port.PortId,-2} {FwdBorder}");
                output.WriteLine($"  RX-packets: {rx,-14} RX-dropped: {rxDrop,-14}RX-total: {rx + rxDrop}");
                output.WriteLine($"  TX-packets: {tx,-14} TX-dropped: {txDrop,-14}TX-total: {tx + txDrop}");
                output.WriteLine($"  {FwdBorder}--------------------------------{FwdBorder}");
            }
            output.WriteLine();
            output.WriteLine($"  {AccBorder} Accumulated forward statistics for all ports{AccBorder}");
            output.WriteLine($"  RX-packets: {accRx,-14} RX-dropped: {accRxDrop,-14}RX-total: {accRx + accRxDrop}");
            output.WriteLine($"  TX-packets: {accTx,-14} TX-dropped: {accTxDrop,-14}TX-total: {accTx + accTxDrop}");
            output.WriteLine($"  {AccBorder}++++++++++++++++++++++++++++++++++++++++++++++{AccBorder}");
            ulong forwarded = options.Mode == ForwardMode.RxOnly ? accRx : accTx;
            double mpps = seconds > 0 ? forwarded / seconds / 1e6 : 0;
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Total forwarded packets: {forwarded} in {seconds:F3} s = {mpps:F3} Mpps ({TestPmdOptions.ModeName(options.Mode)}, {_fwdLcores.Count} forwarding lcore(s), burst {options.Burst})"));
        }

        /// <summary>testpmd's <c>show port stats all</c> block (DPDK's nic_stats_display); pps is since the last show.</summary>
        private void ShowPortStats()
        {
            output.WriteLine();
            output.WriteLine("Port statistics ====================================");
            long now = Stopwatch.GetTimestamp();
            if (_lastShow.Length != _ports.Count) _lastShow = new (ulong, ulong, long)[_ports.Count];
            for (int i = 0; i < _ports.Count; i++)
            {
                var port = _ports[i];
                var st = port.GetStats();
                var last = _lastShow[i];
                ulong rxPps = 0, txPps = 0, rxBps = 0, txBps = 0;
                if (last.Ticks != 0)
                {
                    double secs = (now - last.Ticks) / (double)Stopwatch.Frequency;
                    if (secs > 0)
                    {
                        rxPps = (ulong)((st.IPackets - last.Rx) / secs);
                        txPps = (ulong)((st.OPackets - last.Tx) / secs);
                    }
                }
                _lastShow[i] = (st.IPackets, st.OPackets, now);
                output.WriteLine($"  ######################## NIC statistics for port {port.PortId,-2} ########################");
                output.WriteLine($"  RX-packets: {st.IPackets,-10} RX-missed: {st.IMissed,-10} RX-bytes:  {st.IBytes}");
                output.WriteLine($"  RX-errors: {st.IErrors}");
                output.WriteLine($"  RX-nombuf:  {st.RxNoMbuf,-10}");
                output.WriteLine($"  TX-packets: {st.OPackets,-10} TX-errors: {st.OErrors,-10} TX-bytes:  {st.OBytes}");
                output.WriteLine();
                output.WriteLine("  Throughput (since last show)");
                output.WriteLine($"  Rx-pps: {rxPps,12}          Rx-bps: {rxBps,12}");
                output.WriteLine($"  Tx-pps: {txPps,12}          Tx-bps: {txBps,12}");
                output.WriteLine("  ############################################################################");
            }
            output.Flush();
        }

        public void Dispose()
        {
            if (_forwarding)
            {
                Volatile.Write(ref _control->Stop, 1);
                foreach (var (lcore, _, _) in _fwdLcores)
                {
                    try { eal.Lcores.Wait(lcore); }
                    catch (LcoreJobException) { /* already reported by StopForwarding or irrelevant at teardown */ }
                }
                _forwarding = false;
            }
            output.WriteLine();
            foreach (var port in _ports)
            {
                if (port.State == EthPortState.Closed) continue;
                output.WriteLine($"Stopping port {port.PortId}...");
                DrainRx(port);
                port.Stop();
                output.WriteLine($"Closing port {port.PortId}...");
                port.Close();
                output.WriteLine($"Port {port.PortId} is closed");
            }
            if (_streams != null)
            {
                for (int s = 0; s < _streamCount; s++) NativeMemory.AlignedFree(_streams[s].Pkts);
                NativeMemory.AlignedFree(_streams);
                _streams = null;
            }
            if (_control != null)
            {
                NativeMemory.AlignedFree(_control);
                _control = null;
            }
            _pool?.Dispose();
            _pool = null;
            output.WriteLine();
            output.WriteLine("Bye...");
        }

        /// <summary>Mbufs still queued in a loopback port (net_ring) belong to the application: free them before closing.</summary>
        private void DrainRx(EthPort port)
        {
            if (!port.IsStarted || _streams == null || port.DriverName != "net_ring") return;
            var fp = ethdev.FastPath;
            Mbuf** pkts = _streams->Pkts;
            for (ushort q = 0; q < port.RxQueueCount; q++)
            {
                ushort n;
                while ((n = fp.RxBurst(port.PortId, q, pkts, TestPmdOptions.MaxBurst)) > 0)
                    Mbuf.FreeBulk(pkts, n);
            }
        }

        private static string CpuList(IEnumerable<int> ids) => Eal.Platform.CpuTopology.FormatCpuList(ids);
    }
}
