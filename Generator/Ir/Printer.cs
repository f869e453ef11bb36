using System.Globalization;
using System.Linq;
using System.Text;

namespace Dsl.Generator.Ir;

/// <summary>Prints IR as text (MLIR-like), for tests, debugging and docs.</summary>
internal static class Printer
{
    public static string Print(Module m) => string.Join("\n", m.Functions.Select(Print));

    public static string Print(Function fn)
    {
        var sb = new StringBuilder();
        sb.Append("func ").Append(fn.Name).Append('(')
          .Append(string.Join(", ", fn.Params.Select(p => V(p) + ": " + p.Type)))
          .Append(") {\n");
        Region(sb, fn.Body, 1);
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string V(Value v) => "%" + (v.Name.Length > 0 ? v.Name : "t") + v.Id.ToString(CultureInfo.InvariantCulture);

    private static void Region(StringBuilder sb, Region r, int depth)
    {
        var pad = new string(' ', depth * 2);
        foreach (var op in r.Ops) Op(sb, op, depth);
        sb.Append(pad).Append("yield ").Append(string.Join(", ", r.Yields.Select(V))).Append('\n');
    }

    private static void Op(StringBuilder sb, Op op, int depth)
    {
        var pad = new string(' ', depth * 2);
        sb.Append(pad);
        var results = op.Results.ToList();
        if (results.Count > 0) sb.Append(string.Join(", ", results.Select(V))).Append(" = ");
        switch (op)
        {
            case ConstOp c:
                sb.Append("const ").Append(c.Number.ToString("R", CultureInfo.InvariantCulture)).Append(" : ").Append(c.Result.Type);
                break;
            case UnaryOp u:
                sb.Append(u.Kind.ToString().ToLowerInvariant()).Append(' ').Append(V(u.Operand)).Append(" : ").Append(u.Result.Type);
                break;
            case BinaryOp b:
                sb.Append(b.Kind.ToString().ToLowerInvariant()).Append(' ').Append(V(b.Left)).Append(", ").Append(V(b.Right))
                  .Append(" : ").Append(b.Result.Type);
                break;
            case TernaryOp t:
                sb.Append(t.Kind.ToString().ToLowerInvariant()).Append(' ').Append(V(t.A)).Append(", ").Append(V(t.B)).Append(", ")
                  .Append(V(t.C)).Append(" : ").Append(t.Result.Type);
                break;
            case SelectOp s:
                sb.Append("select ").Append(V(s.Cond)).Append(", ").Append(V(s.IfTrue)).Append(", ").Append(V(s.IfFalse));
                break;
            case LoadOp l:
                sb.Append("load ").Append(V(l.Buffer)).Append('[').Append(V(l.Index)).Append(']');
                break;
            case StoreOp st:
                sb.Append(st.Accumulate ? "accumulate " : "store ").Append(V(st.Stored)).Append(" -> ").Append(V(st.Buffer))
                  .Append('[').Append(V(st.Index)).Append(']');
                break;
            case LengthOp len:
                sb.Append("length ").Append(V(len.Buffer));
                break;
            case AllocOp a:
                sb.Append("alloc ").Append(a.Result.Type).Append('[').Append(V(a.Length)).Append(']');
                break;
            case CallOp c:
                sb.Append("call @").Append(c.Callee).Append('(').Append(string.Join(", ", c.Args.Select(V))).Append(')');
                break;
            case PushOp push:
                sb.Append("push ").Append(V(push.Pushed));
                if (push.Level > 0) sb.Append(" @tape").Append(push.Level);
                break;
            case PopOp pop:
                sb.Append("pop : ").Append(pop.Result.Type);
                if (pop.Level > 0) sb.Append(" @tape").Append(pop.Level);
                break;
            case NoteOp note:
                sb.Append("// ").Append(note.Text);
                break;
            case ClearOp clear:
                sb.Append("clear ").Append(V(clear.Buffer));
                break;
            case ForOp f:
                sb.Append("for ").Append(V(f.Body.Args[0])).Append(" = ").Append(V(f.Start)).Append(' ')
                  .Append(f.Cmp.ToString().ToLowerInvariant()).Append(' ').Append(V(f.Bound)).Append(" step ").Append(f.Step)
                  .Append(f.Exits ? " until " + V(f.Body.Args[1]) : "")
                  .Append(" iter(").Append(string.Join(", ", f.Body.Args.Skip(1).Zip(f.Inits, (a, i) => V(a) + " = " + V(i))))
                  .Append(") {\n");
                Region(sb, f.Body, depth + 1);
                sb.Append(pad).Append('}');
                break;
            case IfOp i:
                sb.Append("if ").Append(V(i.Cond)).Append(" {\n");
                Region(sb, i.Then, depth + 1);
                sb.Append(pad).Append("} else {\n");
                Region(sb, i.Else, depth + 1);
                sb.Append(pad).Append('}');
                break;
        }
        sb.Append('\n');
    }
}
