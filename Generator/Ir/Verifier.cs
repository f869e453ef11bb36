using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>
/// Checks the structural rules of the IR: every value is defined once, before it is read, in
/// the region that reads it or one around it; operand types agree; regions yield what their
/// op expects. Returns the problems found (empty when the IR is well formed).
/// </summary>
internal static class Verifier
{
    public static IReadOnlyList<string> Verify(Module m) => m.Functions.SelectMany(f => Verify(f, m)).ToList();

    public static IReadOnlyList<string> Verify(Function fn, Module? module = null)
    {
        var errors = new List<string>();
        var defined = new HashSet<int>();
        var scope = new Stack<HashSet<int>>();
        scope.Push(new HashSet<int>());

        void Define(Value v)
        {
            if (!defined.Add(v.Id)) errors.Add($"{fn.Name}: value %{v.Id} defined twice");
            scope.Peek().Add(v.Id);
        }

        bool Visible(Value v) => scope.Any(s => s.Contains(v.Id));

        void Read(Value v, string where)
        {
            if (!Visible(v)) errors.Add($"{fn.Name}: {where} reads %{v.Id} ({v.Name}) before or outside its definition");
        }

        void Region(Region r, IReadOnlyList<IrType>? expectedYields, string where)
        {
            scope.Push(new HashSet<int>());
            foreach (var a in r.Args) Define(a);
            foreach (var op in r.Ops) Op(op);
            foreach (var y in r.Yields) Read(y, where + " yield");
            if (expectedYields is not null)
            {
                if (expectedYields.Count != r.Yields.Count)
                    errors.Add($"{fn.Name}: {where} yields {r.Yields.Count} values, expected {expectedYields.Count}");
                else
                {
                    for (var i = 0; i < expectedYields.Count; i++)
                    {
                        if (!Same(expectedYields[i], r.Yields[i].Type))
                            errors.Add($"{fn.Name}: {where} yield {i} has type {r.Yields[i].Type}, expected {expectedYields[i]}");
                    }
                }
            }
            scope.Pop();
        }

        void Op(Op op)
        {
            var name = op.GetType().Name;
            foreach (var v in op.Operands) Read(v, name);
            switch (op)
            {
                case BinaryOp b when b.Kind is not (BinOp.Lt or BinOp.Le or BinOp.Gt or BinOp.Ge or BinOp.Eq or BinOp.Ne) && !Same(b.Left.Type, b.Right.Type):
                    errors.Add($"{fn.Name}: {b.Kind} mixes {b.Left.Type} and {b.Right.Type}");
                    break;
                case BinaryOp b when !Same(b.Left.Type, b.Right.Type):
                    errors.Add($"{fn.Name}: comparison mixes {b.Left.Type} and {b.Right.Type}");
                    break;
                case TernaryOp t when !Same(t.A.Type, t.B.Type) || !Same(t.A.Type, t.C.Type) || !t.Result.Type.IsFloat:
                    errors.Add($"{fn.Name}: {t.Kind} needs three operands of one float type, has {t.A.Type}, {t.B.Type}, {t.C.Type}");
                    break;
                case LoadOp l when !l.Buffer.Type.IsBuffer || l.Index.Type != IrType.I32:
                    errors.Add($"{fn.Name}: load needs a buffer and an int index");
                    break;
                case StoreOp s when !s.Buffer.Type.IsBuffer || s.Stored.Type != s.Buffer.Type.ElementType:
                    errors.Add($"{fn.Name}: store of {s.Stored.Type} into {s.Buffer.Type}");
                    break;
                case StoreOp s when s.Buffer.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array:
                    errors.Add($"{fn.Name}: store into read-only buffer %{s.Buffer.Id}");
                    break;
                case SelectOp s when s.Cond.Type != IrType.Bool || !Same(s.IfTrue.Type, s.IfFalse.Type):
                    errors.Add($"{fn.Name}: select needs a bool and two values of one type");
                    break;
                case CallOp c when module is not null:
                {
                    var callee = module.Find(c.Callee);
                    if (callee is not null && callee.Params.Count != c.Args.Count)
                        errors.Add($"{fn.Name}: call of {callee.Name} passes {c.Args.Count} arguments, expected {callee.Params.Count}");
                    break;
                }
            }
            switch (op)
            {
                case ForOp f:
                    if (f.Body.Args.Count != f.Inits.Count + 1 || f.Outs.Count != f.Inits.Count)
                        errors.Add($"{fn.Name}: loop carries {f.Inits.Count} values but has {f.Body.Args.Count - 1} arguments and {f.Outs.Count} results");
                    for (var i = 0; i < f.Inits.Count && i + 1 < f.Body.Args.Count; i++)
                    {
                        if (!Same(f.Inits[i].Type, f.Body.Args[i + 1].Type)) errors.Add($"{fn.Name}: loop init {i} type mismatch");
                    }
                    Region(f.Body, f.Outs.Select(o => o.Type).ToList(), "loop body");
                    break;
                case IfOp i:
                    if (i.Cond.Type != IrType.Bool) errors.Add($"{fn.Name}: if condition is {i.Cond.Type}");
                    Region(i.Then, i.Outs.Select(o => o.Type).ToList(), "then");
                    Region(i.Else, i.Outs.Select(o => o.Type).ToList(), "else");
                    break;
            }
            foreach (var r in op.Results) Define(r);
        }

        Region(fn.Body, null, "function");
        return errors;
    }

    /// <summary>Types agree up to the buffer's kind (a tangent of an array input is a read-only span).</summary>
    private static bool Same(IrType a, IrType b) => a.Elem == b.Elem && a.IsBuffer == b.IsBuffer;
}
