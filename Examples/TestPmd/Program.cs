using System.Runtime.InteropServices;
using TestPmd;

// SIGINT/SIGTERM stop forwarding cleanly: statistics are printed, ports closed, EAL released.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return TestPmdApp.Run(args, Console.In, Console.Out, Console.Error, stop.Token);
