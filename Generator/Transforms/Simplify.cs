using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Cleans IR after a transform: constant folding, algebraic identities (x·1, x+0, x·0 with
/// symbolic zeros, −−x), common-subexpression elimination of pure ops (scoped by region, so a
/// value computed outside a loop is reused inside it), and dead-code elimination — including
/// loop-carried values and branch results that nothing reads. Zero tangents that forward mode
/// creates for inactive paths fold away here.
/// </summary>
internal static partial class Simplify
{
    /// <summary>Simplifies every function; calls between them are understood (see <see cref="Dce"/>).</summary>
    /// <param name="m">The module.</param>
    /// <param name="outside">Looks up called functions that are not in the module.</param>
    /// <summary>
    /// Regions dead-code elimination has walked on this thread (a step counter for the tests that the generator's cost
    /// grows linearly with loop nesting; not a clock).
    /// </summary>
    [ThreadStatic] internal static long RegionPasses;

    public static Module Run(Module m, Func<FunctionKey, Function?>? outside = null)
    {
        var byKey = new Dictionary<FunctionKey, Function>();
        foreach (var f in m.Functions) byKey[f.Key] = f;
        Function? Callee(FunctionKey key) => byKey.TryGetValue(key, out var f) ? f : outside?.Invoke(key);
        return new(m.Functions.Select(f => Run(f, Callee)).ToEquatableArray());
    }

    /// <param name="fn">The function.</param>
    /// <param name="callees">Looks up called functions, to know which span arguments a call may write.</param>
    public static Function Run(Function fn, Func<FunctionKey, Function?>? callees = null)
    {
        var current = fn;
        for (var round = 0; round < 8; round++)
        {
            var folded = new Folder(IrMaxId.Of(current) + 1).Run(DeltaSums.Run(current));
            var cleaned = Dce.Run(folded, callees);
            if (cleaned.Equals(current)) return cleaned;
            current = cleaned;
        }
        return current;
    }
}
