using System;
using Xunit;

namespace Dsl.Reverse.Tests;

/// <summary>
/// The tape's stacks as generated scalar code holds them in locals (<see cref="Tape.DoubleStack"/>): a loop's trip count
/// as <see cref="Tape.Trips"/> computes it, room reserved before a loop, growth by one push, and the tape keeping every
/// grown array for its next use.
/// </summary>
public class TapeStackTests
{
    private static long Count(int start, int bound, int step, bool inclusive)
    {
        long n = 0;
        for (long i = start; step > 0 ? (inclusive ? i <= bound : i < bound) : (inclusive ? i >= bound : i > bound); i += step) n++;
        return n;
    }

    [Fact]
    public void Trips_counts_what_the_loop_runs()
    {
        foreach (var step in new[] { 1, 2, 3, 4, -1, -2, -4 })
        {
            foreach (var inclusive in new[] { false, true })
            {
                for (var start = -6; start <= 6; start++)
                {
                    for (var bound = -6; bound <= 6; bound++)
                    {
                        Assert.Equal(Count(start, bound, step, inclusive), Tape.Trips(start, bound, step, inclusive));
                    }
                }
            }
        }
        // Ranges an int subtraction would overflow.
        Assert.Equal(1L << 32, Tape.Trips(int.MinValue, int.MaxValue, 1, inclusive: true));
        Assert.Equal(((1L << 32) - 1 + 3) / 4, Tape.Trips(int.MaxValue, int.MinValue, -4, inclusive: false));
        Assert.Equal(0, Tape.Trips(int.MaxValue, int.MinValue, 1, inclusive: false));
    }

    [Fact]
    public void Reserve_keeps_the_array_when_it_has_room_and_grows_it_otherwise()
    {
        Tape.TrimThreadPool();
        var tape = Tape.Rent();
        try
        {
            var stack = tape.DoubleStack;
            var length = stack.Length;
            // Room for 10 iterations of 3 pushes and 2 more, above 5 in use: no change while it fits.
            Assert.Same(stack, tape.Reserve(stack, length - 32, 3, 2, 0, 10, 1, false));
            var grown = tape.Reserve(stack, length - 31, 3, 2, 0, 10, 1, false);
            Assert.NotSame(stack, grown);
            Assert.True(grown.Length >= 2 * length);
            Assert.Same(grown, tape.DoubleStack);   // kept by the tape for its next use
            // A reservation far past twice the length gets what it needs.
            var big = tape.Reserve(grown, 0, 1, 0, 0, 10 * grown.Length, 1, false);
            Assert.True(big.Length >= 10 * grown.Length);
            Assert.Same(big, tape.DoubleStack);

            var floats = tape.Grow(tape.SingleStack);
            Assert.Same(floats, tape.SingleStack);
            var ints = tape.Reserve(tape.Int32Stack, 0, 1, 0, 100, 0, -1, true);
            Assert.True(ints.Length >= 101);
            Assert.Same(ints, tape.Int32Stack);
        }
        finally
        {
            tape.Release();
        }
    }

    [Fact]
    public void Grow_copies_what_was_pushed()
    {
        var tape = Tape.Rent();
        try
        {
            var stack = tape.DoubleStack;
            for (var i = 0; i < stack.Length; i++) stack[i] = i + 0.5;
            var grown = tape.Grow(stack);
            Assert.True(grown.Length > stack.Length);
            for (var i = 0; i < stack.Length; i++) Assert.Equal(i + 0.5, grown[i]);
        }
        finally
        {
            tape.Release();
        }
    }
}
