using System.Text.Json;

namespace Eal.Integration.Tests;

[TestFixture]
public sealed class EalInfoTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EalInfo.EalInfoApp.Run(args, new StringReader(stdin), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void Success_prints_one_json_object_with_the_documented_fields()
    {
        var (code, stdout, _) = Run("", "--emulate=cpus=4,numa=2", "-l", "(0-1)@2,3", "-a", "vdev:net_null1,size=64",
            "--vdev", "net_ring0", "--", "--app-flag");
        Assert.That(code, Is.EqualTo(0));
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        var root = JsonDocument.Parse(lines[0]).RootElement;
        Assert.That(root.GetProperty("ok").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("consumed").GetInt32(), Is.EqualTo(8));
        Assert.That(root.GetProperty("mainLcore").GetInt32(), Is.EqualTo(0));
        Assert.That(root.GetProperty("lcoreCount").GetInt32(), Is.EqualTo(3));
        var lcores = root.GetProperty("lcores").EnumerateArray()
            .Select(l => $"{l.GetProperty("id")}:{string.Join(",", l.GetProperty("cpus").EnumerateArray())}:{l.GetProperty("socket")}");
        Assert.That(lcores, Is.EqualTo(new[] { "0:2:1", "1:2:1", "3:3:1" }), "lcores 0-1 share cpu 2; cpus 2-3 sit on node 1 of 2");
        Assert.That(root.GetProperty("iovaMode").GetString(), Is.EqualTo("va"));
        Assert.That(root.GetProperty("processType").GetString(), Is.EqualTo("primary"));
        Assert.That(root.GetProperty("hugepages").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("vfioMode").GetString(), Is.EqualTo("cdev"));
        var devargs = root.GetProperty("devargs").EnumerateArray()
            .Select(d => $"{d.GetProperty("policy")}|{d.GetProperty("bus")}|{d.GetProperty("name")}|{d.GetProperty("args")}");
        Assert.That(devargs, Is.EqualTo(new[] { "allow|vdev|net_null1|size=64", "allow|vdev|net_ring0|" }));
    }

    [Test]
    public void Invalid_arguments_print_the_error_as_json_and_on_stderr_and_exit_1()
    {
        var (code, stdout, stderr) = Run("", "--emulate", "--iova-mode=xx");
        Assert.That(code, Is.EqualTo(1));
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.That(root.GetProperty("ok").GetBoolean(), Is.False);
        string error = root.GetProperty("error").GetString()!;
        Assert.That(error, Does.Contain("--iova-mode").And.Contain("'xx'"));
        Assert.That(stderr.Trim(), Is.EqualTo(error));
    }

    [Test]
    public void Block_list_devargs_report_their_policy()
    {
        var (code, stdout, _) = Run("", "--emulate", "-l", "0", "-b", "0000:00:1f.0", "-b", "05:00.1");
        Assert.That(code, Is.EqualTo(0));
        var devargs = JsonDocument.Parse(stdout).RootElement.GetProperty("devargs").EnumerateArray()
            .Select(d => $"{d.GetProperty("policy")}|{d.GetProperty("bus")}|{d.GetProperty("name")}");
        Assert.That(devargs, Is.EqualTo(new[] { "block|pci|0000:00:1f.0", "block|pci|05:00.1" }), "legacy names are kept as written, as DPDK does");
    }

    [Test]
    public void Parse_devargs_mode_answers_one_line_per_input_line()
    {
        var (code, stdout, _) = Run("net_null0,size=1\n0000:00:01.0\nbus=pci,addr=1:2.3/class=eth,mac=00:11:22:33:44:55\nbogus0\n",
            "--emulate", "-l", "0", "--", "--parse-devargs");
        Assert.That(code, Is.EqualTo(1), "exit status 1 tells that a line failed");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[0].GetProperty("bus").GetString(), Is.EqualTo("vdev"));
        Assert.That(lines[0].GetProperty("args").GetString(), Is.EqualTo("size=1"));
        Assert.That(lines[1].GetProperty("name").GetString(), Is.EqualTo("0000:00:01.0"));
        Assert.That(lines[2].GetProperty("ok").GetBoolean(), Is.True);
        Assert.That(lines[2].GetProperty("name").GetString(), Is.EqualTo("0000:01:02.3"));
        Assert.That(lines[2].GetProperty("class").GetString(), Is.EqualTo("eth"));
        Assert.That(lines[3].GetProperty("ok").GetBoolean(), Is.False);
        Assert.That(lines[3].GetProperty("error").GetString(), Does.Contain("bogus0"));
    }

    [Test]
    public void Help_lists_options_and_driver_parameters()
    {
        var (code, stdout, _) = Run("", "-h");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("--vfio-mode").And.Contain("--emulate").And.Contain("net_null size=<int> copy=<int> no-rx=<int>"));
    }
}
