using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>
/// Builds IR: hands out fresh value ids and collects ops into the innermost open block.
/// Blocks nest as regions are built (loop bodies, branches).
/// </summary>
internal sealed class IrBuilder
{
    private readonly Stack<List<Op>> _blocks = new();
    private int _next;

    public IrBuilder(int firstId = 0)
    {
        _next = firstId;
        _blocks.Push(new List<Op>());
    }

    /// <summary>The next id that will be handed out.</summary>
    public int NextId => _next;

    public Value NewValue(IrType type, string name) => new(_next++, type, name);

    public void Emit(Op op) => _blocks.Peek().Add(op);

    /// <summary>The ops of the innermost open block so far.</summary>
    public IReadOnlyList<Op> CurrentBlock => _blocks.Peek();

    /// <summary>Opens a nested block; <see cref="EndBlock"/> returns its ops.</summary>
    public void BeginBlock() => _blocks.Push(new List<Op>());

    /// <summary>Whether a plain (not symbolic) constant op of an open block defines <paramref name="v"/>, and its number.</summary>
    public bool IsConstant(Value v, out double number)
    {
        foreach (var block in _blocks)
        {
            foreach (var op in block)
            {
                if (op is ConstOp { Symbolic: false } c && c.Result.Id == v.Id)
                {
                    number = c.Number;
                    return true;
                }
            }
        }
        number = 0;
        return false;
    }

    public EquatableArray<Op> EndBlock() => _blocks.Pop().ToEquatableArray();

    /// <summary>An if of already built branches, each yielding the given values; its results (unnamed, one per yield).</summary>
    public EquatableArray<Value> If(Value cond, EquatableArray<Op> thenOps, IReadOnlyList<Value> thenYields, EquatableArray<Op> elseOps,
        IReadOnlyList<Value> elseYields)
    {
        var outs = thenYields.Select(v => NewValue(v.Type, "")).ToEquatableArray();
        Emit(new IfOp(outs, cond, new Region(EquatableArray<Value>.Empty, thenOps, thenYields.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, elseOps, elseYields.ToEquatableArray())));
        return outs;
    }

    /// <summary><c>for (index = start; index &lt; bound; index++) body(index)</c>, carrying nothing.</summary>
    public void Loop(Value start, Value bound, string index, System.Action<Value> body)
    {
        BeginBlock();
        var i = NewValue(IrType.I32, index);
        body(i);
        var ops = EndBlock();
        Emit(new ForOp(EquatableArray<Value>.Empty, start, bound, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
            new Region(new[] { i }.ToEquatableArray(), ops, EquatableArray<Value>.Empty)));
    }

    public Value Const(double number, IrType type, string name = "")
    {
        var v = NewValue(type, name);
        Emit(new ConstOp(v, number));
        return v;
    }

    /// <summary>A symbolic zero: the derivative of something that does not depend on the inputs.</summary>
    public Value Zero(IrType type)
    {
        var v = NewValue(type, "");
        Emit(new ConstOp(v, 0, Symbolic: true));
        return v;
    }

    public Value Unary(UnOp kind, Value operand, string? name = null, IrType? type = null)
    {
        var v = NewValue(type ?? operand.Type, name ?? "");
        Emit(new UnaryOp(v, kind, operand));
        return v;
    }

    public Value Binary(BinOp kind, Value left, Value right, string? name = null)
    {
        var type = Primitives.Of(kind).Compares ? IrType.Bool : left.Type;
        var v = NewValue(type, name ?? "");
        Emit(new BinaryOp(v, kind, left, right));
        return v;
    }

    public Value Ternary(TernOp kind, Value a, Value b, Value c, string? name = null)
    {
        var v = NewValue(a.Type, name ?? "");
        Emit(new TernaryOp(v, kind, a, b, c));
        return v;
    }

    public Value Select(Value cond, Value a, Value b, string? name = null)
    {
        var v = NewValue(a.Type, name ?? "");
        Emit(new SelectOp(v, cond, a, b));
        return v;
    }

    public Value Load(Value buffer, Value index, string? name = null)
    {
        var v = NewValue(buffer.Type.ElementType, name ?? "");
        Emit(new LoadOp(v, buffer, index));
        return v;
    }

    public void Store(Value buffer, Value index, Value value, bool accumulate = false) =>
        Emit(new StoreOp(buffer, index, value, accumulate));

    public Value Length(Value buffer)
    {
        var v = NewValue(IrType.I32, "");
        Emit(new LengthOp(v, buffer));
        return v;
    }

    public Value Alloc(IrType type, Value length, string name)
    {
        var v = NewValue(type, name);
        Emit(new AllocOp(v, length));
        return v;
    }

    /// <summary>
    /// Renames <paramref name="v"/> when the last op of the current block defines it (so no
    /// other op refers to it yet); returns the value to use from now on.
    /// </summary>
    public Value TryRenameLast(Value v, string name)
    {
        var block = _blocks.Peek();
        if (block.Count == 0) return v;
        var renamed = v with { Name = name };
        Op? replaced = block[block.Count - 1] switch
        {
            ConstOp c when c.Result == v => c with { Result = renamed },
            UnaryOp u when u.Result == v => u with { Result = renamed },
            BinaryOp b when b.Result == v => b with { Result = renamed },
            SelectOp s when s.Result == v => s with { Result = renamed },
            TernaryOp t when t.Result == v => t with { Result = renamed },
            LoadOp l when l.Result == v => l with { Result = renamed },
            LengthOp len when len.Result == v => len with { Result = renamed },
            CallOp c when c.Outs.Count == 1 && c.Outs[0] == v => c with { Outs = new[] { renamed }.ToEquatableArray() },
            IfOp i when i.Outs.Count == 1 && i.Outs[0] == v => i with { Outs = new[] { renamed }.ToEquatableArray() },
            _ => null,
        };
        if (replaced is null) return v;
        block[block.Count - 1] = replaced;
        return renamed;
    }

    /// <summary>Creates fresh copies of <paramref name="values"/> (same types and names), e.g. as block arguments.</summary>
    public EquatableArray<Value> Fresh(IEnumerable<Value> values, string suffix = "") =>
        values.Select(v => NewValue(v.Type, v.Name + suffix)).ToEquatableArray();
}
