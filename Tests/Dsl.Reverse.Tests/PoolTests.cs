using Xunit;

namespace Dsl.Reverse.Tests;

/// <summary>
/// The per-thread pools of tapes and scratch give memory back on request: a released one over
/// <see cref="Tape.PoolLimitBytes"/> is not kept, and <see cref="Tape.TrimThreadPool"/> drops what is kept.
/// </summary>
public class PoolTests
{
    [Fact]
    public void ATapeIsReusedUnlessOverTheLimitOrTrimmed()
    {
        var tape = Tape.Rent();
        tape.Release();
        Assert.Same(tape, Tape.Rent()); // the pool's point: the next call reuses it

        // 2^20 doubles make the stacks at least 8 MiB, over a 1 MiB limit.
        for (var i = 0; i < 1 << 20; i++) tape.Push(1.0);
        for (var i = 0; i < 1 << 20; i++) tape.PopDouble();
        Assert.True(tape.CapacityBytes >= 8L << 20);
        var limit = Tape.PoolLimitBytes;
        try
        {
            Tape.PoolLimitBytes = 1 << 20;
            tape.Release();
            Assert.NotSame(tape, Tape.Rent());
        }
        finally
        {
            Tape.PoolLimitBytes = limit;
        }

        var small = Tape.Rent();
        small.Release();
        Tape.TrimThreadPool();
        Assert.NotSame(small, Tape.Rent());
    }

    [Fact]
    public void ScratchIsReusedUnlessOverTheLimitOrTrimmed()
    {
        var scratch = Scratch.Rent();
        scratch.Release();
        Assert.Same(scratch, Scratch.Rent());

        scratch.Doubles(1 << 20);
        Assert.True(scratch.CapacityBytes >= 8L << 20);
        var limit = Scratch.PoolLimitBytes;
        try
        {
            Scratch.PoolLimitBytes = 1 << 20;
            scratch.Release();
            Assert.NotSame(scratch, Scratch.Rent());
        }
        finally
        {
            Scratch.PoolLimitBytes = limit;
        }

        var small = Scratch.Rent();
        small.Release();
        Scratch.TrimThreadPool();
        Assert.NotSame(small, Scratch.Rent());
    }
}
