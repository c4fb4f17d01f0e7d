using NUnit.Framework;

namespace Eal.Memory.Tests.Mempools;

/// <summary>Base of the mempool fixtures: a fresh DMA memory provider per test, checked for leaked regions after it.</summary>
public abstract class MempoolFixture
{
    /// <summary>Where the pools of the current test reserve their memory.</summary>
    private protected TestDmaMemoryProvider Provider { get; private set; } = null!;

    [SetUp]
    public void CreateProvider() => Provider = new TestDmaMemoryProvider();

    [TearDown]
    public void CheckAndDisposeProvider()
    {
        Assert.That(Provider.Outstanding, Is.EqualTo(0), "every region returned");
        Provider.Dispose();
    }
}
