namespace Eal.Options;

/// <summary>How an EAL option takes its value (DPDK <c>eal_option_list.h</c> kinds).</summary>
public enum EalOptionKind
{
    /// <summary>Value required; may be repeated; every value is kept in order (<c>LIST_ARG</c>).</summary>
    List,

    /// <summary>Value required; may be given once (<c>STR_ARG</c>).</summary>
    Str,

    /// <summary>Value optional and only given as <c>--opt=value</c>; bare <c>--opt</c> means "set" (<c>OPT_STR_ARG</c>).</summary>
    OptionalStr,

    /// <summary>A flag that takes no value; may be given once (<c>BOOL_ARG</c>).</summary>
    Bool,

    /// <summary>A second name for a <see cref="Str"/> option; both write the same setting (<c>STR_ALIAS</c>).</summary>
    Alias,
}
