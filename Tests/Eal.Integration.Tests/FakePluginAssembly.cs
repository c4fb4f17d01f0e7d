using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Eal.Integration.Tests;

/// <summary>
/// Writes a minimal .NET assembly that carries <c>[assembly: EalPlugin(...)]</c> and references the contracts
/// assembly at a chosen version: how a plugin built against another release of the contracts looks on disk.
/// </summary>
internal static class FakePluginAssembly
{
    public static void Write(string path, Version contractsVersion, bool withPluginAttribute = true)
    {
        var md = new MetadataBuilder();
        md.AddModule(0, md.GetOrAddString(Path.GetFileName(path)), md.GetOrAddGuid(Guid.NewGuid()), default, default);
        md.AddAssembly(md.GetOrAddString(Path.GetFileNameWithoutExtension(path)), new Version(1, 0, 0, 0),
            default, default, default, AssemblyHashAlgorithm.None);
        var contracts = md.AddAssemblyReference(md.GetOrAddString("Eal.Abstractions"), contractsVersion,
            default, default, default, default);
        md.AddTypeDefinition(default, default, md.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));

        if (withPluginAttribute)
        {
            var attributeType = md.AddTypeReference(contracts, md.GetOrAddString("Eal.Plugins"), md.GetOrAddString("EalPluginAttribute"));
            var signature = new BlobBuilder();
            new BlobEncoder(signature).MethodSignature(isInstanceMethod: true).Parameters(0, r => r.Void(), p => { });
            var ctor = md.AddMemberReference(attributeType, md.GetOrAddString(".ctor"), md.GetOrAddBlob(signature));
            var value = new BlobBuilder();
            value.WriteUInt16(1); // prolog
            value.WriteUInt16(0); // no named arguments
            md.AddCustomAttribute(EntityHandle.AssemblyDefinition, ctor, md.GetOrAddBlob(value));
        }

        var pe = new ManagedPEBuilder(new PEHeaderBuilder(imageCharacteristics: Characteristics.Dll | Characteristics.ExecutableImage),
            new MetadataRootBuilder(md), new BlobBuilder());
        var image = new BlobBuilder();
        pe.Serialize(image);
        File.WriteAllBytes(path, image.ToArray());
    }
}
