
namespace Eal.Bus;

/// <summary>Everything EAL weighs to choose the process IOVA mode.</summary>
/// <param name="Requested">The <c>--iova-mode</c> value, or null when not given.</param>
/// <param name="BusRequirements">Each bus's answer (name, mode), in bus order.</param>
/// <param name="PhysicalAddressesAvailable">Hugepages are in use and pagemap gives real frame numbers (root).</param>
/// <param name="IommuPresent"><c>/sys/kernel/iommu_groups</c> has at least one group.</param>
public sealed record IovaModeInputs(
    IovaMode? Requested,
    IReadOnlyList<(string Bus, IovaMode Mode)> BusRequirements,
    bool PhysicalAddressesAvailable,
    bool IommuPresent);

/// <summary>The chosen mode and the reasons, in the order DPDK logs them.</summary>
/// <param name="Mode">PA or VA (never DontCare).</param>
/// <param name="Reason">Why this mode, in one sentence.</param>
/// <param name="Warnings">Conflicts worth telling the user about.</param>
public sealed record IovaModeDecision(IovaMode Mode, string Reason, IReadOnlyList<string> Warnings);

/// <summary>The IOVA mode cannot be chosen; the message says which requirement fails and what to do.</summary>
public sealed class IovaModeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IovaModeException(string message) : base(message) { }
}

/// <summary>
/// DPDK's IOVA-mode rules (<c>rte_bus_get_iommu_class</c> + <c>rte_eal_init</c>):
/// <list type="number">
/// <item>Buses combine: only-VA wishes → VA, only-PA wishes → PA, both or none → don't care.</item>
/// <item><c>--iova-mode</c> wins; else the buses' answer; else VA when physical addresses are unavailable;
/// else VA when an IOMMU is present; else PA.</item>
/// <item>PA without physical addresses is an error.</item>
/// </list>
/// </summary>
public static class IovaModeSelector
{
    /// <summary>Combines the bus answers as <c>rte_bus_get_iommu_class</c> does.</summary>
    public static IovaMode CombineBuses(IReadOnlyList<(string Bus, IovaMode Mode)> buses, List<string>? warnings = null)
    {
        var wantVa = buses.Where(b => b.Mode == IovaMode.VA).Select(b => b.Bus).ToList();
        var wantPa = buses.Where(b => b.Mode == IovaMode.PA).Select(b => b.Bus).ToList();
        if (wantVa.Count > 0 && wantPa.Count == 0) return IovaMode.VA;
        if (wantPa.Count > 0 && wantVa.Count == 0) return IovaMode.PA;
        if (wantVa.Count > 0)
            warnings?.Add($"Buses {string.Join(", ", wantVa)} want IOVA as 'VA' but {string.Join(", ", wantPa)} want 'PA'; " +
                          "no mode satisfies both, so devices whose driver needs the other mode will be refused at probe. " +
                          "Use -a/-b to leave out the devices you do not need, or choose with --iova-mode.");
        return IovaMode.DontCare;
    }

    /// <summary>Chooses the mode.</summary>
    /// <exception cref="IovaModeException">PA is required or requested but physical addresses are unavailable.</exception>
    public static IovaModeDecision Select(IovaModeInputs inputs)
    {
        var warnings = new List<string>();
        var busMode = CombineBuses(inputs.BusRequirements, warnings);
        IovaMode mode;
        string reason;
        if (inputs.Requested is { } requested and not IovaMode.DontCare)
        {
            mode = requested;
            reason = $"--iova-mode={requested.ToShortName()} given";
            if (busMode != IovaMode.DontCare && busMode != requested)
            {
                var wanting = inputs.BusRequirements.Where(b => b.Mode == busMode).Select(b => b.Bus);
                warnings.Add($"--iova-mode={requested.ToShortName()} overrides bus {string.Join(", ", wanting)} which wants " +
                             $"'{busMode.ToShortName()}'; its devices that need '{busMode.ToShortName()}' will be refused at probe");
            }
        }
        else if (busMode != IovaMode.DontCare)
        {
            mode = busMode;
            var wanting = inputs.BusRequirements.Where(b => b.Mode == busMode).Select(b => b.Bus);
            reason = $"bus {string.Join(", ", wanting)} requires IOVA as '{busMode.ToShortName()}'";
        }
        else if (!inputs.PhysicalAddressesAvailable)
        {
            mode = IovaMode.VA;
            reason = "physical addresses are unavailable, selecting IOVA as VA mode";
        }
        else if (inputs.IommuPresent)
        {
            mode = IovaMode.VA;
            reason = "an IOMMU is present, selecting IOVA as VA mode";
        }
        else
        {
            mode = IovaMode.PA;
            reason = "no IOMMU and physical addresses are available, selecting IOVA as PA mode";
        }

        if (mode == IovaMode.PA && !inputs.PhysicalAddressesAvailable)
            throw new IovaModeException(
                $"Cannot use IOVA as 'PA' since physical addresses are not available ({reason}): /proc/self/pagemap " +
                "gives page frame numbers only with hugepages in use and root (CAP_SYS_ADMIN). " +
                "Run as root with hugepages reserved, or use --iova-mode=va.");
        return new IovaModeDecision(mode, reason, warnings);
    }
}
