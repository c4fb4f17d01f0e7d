using Eal.Devargs.Reference;
using EalInfo;
using NUnit.Framework;

namespace Eal.Abstractions.Tests.Devargs;

[TestFixture]
public class ParseDevargsModeTests
{
    [Test]
    public void Run_PrintsOneJsonObjectPerLine()
    {
        var input = new StringReader("bus=pci,addr=1:2.3/class=eth/driver=abc,k0=v0\nnet_null0,a=[1,2]\r\nclass=eth\nnet_pcap0\n");
        var output = new StringWriter { NewLine = "\n" };

        int rc = ParseDevargsMode.Run(input, output, ReferenceBuses.CreateParser());

        Assert.That(rc, Is.EqualTo(1));
        var lines = output.ToString().Split('\n');
        Assert.That(lines[0], Is.EqualTo(
            "{\"in\":\"bus=pci,addr=1:2.3/class=eth/driver=abc,k0=v0\",\"ok\":true,\"bus\":\"pci\",\"name\":\"0000:01:02.3\"," +
            "\"args\":\"driver=abc,k0=v0\",\"class\":\"eth\",\"error\":null}"));
        Assert.That(lines[1], Is.EqualTo(
            "{\"in\":\"net_null0,a=[1,2]\",\"ok\":true,\"bus\":\"vdev\",\"name\":\"net_null0\",\"args\":\"a=[1,2]\",\"class\":null,\"error\":null}"));
        Assert.That(lines[2], Is.EqualTo(
            "{\"in\":\"class=eth\",\"ok\":true,\"bus\":null,\"name\":\"\",\"args\":null,\"class\":\"eth\",\"error\":null}"));
        Assert.That(lines[3], Does.StartWith(
            "{\"in\":\"net_pcap0\",\"ok\":false,\"bus\":null,\"name\":null,\"args\":null,\"class\":null,\"error\":\"devargs \\\"net_pcap0\\\": failed to parse device"));
        Assert.That(lines[4], Is.Empty);
        Assert.That(lines, Has.Length.EqualTo(5));
    }

    [Test]
    public void Run_ReturnsZeroWhenEveryLineParses()
    {
        var output = new StringWriter();
        Assert.That(ParseDevargsMode.Run(new StringReader("0000:01:00.0\n"), output, ReferenceBuses.CreateParser()), Is.EqualTo(0));
    }
}
