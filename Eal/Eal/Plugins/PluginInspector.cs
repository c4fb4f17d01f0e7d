using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Eal.Plugins;

/// <summary>
/// Reads a candidate plugin file's metadata without loading it: is it a .NET assembly, does it carry
/// <see cref="EalPluginAttribute"/>, which contracts version was it built against.
/// </summary>
internal static class PluginInspector
{
    internal sealed record Info(string AssemblyName, bool HasPluginAttribute, Version? ContractsVersion);

    private const string AttributeNamespace = "Eal.Plugins";
    private const string AttributeName = nameof(EalPluginAttribute);

    /// <summary>Inspects <paramref name="path"/>; null when the file is not a .NET assembly.</summary>
    public static Info? Inspect(string path, string contractsAssemblyName)
    {
        using var stream = File.OpenRead(path);
        PEReader pe;
        try
        {
            pe = new PEReader(stream);
            if (!pe.HasMetadata) { pe.Dispose(); return null; }
        }
        catch (BadImageFormatException)
        {
            return null;
        }
        using (pe)
        {
            MetadataReader md;
            try
            {
                md = pe.GetMetadataReader();
                if (!md.IsAssembly) return null;
            }
            catch (BadImageFormatException)
            {
                return null;
            }
            string name = md.GetString(md.GetAssemblyDefinition().Name);
            bool hasAttribute = false;
            foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
            {
                if (IsPluginAttribute(md, md.GetCustomAttribute(handle))) { hasAttribute = true; break; }
            }
            Version? contracts = null;
            foreach (var refHandle in md.AssemblyReferences)
            {
                var r = md.GetAssemblyReference(refHandle);
                if (md.StringComparer.Equals(r.Name, contractsAssemblyName)) { contracts = r.Version; break; }
            }
            return new Info(name, hasAttribute, contracts);
        }
    }

    private static bool IsPluginAttribute(MetadataReader md, CustomAttribute attribute)
    {
        // The constructor is a MemberReference into the contracts assembly (or a MethodDefinition when
        // the attribute type is defined in the same assembly, which only the contracts assembly does).
        EntityHandle type;
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
            type = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
            type = md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
        else
            return false;

        return type.Kind switch
        {
            HandleKind.TypeReference => Is(md, md.GetTypeReference((TypeReferenceHandle)type).Namespace,
                                           md.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => Is(md, md.GetTypeDefinition((TypeDefinitionHandle)type).Namespace,
                                            md.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => false,
        };
    }

    private static bool Is(MetadataReader md, StringHandle ns, StringHandle name) =>
        md.StringComparer.Equals(ns, AttributeNamespace) && md.StringComparer.Equals(name, AttributeName);
}
