using System;
using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>
/// Evaluates IR directly, in double precision (float values are rounded to float after each
/// op), so transforms can be tested without Roslyn. Scalars are passed as <c>double</c>,
/// <c>int</c> or <c>bool</c>; buffers as <c>double[]</c> (written in place).
/// </summary>
internal sealed class Interpreter
{
    private readonly Module _module;

    public Interpreter(Module module) => _module = module;

    public object[] Call(FunctionKey key, params object[] args)
    {
        var fn = _module.Find(key) ?? throw new ArgumentException("no function " + key);
        return Call(fn, args);
    }

    public object[] Call(Function fn, params object[] args)
    {
        if (args.Length != fn.Params.Count) throw new ArgumentException($"{fn.Name} takes {fn.Params.Count} arguments, got {args.Length}");
        var env = new Dictionary<int, object>();
        for (var i = 0; i < args.Length; i++) env[fn.Params[i].Id] = Normalize(args[i], fn.Params[i].Type);
        return Run(fn.Body, env);
    }

    private static object Normalize(object o, IrType t)
    {
        if (t.IsBuffer) return (double[])o;
        return t.Elem switch
        {
            ScalarKind.Bool => Convert.ToBoolean(o),
            ScalarKind.I32 => Convert.ToInt32(o),
            ScalarKind.F32 => (double)(float)Convert.ToDouble(o),
            _ => Convert.ToDouble(o),
        };
    }

    private readonly Dictionary<int, Stack<object>> _tapes = new();

    private Stack<object> Tape(int level) => _tapes.TryGetValue(level, out var t) ? t : _tapes[level] = new Stack<object>();

    private object[] Run(Region r, Dictionary<int, object> env)
    {
        foreach (var op in r.Ops) Exec(op, env);
        return r.Yields.Select(y => env[y.Id]).ToArray();
    }

    private static double D(Dictionary<int, object> env, Value v) => env[v.Id] switch
    {
        double d => d,
        int i => i,
        bool b => b ? 1 : 0,
        var o => throw new InvalidOperationException($"%{v.Id} is {o.GetType().Name}, not a number"),
    };

    private static object Box(double x, IrType t) => t.Elem switch
    {
        ScalarKind.Bool => x != 0,
        ScalarKind.I32 => (int)x,
        ScalarKind.F32 => (double)(float)x,
        _ => x,
    };

    private void Exec(Op op, Dictionary<int, object> env)
    {
        switch (op)
        {
            case ConstOp c:
                env[c.Result.Id] = Box(c.Number, c.Result.Type);
                break;
            case UnaryOp u:
                env[u.Result.Id] = Box(Unary(u.Kind, D(env, u.Operand), u.Result.Type), u.Result.Type);
                break;
            case BinaryOp b when b.Result.Type == IrType.I32 && b.Left.Type == IrType.I32 && b.Right.Type == IrType.I32
                && IntBinary(b.Kind, (int)env[b.Left.Id], (int)env[b.Right.Id]) is { } exact:
                env[b.Result.Id] = exact;   // int arithmetic as C# does it: wrapping, not through double
                break;
            case BinaryOp b:
                env[b.Result.Id] = Box(Binary(b.Kind, D(env, b.Left), D(env, b.Right), b.Left.Type), b.Result.Type);
                break;
            case TernaryOp t:
                env[t.Result.Id] = Box(Primitives.Of(t.Kind).Eval3!(D(env, t.A), D(env, t.B), D(env, t.C)), t.Result.Type);
                break;
            case SelectOp s:
                env[s.Result.Id] = (bool)env[s.Cond.Id] ? env[s.IfTrue.Id] : env[s.IfFalse.Id];
                break;
            case LoadOp l:
                env[l.Result.Id] = Box(((double[])env[l.Buffer.Id])[(int)env[l.Index.Id]], l.Result.Type);
                break;
            case StoreOp st:
            {
                var buf = (double[])env[st.Buffer.Id];
                var i = (int)env[st.Index.Id];
                var x = D(env, st.Stored);
                // An int element is kept as a double too (every buffer is a double[] here).
                buf[i] = Convert.ToDouble(Box(st.Accumulate ? buf[i] + x : x, st.Buffer.Type.ElementType));
                break;
            }
            case NoteOp:
                break;
            case PushOp push:
                Tape(push.Level).Push(env[push.Pushed.Id]);
                break;
            case PopOp pop:
                env[pop.Result.Id] = Tape(pop.Level).Pop();
                break;
            case ClearOp clear:
                Array.Clear((double[])env[clear.Buffer.Id], 0, ((double[])env[clear.Buffer.Id]).Length);
                break;
            case LengthOp len:
                env[len.Result.Id] = ((double[])env[len.Buffer.Id]).Length;
                break;
            case AllocOp a:
                env[a.Result.Id] = new double[(int)env[a.Length.Id]];
                break;
            case CallOp c:
            {
                var callee = _module.Find(c.Callee) ?? throw new InvalidOperationException("no function " + c.Callee);
                var outs = Call(callee, c.Args.Select(v => env[v.Id]).ToArray());
                for (var i = 0; i < c.Outs.Count; i++) env[c.Outs[i].Id] = outs[i];
                break;
            }
            case ForOp f:
            {
                var carried = f.Inits.Select(v => env[v.Id]).ToArray();
                var start = (int)env[f.Start.Id];
                var bound = (int)env[f.Bound.Id];
                for (var i = start; Test(f.Cmp, i, bound) && !(f.Exits && (bool)carried[0]); i += f.Step)
                {
                    env[f.Body.Args[0].Id] = i;
                    for (var k = 0; k < carried.Length; k++) env[f.Body.Args[k + 1].Id] = carried[k];
                    carried = Run(f.Body, env);
                }
                for (var k = 0; k < carried.Length; k++) env[f.Outs[k].Id] = carried[k];
                break;
            }
            case IfOp i:
            {
                var outs = (bool)env[i.Cond.Id] ? Run(i.Then, env) : Run(i.Else, env);
                for (var k = 0; k < outs.Length; k++) env[i.Outs[k].Id] = outs[k];
                break;
            }
            default:
                throw new InvalidOperationException("cannot interpret " + op.GetType().Name);
        }
    }

    private static bool Test(LoopCmp cmp, int i, int bound) => cmp switch
    {
        LoopCmp.Lt => i < bound,
        LoopCmp.Le => i <= bound,
        LoopCmp.Gt => i > bound,
        _ => i >= bound,
    };

    // Values come from the primitives table, except where the IR type decides: conversion and
    // division to int truncate.
    private static double Unary(UnOp k, double x, IrType t) =>
        k == UnOp.Convert ? (t.Elem == ScalarKind.I32 ? Math.Truncate(x) : x) : Primitives.Of(k).Eval1!(x);

    /// <summary>+, −, × of ints wrap as unchecked C# does (through double they would not); the rest go through double.</summary>
    private static int? IntBinary(BinOp k, int a, int b) => k switch
    {
        BinOp.Add => unchecked(a + b),
        BinOp.Sub => unchecked(a - b),
        BinOp.Mul => unchecked(a * b),
        _ => null,
    };

    private static double Binary(BinOp k, double a, double b, IrType t) =>
        k == BinOp.Div && t.Elem == ScalarKind.I32 ? Math.Truncate(a / b) : Primitives.Of(k).Eval2!(a, b);
}
