using System;

namespace Dsl.EndToEnd.Tests.Corpus;

/// <summary>Primals whose JVP's size is checked against theirs (see CodeSizeTests).</summary>
public static partial class Scaling
{
    // A pipeline of eight stages, each of which may stop early: an if without else that
    // contains a return, followed by more statements.
    [Differentiable]
    public static double Stages(double x, bool stopEarly)
    {
        double s = x;
        if (s > 0)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        if (s > 1)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        if (s > 2)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        if (s > 3)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        if (s > 4)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        if (s > 5)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        if (s > 6)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        if (s > 7)
        {
            if (stopEarly)
            {
                return s;
            }
        }
        s = 0.5 * s + x;
        return s;
    }

    [Jvp(nameof(Stages))]
    public static partial double StagesJvp(double x, double dx, bool stopEarly, out double dResult);

    [Gradient(nameof(Stages))]
    public static partial double StagesGradient(double x, bool stopEarly, out double xBar);
}
