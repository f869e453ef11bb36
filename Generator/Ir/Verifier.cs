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
        var walk = new Walk(fn, module);
        walk.Region(fn.Body, null, "function");
        return walk.Errors;
    }

    /// <summary>Types agree up to the buffer's kind (a tangent of an array input is a read-only span).</summary>
    private static bool Same(IrType a, IrType b) => a.Elem == b.Elem && a.IsBuffer == b.IsBuffer;

    /// <summary>One function's check: the values defined so far and the scopes that can see them.</summary>
    private sealed class Walk
    {
        private readonly Function _fn;
        private readonly Module? _module;
        private readonly HashSet<int> _defined = new();
        private readonly Stack<HashSet<int>> _scope = new();

        public Walk(Function fn, Module? module)
        {
            _fn = fn;
            _module = module;
            _scope.Push(new HashSet<int>());
        }

        public List<string> Errors { get; } = new();

        private void Error(string problem) => Errors.Add($"{_fn.Name}: {problem}");

        private void Define(Value v)
        {
            if (!_defined.Add(v.Id)) Error($"value %{v.Id} defined twice");
            _scope.Peek().Add(v.Id);
        }

        private bool Visible(Value v) => _scope.Any(s => s.Contains(v.Id));

        private void Read(Value v, string where)
        {
            if (!Visible(v)) Error($"{where} reads %{v.Id} ({v.Name}) before or outside its definition");
        }

        public void Region(Region r, IReadOnlyList<IrType>? expectedYields, string where)
        {
            _scope.Push(new HashSet<int>());
            foreach (var a in r.Args) Define(a);
            foreach (var op in r.Ops) Op(op);
            foreach (var y in r.Yields) Read(y, where + " yield");
            if (expectedYields is not null) Yields(r, expectedYields, where);
            _scope.Pop();
        }

        private void Yields(Region r, IReadOnlyList<IrType> expected, string where)
        {
            if (expected.Count != r.Yields.Count)
            {
                Error($"{where} yields {r.Yields.Count} values, expected {expected.Count}");
                return;
            }
            for (var i = 0; i < expected.Count; i++)
            {
                if (!Same(expected[i], r.Yields[i].Type)) Error($"{where} yield {i} has type {r.Yields[i].Type}, expected {expected[i]}");
            }
        }

        private void Op(Op op)
        {
            var name = op.GetType().Name;
            foreach (var v in op.Operands) Read(v, name);
            if (OperandTypes(op) is { } problem) Error(problem);
            if (op is ForOp f) For(f);
            else if (op is IfOp i) If(i);
            foreach (var r in op.Results) Define(r);
        }

        /// <summary>The first operand rule that <paramref name="op"/> breaks, or null.</summary>
        private string? OperandTypes(Op op) => op switch
        {
            BinaryOp b when !Primitives.Of(b.Kind).Compares
                && !Same(b.Left.Type, b.Right.Type) => $"{b.Kind} mixes {b.Left.Type} and {b.Right.Type}",
            BinaryOp b when !Same(b.Left.Type, b.Right.Type) => $"comparison mixes {b.Left.Type} and {b.Right.Type}",
            TernaryOp t when !Same(t.A.Type, t.B.Type) || !Same(t.A.Type, t.C.Type) || !t.Result.Type.IsFloat =>
                $"{t.Kind} needs three operands of one float type, has {t.A.Type}, {t.B.Type}, {t.C.Type}",
            LoadOp l when !l.Buffer.Type.IsBuffer || l.Index.Type != IrType.I32 => "load needs a buffer and an int index",
            StoreOp s when !s.Buffer.Type.IsBuffer || s.Stored.Type != s.Buffer.Type.ElementType =>
                $"store of {s.Stored.Type} into {s.Buffer.Type}",
            StoreOp s when s.Buffer.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array =>
                $"store into read-only buffer %{s.Buffer.Id}",
            SelectOp s when s.Cond.Type != IrType.Bool || !Same(s.IfTrue.Type, s.IfFalse.Type) =>
                "select needs a bool and two values of one type",
            CallOp c when _module?.Find(c.Callee) is { } callee && callee.Params.Count != c.Args.Count =>
                $"call of {callee.Name} passes {c.Args.Count} arguments, expected {callee.Params.Count}",
            _ => null,
        };

        private void For(ForOp f)
        {
            if (f.Body.Args.Count != f.Inits.Count + 1 || f.Outs.Count != f.Inits.Count)
                Error($"loop carries {f.Inits.Count} values but has {f.Body.Args.Count - 1} arguments and {f.Outs.Count} results");
            for (var i = 0; i < f.Inits.Count && i + 1 < f.Body.Args.Count; i++)
            {
                if (!Same(f.Inits[i].Type, f.Body.Args[i + 1].Type)) Error($"loop init {i} type mismatch");
            }
            if (f.Exits && (f.Inits.Count == 0 || f.Inits[0].Type != IrType.Bool)) Error("an exiting loop must carry its bool flag first");
            Region(f.Body, f.Outs.Select(o => o.Type).ToList(), "loop body");
        }

        private void If(IfOp i)
        {
            if (i.Cond.Type != IrType.Bool) Error($"if condition is {i.Cond.Type}");
            Region(i.Then, i.Outs.Select(o => o.Type).ToList(), "then");
            Region(i.Else, i.Outs.Select(o => o.Type).ToList(), "else");
        }
    }
}
