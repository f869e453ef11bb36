using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit;

/// <summary>
/// Decides whether a counted loop can run <c>Vector&lt;T&gt;.Count</c> iterations at a time. A loop
/// qualifies when its iterations are independent and each element is computed exactly as the
/// scalar loop computes it:
/// <list type="bullet">
/// <item>its step is +1 or −1; it carries no values; its body has no calls, branches, nested
///   loops or tape traffic;</item>
/// <item>every float it loads or stores is at an index <c>invariant + i</c> (a contiguous chunk per
///   vector), or loads at a loop-invariant index (one scalar, read by every lane);</item>
/// <item>no buffer it writes is also read in it, except at the very index it stores to (a read-modify-write of the
///   iteration's own element); a buffer written with <c>=</c> is written once.
///   With <c>+=</c> any number of writes qualify. An element receives the same additions; their
///   order changes only where two stores into one buffer land fewer than a vector's width apart,
///   and then by one rounding (the adjoint blocks of a jet sit <c>width</c> apart, so it does not
///   arise there).</item>
/// </list>
/// Those are the adjoint scatters of reverse mode (<c>h_bar[k] += w * z_bar</c>,
/// <c>theta_bar[..k] += z_bar * h[k]</c>), clears and copies. Loops that carry a sum (a dot
/// product) stay scalar: splitting the sum across lanes reassociates it, and a derivative
/// method returns the primal's value bit for bit (tests check this).
/// </summary>
internal sealed class SimdLoop
{
    /// <summary>The element type of every vector in the loop.</summary>
    public ScalarKind Elem { get; private set; }

    /// <summary>Values that hold one element per lane (everything else stays scalar).</summary>
    public HashSet<int> Vectors { get; } = new();

    private SimdLoop() { }

    /// <summary>The plan for <paramref name="f"/>, or null when it must stay scalar.</summary>
    public static SimdLoop? Plan(ForOp f)
    {
        var body = f.Body;
        if (f.Step is not (1 or -1) || body.Args.Count != 1) return null;
        var plan = new SimdLoop();
        var affine = new HashSet<int> { body.Args[0].Id };
        ScalarKind? elem = null;
        bool SameElem(ScalarKind e)
        {
            elem ??= e;
            return elem == e;
        }

        var loaded = new HashSet<int>();
        // Per buffer, the index values its loads and its stores with `=` use (a read-modify-write of one element per
        // iteration, as unroll-and-jam writes `x̄[k] = x̄[k] + a + b + …`, touches only that iteration's element).
        var loadIndex = new Dictionary<int, HashSet<int>>();
        var storeIndex = new Dictionary<int, HashSet<int>>();
        var plainStores = new Dictionary<int, int>();
        var addStores = new HashSet<int>();
        bool IsVector(Value v) => plan.Vectors.Contains(v.Id);
        bool IsAffine(Value v) => affine.Contains(v.Id);
        bool IsScalar(Value v) => !IsVector(v) && !IsAffine(v);

        foreach (var op in body.Ops)
        {
            switch (op)
            {
                case NoteOp or ConstOp or LengthOp:
                    break;
                case LoadOp l:
                    loaded.Add(l.Buffer.Id);
                    (loadIndex.TryGetValue(l.Buffer.Id, out var li) ? li : loadIndex[l.Buffer.Id] = new HashSet<int>()).Add(l.Index.Id);
                    if (IsAffine(l.Index))
                    {
                        if (!l.Result.Type.IsFloat || !SameElem(l.Result.Type.Elem)) return null;
                        plan.Vectors.Add(l.Result.Id);
                    }
                    else if (!IsScalar(l.Index)) return null;
                    break;
                case StoreOp s:
                    if (!IsAffine(s.Index) || !s.Stored.Type.IsFloat || !SameElem(s.Stored.Type.Elem)) return null;
                    if (!IsVector(s.Stored) && !IsScalar(s.Stored)) return null;
                    if (s.Accumulate) addStores.Add(s.Buffer.Id);
                    else plainStores[s.Buffer.Id] = plainStores.TryGetValue(s.Buffer.Id, out var n) ? n + 1 : 1;
                    (storeIndex.TryGetValue(s.Buffer.Id, out var si) ? si : storeIndex[s.Buffer.Id] = new HashSet<int>()).Add(s.Index.Id);
                    break;
                case UnaryOp u:
                    if (IsAffine(u.Operand)) return null;
                    if (IsVector(u.Operand))
                    {
                        if (!CpuVector.IsLanewise(u)) return null;
                        plan.Vectors.Add(u.Result.Id);
                    }
                    break;
                case BinaryOp b:
                    if (b.Result.Type.Elem == ScalarKind.I32 && (IsAffine(b.Left) || IsAffine(b.Right)))
                    {
                        var ok = b.Kind == BinOp.Add && (IsAffine(b.Left) ? IsScalar(b.Right) : IsScalar(b.Left))
                              || b.Kind == BinOp.Sub && IsAffine(b.Left) && IsScalar(b.Right);
                        if (!ok) return null;
                        affine.Add(b.Result.Id);
                        break;
                    }
                    if (IsAffine(b.Left) || IsAffine(b.Right)) return null;
                    if (IsVector(b.Left) || IsVector(b.Right))
                    {
                        if (!b.Result.Type.IsFloat || !CpuVector.IsLanewise(b)) return null;
                        plan.Vectors.Add(b.Result.Id);
                    }
                    break;
                case SelectOp s:
                    if (s.Operands.Any(v => !IsScalar(v))) return null;
                    break;
                default:
                    return null;
            }
        }
        // Worth it only when something is element-wise.
        if (!StoresIndependent(loaded, plainStores, addStores, loadIndex, storeIndex) || plan.Vectors.Count == 0 || elem is null)
        {
            return null;
        }
        plan.Elem = elem.Value;
        return plan;
    }

    /// <summary>
    /// A buffer written with <c>=</c> is written once and never with <c>+=</c>; a written buffer is not read in the loop,
    /// except one written once with <c>=</c> whose loads all use the store's own index (each iteration then reads and
    /// writes only its own element, so W iterations at once read and write what W iterations one after the other do).
    /// </summary>
    private static bool StoresIndependent(HashSet<int> loaded, Dictionary<int, int> plainStores, HashSet<int> addStores,
        Dictionary<int, HashSet<int>> loadIndex, Dictionary<int, HashSet<int>> storeIndex)
    {
        if (plainStores.Any(kv => kv.Value > 1 || addStores.Contains(kv.Key))) return false;
        if (addStores.Any(loaded.Contains)) return false;
        foreach (var b in plainStores.Keys.Where(loaded.Contains))
        {
            var at = storeIndex[b].Single();
            if (loadIndex[b].Any(i => i != at)) return false;
        }
        return true;
    }
}
