using System.Runtime.InteropServices;
using Eal.Memory.Os;

namespace Eal.Memory.Native;

/// <summary>
/// <c>mbind</c>, <c>set_mempolicy</c> and <c>get_mempolicy</c> through <c>syscall(2)</c> (numbers per architecture).
/// Each returns 0 or the errno.
/// </summary>
internal static unsafe class NumaCalls
{
    private const int MPOL_F_NODE = 1;
    private const int MPOL_F_ADDR = 2;

    // The kernel reads maxnode - 1 bits (a historical off-by-one that libnuma also compensates for).
    private const int MaskWords = (NumaPlacement.MaxNode + 1) / 64;
    private const nint MaxNodeArgument = (MaskWords * 64) + 1;

    private static readonly (nint Mbind, nint SetMempolicy, nint GetMempolicy) Numbers = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => (237, 238, 239),
        Architecture.Arm64 or Architecture.LoongArch64 or Architecture.RiscV64 => (235, 237, 236),
        _ => (-1, -1, -1),
    };

    /// <summary><c>mbind(address, length, policy, {node}, maxnode, flags = 0)</c>: no page exists yet, so nothing to move.</summary>
    public static int Mbind(nint address, nuint length, NumaPlacement placement)
    {
        if (Numbers.Mbind < 0)
        {
            return LibC.ENOSYS;
        }

        ulong* mask = stackalloc ulong[MaskWords];
        nint maxNode = Fill(mask, placement);
        return Result(LibC.Syscall(Numbers.Mbind, address, (nint)length, (nint)placement.Policy, (nint)mask, maxNode, 0));
    }

    /// <summary>Sets the calling thread's policy; returns the previous one through <paramref name="oldMode"/>/<paramref name="oldMask"/>.</summary>
    public static int SetThreadPolicy(NumaPlacement placement, out int oldMode, ulong[] oldMask)
    {
        oldMode = 0;
        if (Numbers.SetMempolicy < 0)
        {
            return LibC.ENOSYS;
        }

        int mode;
        fixed (ulong* old = oldMask)
        {
            int err = Result(LibC.Syscall(Numbers.GetMempolicy, (nint)(&mode), (nint)old, MaxNodeArgument, 0, 0, 0));
            if (err != 0)
            {
                return err;
            }
        }

        oldMode = mode;
        ulong* mask = stackalloc ulong[MaskWords];
        nint maxNode = Fill(mask, placement);
        return Result(LibC.Syscall(Numbers.SetMempolicy, (nint)placement.Policy, (nint)mask, maxNode, 0, 0, 0));
    }

    /// <summary>Restores a thread policy saved by <see cref="SetThreadPolicy"/>.</summary>
    public static int RestoreThreadPolicy(int mode, ulong[] mask)
    {
        fixed (ulong* m = mask)
        {
            // MPOL_DEFAULT takes no mask.
            return Result(mode == 0
                ? LibC.Syscall(Numbers.SetMempolicy, 0, 0, 0, 0, 0, 0)
                : LibC.Syscall(Numbers.SetMempolicy, mode, (nint)m, MaxNodeArgument, 0, 0, 0));
        }
    }

    /// <summary>A buffer for <see cref="SetThreadPolicy"/>'s saved mask.</summary>
    public static ulong[] NewMask() => new ulong[MaskWords];

    /// <summary>The node of the page at <paramref name="address"/> (faulting it in if needed), or the errno negated.</summary>
    public static int NodeOf(nint address)
    {
        if (Numbers.GetMempolicy < 0)
        {
            return -LibC.ENOSYS;
        }

        int node;
        int err = Result(LibC.Syscall(Numbers.GetMempolicy, (nint)(&node), 0, 0, address, MPOL_F_NODE | MPOL_F_ADDR, 0));
        return err == 0 ? node : -err;
    }

    private static nint Fill(ulong* mask, NumaPlacement placement)
    {
        new Span<ulong>(mask, MaskWords).Clear();
        if (!placement.IsBound)
        {
            return 0; // MPOL_DEFAULT: empty mask
        }

        mask[placement.Node / 64] = 1UL << (placement.Node % 64);
        return MaxNodeArgument;
    }

    private static int Result(nint ret) => ret == -1 ? Marshal.GetLastPInvokeError() : 0;
}
