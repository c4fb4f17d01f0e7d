using System.Diagnostics;
using System.Reflection;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Uapi;

/// <summary>
/// Pins every request code, constant, struct size and field offset declared in Eal.Vfio against
/// Golden/uapi-golden.txt, which eng/uapi-golden/generate.sh produces from the kernel's own headers.
/// </summary>
[TestFixture]
public sealed class UapiGoldenTests
{
    private static IEnumerable<TestCaseData> Entries() =>
        GoldenFile.Load().Where(e => e.Header != "meta").Select(e => new TestCaseData(e.ToString()).SetName($"Golden {e}"));

    [TestCaseSource(nameof(Entries))]
    public void Entry_MatchesCSharpDeclaration(string line)
    {
        var e = GoldenEntry.Parse(line);
        switch (e.Kind)
        {
            case "const" or "ioctl" or "errno":
            {
                var field = GoldenFile.FindConstant(e);
                Assert.That(field, Is.Not.Null, $"{e.Key} has no C# constant; declare it (see GoldenFile.FindConstant for the naming rule).");
                Assert.That(GoldenFile.SameBits(field!.GetRawConstantValue()!, e.ValueAsInt64(), out string detail), Is.True, $"{e.Key}: {detail}");
                break;
            }

            case "sizeof":
            {
                var type = GoldenFile.FindStruct(e.Header, e.Name);
                Assert.That(type, Is.Not.Null, $"struct {e.Name} ({e.Header}) has no C# declaration with [UapiHeader(\"{e.Header}\")].");
                int golden = int.Parse(e.Value, System.Globalization.CultureInfo.InvariantCulture);
                var version = GoldenFile.HeadersVersion(GoldenFile.Load());
                var newer = GoldenFile.InstanceFields(type!).Where(f => GoldenFile.Since(f) is { } s && s > version).ToList();
                if (newer.Count == 0)
                {
                    Assert.That(GoldenFile.SizeOf(type!), Is.EqualTo(golden), $"sizeof(struct {e.Name})");
                }
                else
                {
                    // Declared in a newer form: the headers' struct must be exactly the part before the newer fields.
                    Assert.That(newer.Min(GoldenFile.OffsetOf), Is.EqualTo(golden), $"sizeof(struct {e.Name}) in headers {version} vs offset of {type!.Name}'s first newer field");
                }

                break;
            }

            case "offsetof":
            {
                string[] sf = e.Name.Split('.');
                var type = GoldenFile.FindStruct(e.Header, sf[0]);
                Assert.That(type, Is.Not.Null, $"struct {sf[0]} has no C# declaration.");
                var field = GoldenFile.FindField(type!, sf[1]);
                Assert.That(field, Is.Not.Null, $"{type!.Name} has no field {GoldenFile.Pascal(sf[1])} for {sf[0]}.{sf[1]}.");
                Assert.That(GoldenFile.OffsetOf(field!), Is.EqualTo(int.Parse(e.Value, System.Globalization.CultureInfo.InvariantCulture)), $"offsetof({sf[0]}, {sf[1]})");
                break;
            }

            case "flex" or "flexelem":
            {
                string[] sf = e.Name.Split('.');
                var type = GoldenFile.FindStruct(e.Header, sf[0]);
                Assert.That(type, Is.Not.Null, $"struct {sf[0]} has no C# declaration.");
                var flex = type!.GetCustomAttribute<UapiFlexibleArrayAttribute>();
                Assert.That(flex?.Name, Is.EqualTo(sf[1]), $"{type!.Name} must declare [UapiFlexibleArray(\"{sf[1]}\", ...)].");
                int expected = int.Parse(e.Value, System.Globalization.CultureInfo.InvariantCulture);
                // The C# helpers put the array at sizeof(struct); the element type must have the C element's size.
                int actual = e.Kind == "flex" ? GoldenFile.SizeOf(type!) : GoldenFile.SizeOf(flex!.ElementType);
                Assert.That(actual, Is.EqualTo(expected), e.Key);
                break;
            }

            case "encode":
            {
                // "_IOR(0x56,0x01,4)": kernel macro vs IoctlCode.
                string name = e.Name;
                string macro = name[..name.IndexOf('(', StringComparison.Ordinal)];
                string[] args = name[(macro.Length + 1)..^1].Split(',');
                byte type = Convert.ToByte(args[0], 16);
                byte nr = Convert.ToByte(args[1], 16);
                uint actual = macro switch
                {
                    "_IO" => IoctlCode.Io(type, nr),
                    "_IOR" => IoctlCode.Ior(type, nr, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)),
                    "_IOW" => IoctlCode.Iow(type, nr, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)),
                    "_IOWR" => IoctlCode.Iowr(type, nr, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)),
                    _ => throw new AssertionException($"unknown encoding {macro}"),
                };
                Assert.That(actual, Is.EqualTo((uint)e.ValueAsInt64()), e.Key);
                break;
            }

            default:
                Assert.Fail($"Unknown golden kind '{e.Kind}' in {e.Key}; extend this test.");
                break;
        }
    }

    [Test]
    public void GoldenFile_HasOneEntryPerKey_AndCoversEveryKind()
    {
        var entries = GoldenFile.Load();
        var duplicates = entries.GroupBy(e => e.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.That(duplicates, Is.Empty);
        Assert.That(entries.Select(e => e.Kind).Distinct(), Is.SupersetOf(new[] { "const", "ioctl", "sizeof", "offsetof", "flex", "flexelem", "errno", "encode" }));
        Assert.That(GoldenFile.HeadersVersion(entries), Is.GreaterThanOrEqualTo(new Version(6, 12)), "regenerate with headers >= 6.12 (eng/uapi-golden/generate.sh)");
    }

    [Test]
    public void EveryCSharpConstant_IsPinned_OrNewerThanTheHeaders()
    {
        var entries = GoldenFile.Load();
        var keys = entries.Select(e => e.Key).ToHashSet();
        var version = GoldenFile.HeadersVersion(entries);
        var pinnedFields = entries.Select(GoldenFile.FindConstant).Where(f => f is not null).ToHashSet();
        var problems = new List<string>();
        foreach (var (field, key) in GoldenFile.AllConstants())
        {
            var since = GoldenFile.Since(field);
            bool pinned = pinnedFields.Contains(field);
            if (since is null || since <= version)
            {
                if (!pinned) problems.Add($"{field.DeclaringType!.Name}.{field.Name} ({key}) is not pinned by the golden file; add it to eng/uapi-golden/uapi-golden.c and regenerate.");
            }
            else if (pinned)
            {
                problems.Add($"{field.DeclaringType!.Name}.{field.Name} says [UapiSince({since})] but headers {version} define it; drop the attribute.");
            }
        }

        Assert.That(problems, Is.Empty);
        Assert.That(keys, Is.Not.Empty);
    }

    [Test]
    public void EveryCSharpStructAndField_IsPinned_OrNewerThanTheHeaders()
    {
        var entries = GoldenFile.Load();
        var version = GoldenFile.HeadersVersion(entries);
        var sizes = entries.Where(e => e.Kind == "sizeof").ToDictionary(e => GoldenFile.FindStruct(e.Header, e.Name) ?? typeof(void), e => int.Parse(e.Value, System.Globalization.CultureInfo.InvariantCulture));
        var offsets = entries.Where(e => e.Kind == "offsetof").Select(e =>
        {
            string[] sf = e.Name.Split('.');
            var t = GoldenFile.FindStruct(e.Header, sf[0]);
            return t is null ? null : GoldenFile.FindField(t, sf[1]);
        }).Where(f => f is not null).ToHashSet();
        var flexes = entries.Where(e => e.Kind == "flex").Select(e => GoldenFile.FindStruct(e.Header, e.Name.Split('.')[0])).ToHashSet();

        var problems = new List<string>();
        foreach (var type in GoldenFile.UapiStructs())
        {
            var structSince = GoldenFile.Since(type);
            if (structSince is not null && structSince > version)
            {
                if (sizes.ContainsKey(type)) problems.Add($"{type.Name} says [UapiSince({structSince})] but headers {version} define it.");
                continue;
            }

            if (!sizes.TryGetValue(type, out int goldenSize))
            {
                problems.Add($"{type.Name} has no sizeof entry in the golden file.");
                continue;
            }

            if (type.GetCustomAttribute<UapiFlexibleArrayAttribute>() is not null && !flexes.Contains(type))
                problems.Add($"{type.Name} declares a flexible array the golden file does not pin.");

            var newer = GoldenFile.InstanceFields(type).Where(f => GoldenFile.Since(f) is { } s && s > version).ToList();
            foreach (var field in GoldenFile.InstanceFields(type))
            {
                bool isNewer = newer.Contains(field);
                if (!isNewer && !offsets.Contains(field)) problems.Add($"{type.Name}.{field.Name} has no offsetof entry in the golden file.");
                if (isNewer && offsets.Contains(field)) problems.Add($"{type.Name}.{field.Name} says [UapiSince] newer than {version} but the headers define it.");
            }

            // Fields newer than the headers must be appended: the old struct is exactly the prefix before them.
            if (newer.Count > 0)
            {
                int firstNewer = newer.Min(GoldenFile.OffsetOf);
                if (firstNewer != goldenSize) problems.Add($"{type.Name}: the first field newer than headers {version} is at {firstNewer}, but the old sizeof is {goldenSize}; newer fields must be appended.");
                if (GoldenFile.InstanceFields(type).Except(newer).Any(f => GoldenFile.OffsetOf(f) >= firstNewer))
                    problems.Add($"{type.Name}: an older field lies after a newer one.");
            }
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void EveryPublicStructOfTheUapiAndNativeNamespaces_IsMarkedAsUapi()
    {
        var unmarked = GoldenFile.Library.GetTypes()
            .Where(t => t.IsPublic && t.IsValueType && !t.IsEnum && !t.IsByRefLike)
            .Where(t => t.Namespace is "Eal.Vfio.Uapi" or "Eal.Vfio.Native")
            .Where(t => t.GetCustomAttribute<UapiHeaderAttribute>() is null)
            .Select(t => t.Name);
        Assert.That(unmarked, Is.Empty, "uAPI structs need [UapiHeader] so the golden tests pin them.");
    }

    /// <summary>
    /// Items newer than the golden headers (6.12) cannot be pinned by them. These values come from the
    /// reference (DPDK's v6.17 copy of the headers, compiled with gcc on x86_64; /work/shared/reference/vfio-uapi.md).
    /// Once the golden file is regenerated from newer headers the entries above pin them as well.
    /// </summary>
    [Test]
    public void ItemsNewerThanTheHeaders_MatchTheV617Reference()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GoldenFile.SizeOf(typeof(VfioDeviceBindIommufd)), Is.EqualTo(24));
            Assert.That(GoldenFile.OffsetOf(typeof(VfioDeviceBindIommufd).GetField(nameof(VfioDeviceBindIommufd.TokenUuidPtr))!), Is.EqualTo(16));
            Assert.That(GoldenFile.SizeOf(typeof(VfioDeviceAttachIommufdPt)), Is.EqualTo(16));
            Assert.That(GoldenFile.OffsetOf(typeof(VfioDeviceAttachIommufdPt).GetField(nameof(VfioDeviceAttachIommufdPt.Pasid))!), Is.EqualTo(12));
            Assert.That(GoldenFile.SizeOf(typeof(VfioDeviceDetachIommufdPt)), Is.EqualTo(12));
            Assert.That(GoldenFile.OffsetOf(typeof(VfioDeviceDetachIommufdPt).GetField(nameof(VfioDeviceDetachIommufdPt.Pasid))!), Is.EqualTo(8));
            Assert.That(VfioConstants.DeviceBindFlagToken, Is.EqualTo(1u));
            Assert.That(VfioConstants.DeviceAttachPasid, Is.EqualTo(1u));
            Assert.That(VfioConstants.DeviceDetachPasid, Is.EqualTo(1u));
            Assert.That(IommuFdIoctl.IoasMapFile, Is.EqualTo(0x3B8Fu));
            Assert.That(GoldenFile.SizeOf(typeof(IommuIoasMapFile)), Is.EqualTo(40));
            Assert.That(GoldenFile.OffsetOf(typeof(IommuIoasMapFile).GetField(nameof(IommuIoasMapFile.Fd))!), Is.EqualTo(12));
            Assert.That(GoldenFile.OffsetOf(typeof(IommuIoasMapFile).GetField(nameof(IommuIoasMapFile.Start))!), Is.EqualTo(16));
            Assert.That(GoldenFile.OffsetOf(typeof(IommuIoasMapFile).GetField(nameof(IommuIoasMapFile.Iova))!), Is.EqualTo(32));
        });
    }

    /// <summary>
    /// Drift check: compiles eng/uapi-golden/uapi-golden.c against the headers installed NOW and compares with the
    /// committed file. Values of items both define must be equal (the uAPI never changes a published value);
    /// with the same header version the whole output must be identical.
    /// </summary>
    [Test]
    public void CommittedGoldenFile_MatchesTheMachinesHeaders()
    {
        string? repo = FindRepoRoot();
        if (repo is null) Assert.Ignore("eng/uapi-golden/uapi-golden.c not found above the test directory; drift check skipped.");
        string source = Path.Combine(repo!, "eng", "uapi-golden", "uapi-golden.c");
        if (!File.Exists("/usr/include/linux/iommufd.h") || !File.Exists("/usr/include/linux/vfio.h"))
            Assert.Ignore("Linux uAPI headers with iommufd.h are not installed (linux-libc-dev >= 6.12); run eng/uapi-golden/generate.sh to install them. Drift check skipped.");
        string? gcc = new[] { "/usr/bin/gcc", "/usr/local/bin/gcc" }.FirstOrDefault(File.Exists);
        if (gcc is null) Assert.Ignore("gcc is not installed; drift check skipped (apt-get install gcc).");

        string dir = Directory.CreateTempSubdirectory("uapi-golden-").FullName;
        try
        {
            string exe = Path.Combine(dir, "uapi-golden");
            var (code, _, err) = Run(gcc!, $"-std=gnu11 -Wall -Wextra -Werror -o \"{exe}\" \"{source}\"");
            if (code != 0)
            {
                Assert.Ignore($"The installed headers are too old for uapi-golden.c (gcc: {err.Trim()}); run eng/uapi-golden/generate.sh. Drift check skipped.");
            }

            var (runCode, output, runErr) = Run(exe, "");
            Assert.That(runCode, Is.EqualTo(0), runErr);
            var now = GoldenFile.Parse(output.Split('\n')).ToDictionary(e => e.Key, e => e.Value);
            var committed = GoldenFile.Load().ToDictionary(e => e.Key, e => e.Value);

            var changed = committed.Where(kv => now.TryGetValue(kv.Key, out var v) && v != kv.Value && kv.Key != "meta/linux-headers")
                .Select(kv => $"{kv.Key}: committed {kv.Value}, headers now {now[kv.Key]}").ToList();
            Assert.That(changed, Is.Empty, "A value differs from the machine's headers; run eng/uapi-golden/generate.sh and review.");
            if (now["meta/linux-headers"] == committed["meta/linux-headers"])
            {
                Assert.That(now.Keys.Order(), Is.EqualTo(committed.Keys.Order()),
                    "Same header version but a different item set; run eng/uapi-golden/generate.sh.");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // The test binaries may live outside the checkout (--artifacts-path), so also walk up from this source file.
    private static string? FindRepoRoot([System.Runtime.CompilerServices.CallerFilePath] string sourceFile = "")
    {
        foreach (string start in new[] { TestContext.CurrentContext.TestDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var d = new DirectoryInfo(start); d is not null && start.Length > 0; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "eng", "uapi-golden", "uapi-golden.c"))) return d.FullName;
            }
        }

        return null;
    }

    private static (int Code, string Out, string Err) Run(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
