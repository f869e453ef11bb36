using System;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Targets;

/// <summary>
/// Element-wise ops of a loop that <see cref="SimdLoop"/> accepted, written with one iteration per
/// lane of a <c>Vector&lt;T&gt;</c> (loads and stores through <c>Dsl.Simd</c>, scalars broadcast).
/// Used by the core while it writes the vector part of such a loop; values outside
/// <see cref="SimdLoop.Vectors"/> stay scalar and print as usual. A target offers it through
/// <see cref="ITarget.Lanes"/>; the vectorized CPU backend (items in lanes) grows from here.
/// </summary>
internal sealed class CpuVector
{
    public static readonly CpuVector Instance = new();

    private CpuVector() { }

    public const string SimdTypeRef = "global::Dsl.Simd";
    public const string VectorTypeRef = "global::System.Numerics.Vector";

    /// <summary>The type written for a local holding a vector.</summary>
    public string LocalType => "var";

    /// <summary>
    /// The ops with a lane-wise form that gives each element exactly what the scalar op gives;
    /// the one list that <see cref="SimdLoop"/> and <see cref="Render"/> read.
    /// </summary>
    public static bool IsLanewise(Op primitive) => primitive switch
    {
        UnaryOp u => Primitives.Of(u.Kind).Vectorizable,
        BinaryOp b => Primitives.Of(b.Kind).Vectorizable,
        _ => false,
    };

    /// <summary>The number of lanes, as the expression the loop advances by.</summary>
    public string Width(ScalarKind elem) => elem == ScalarKind.F32 ? SimdTypeRef + ".FloatWidth" : SimdTypeRef + ".DoubleWidth";

    /// <summary>A scalar expression broadcast to every lane.</summary>
    public string Broadcast(string scalar) => $"{SimdTypeRef}.Splat({scalar})";

    /// <summary>The statement writing (or adding) a vector at <c>buffer[index..]</c>.</summary>
    public string Store(string buffer, string index, string vector, bool accumulate) =>
        $"{SimdTypeRef}.{(accumulate ? "AddTo" : "Store")}({buffer}, {index}, {vector});";

    /// <summary>A math primitive on a vector (the unary ops <see cref="IsLanewise"/> admits).</summary>
    public string Call(UnOp kind, string operand) => $"{VectorTypeRef}.{Primitives.Of(kind).VectorName}({operand})";

    /// <summary>An element-wise op as a vector expression (operands printed by <paramref name="p"/>).</summary>
    public string Render(Op op, ExprPrinter p)
    {
        var level = ExprPrinter.Level(op);
        switch (op)
        {
            case LoadOp l:
                return $"{SimdTypeRef}.Load({p.Name(l.Buffer)}, {p.Expr(l.Index)})";
            case UnaryOp u:
                return Primitives.Of(u.Kind).Symbol is { } prefix ? prefix + p.Expr(u.Operand, 0) : Call(u.Kind, p.Expr(u.Operand));
            case BinaryOp b:
            {
                // Vector × scalar is an operator of Vector<T>; +, − and / need the scalar broadcast.
                string Side(Value v, int max) => p.IsLane(v) || b.Kind == BinOp.Mul ? p.Expr(v, max) : p.LaneExpr(v);
                return $"{Side(b.Left, level)} {Primitives.Of(b.Kind).Symbol} {Side(b.Right, level - 1)}";
            }
            default:
                throw new InvalidOperationException("not an element-wise op: " + op.GetType().Name);
        }
    }
}
