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
            case BinaryOp b:
                env[b.Result.Id] = Box(Binary(b.Kind, D(env, b.Left), D(env, b.Right), b.Left.Type), b.Result.Type);
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
                buf[i] = (double)Box(st.Accumulate ? buf[i] + x : x, st.Buffer.Type.ElementType);
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
                for (var i = start; Test(f.Cmp, i, bound); i += f.Step)
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

    private static double Unary(UnOp k, double x, IrType t) => k switch
    {
        UnOp.Neg => -x,
        UnOp.Not => x != 0 ? 0 : 1,
        UnOp.Convert => t.Elem == ScalarKind.I32 ? Math.Truncate(x) : x,
        UnOp.Sin => Math.Sin(x),
        UnOp.Cos => Math.Cos(x),
        UnOp.Tan => Math.Tan(x),
        UnOp.Asin => Math.Asin(x),
        UnOp.Acos => Math.Acos(x),
        UnOp.Atan => Math.Atan(x),
        UnOp.Sinh => Math.Sinh(x),
        UnOp.Cosh => Math.Cosh(x),
        UnOp.Tanh => Math.Tanh(x),
        UnOp.Asinh => Math.Log(x + Math.Sqrt(x * x + 1)),
        UnOp.Acosh => Math.Log(x + Math.Sqrt(x * x - 1)),
        UnOp.Atanh => 0.5 * Math.Log((1 + x) / (1 - x)),
        UnOp.Exp => Math.Exp(x),
        UnOp.Log => Math.Log(x),
        UnOp.Log2 => Math.Log(x, 2),
        UnOp.Log10 => Math.Log10(x),
        UnOp.Sqrt => Math.Sqrt(x),
        UnOp.Cbrt => x < 0 ? -Math.Pow(-x, 1.0 / 3) : Math.Pow(x, 1.0 / 3),
        UnOp.Abs => Math.Abs(x),
        UnOp.Sign => Math.Sign(x),
        UnOp.Floor => Math.Floor(x),
        UnOp.Ceiling => Math.Ceiling(x),
        UnOp.Round => Math.Round(x),
        UnOp.Truncate => Math.Truncate(x),
        _ => throw new InvalidOperationException(k.ToString()),
    };

    private static double Binary(BinOp k, double a, double b, IrType t) => k switch
    {
        BinOp.Add => a + b,
        BinOp.Sub => a - b,
        BinOp.Mul => a * b,
        BinOp.Div => t.Elem == ScalarKind.I32 ? Math.Truncate(a / b) : a / b,
        BinOp.Rem => a % b,
        BinOp.Pow => Math.Pow(a, b),
        BinOp.Atan2 => Math.Atan2(a, b),
        BinOp.Max => Math.Max(a, b),
        BinOp.Min => Math.Min(a, b),
        BinOp.Lt => a < b ? 1 : 0,
        BinOp.Le => a <= b ? 1 : 0,
        BinOp.Gt => a > b ? 1 : 0,
        BinOp.Ge => a >= b ? 1 : 0,
        BinOp.Eq => a == b ? 1 : 0,
        BinOp.Ne => a != b ? 1 : 0,
        BinOp.And => a != 0 && b != 0 ? 1 : 0,
        BinOp.Or => a != 0 || b != 0 ? 1 : 0,
        _ => throw new InvalidOperationException(k.ToString()),
    };
}
