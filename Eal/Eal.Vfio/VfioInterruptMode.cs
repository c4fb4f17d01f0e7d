namespace Eal.Vfio;

/// <summary><c>--vfio-intr</c>.</summary>
public enum VfioInterruptMode
{
    /// <summary>Not given: MSI-X, then MSI, then INTx.</summary>
    Auto,
    /// <summary><c>legacy</c> (INTx).</summary>
    Legacy,
    /// <summary><c>msi</c>.</summary>
    Msi,
    /// <summary><c>msix</c>.</summary>
    Msix,
}
