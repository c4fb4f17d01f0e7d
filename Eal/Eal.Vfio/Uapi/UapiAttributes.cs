namespace Eal.Vfio.Uapi;

/// <summary>
/// Marks a struct as a verbatim declaration of a C struct from a Linux uAPI header. The golden tests
/// use it to find every declaration and pin its size and field offsets against the kernel headers.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
internal sealed class UapiHeaderAttribute(string header) : Attribute
{
    /// <summary>Header file name, e.g. <c>vfio.h</c>.</summary>
    public string Header { get; } = header;

    /// <summary>C struct name when it is not the snake_case form of the C# name (e.g. <c>pollfd</c>).</summary>
    public string? CName { get; init; }
}

/// <summary>
/// Gives the C name of a constant whose C# name is not the mechanical PascalCase form of it
/// (libc constants such as <c>O_RDWR</c> named <c>OpenReadWrite</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
internal sealed class UapiNameAttribute(string cName) : Attribute
{
    /// <summary>C name.</summary>
    public string CName { get; } = cName;
}

/// <summary>
/// Declares the C flexible array member (<c>type name[]</c>) that follows the fixed part of a uAPI struct.
/// C# cannot declare it as a field; the payload starts at <c>sizeof(struct)</c>, which the golden tests check.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
internal sealed class UapiFlexibleArrayAttribute(string name, Type elementType) : Attribute
{
    /// <summary>C member name, e.g. <c>data</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Element type of the array.</summary>
    public Type ElementType { get; } = elementType;
}

/// <summary>
/// Marks a struct, field or constant that appeared in a kernel newer than the headers the golden file
/// was generated from. The golden tests then expect it to be absent from the golden file and check
/// fields with the append-only rule instead (the older struct is a prefix of the newer one).
/// </summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Field, Inherited = false)]
internal sealed class UapiSinceAttribute(int major, int minor) : Attribute
{
    /// <summary>Kernel version that introduced the item.</summary>
    public Version Version { get; } = new(major, minor);
}
