using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Dsl.Generator.Ir;

/// <summary>
/// Ops compared by identity: ops are records, so two pushes of the same value at the same level are equal; a table of
/// particular ops (the loops of a sweep, the pushes a loop made room for) must tell them apart.
/// </summary>
internal sealed class ReferenceOps : IEqualityComparer<Op>
{
    public static readonly ReferenceOps Instance = new();

    public bool Equals(Op? x, Op? y) => ReferenceEquals(x, y);

    public int GetHashCode(Op obj) => RuntimeHelpers.GetHashCode(obj);
}
