using System;
using System.Collections.Generic;
using System.Globalization;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Core;

/// <summary>
/// C# names of the values of one method. Values the source named keep their names
/// (<c>h</c>, <c>h_dot</c>); a clash gets <c>_1</c>, <c>_2</c>… in the order the text is written;
/// an unnamed load is called after its buffer and index (<c>x_k</c>).
/// </summary>
internal sealed class NameScope
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    private readonly Dictionary<int, string> _names = new();
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>
    /// Per base name, the suffix to try first: every smaller one was found taken, and names are never released, so the
    /// search resumes there. Starting from 1 each time made a body of n statements that all assign <c>s</c> try
    /// n²/2 names (10,000 statements: 50 million strings, 7.7 GB allocated in the generator).
    /// </summary>
    private readonly Dictionary<string, int> _nextSuffix = new(StringComparer.Ordinal);

    /// <summary>Names tried by <see cref="Fresh"/> on this thread (a step counter for the growth tests).</summary>
    [ThreadStatic] internal static long NamesTried;
    private readonly EmitPlan _plan;

    public NameScope(EmitPlan plan) => _plan = plan;

    /// <summary>Marks a name as used by something other than a value (a parameter, a tape).</summary>
    public void Reserve(string name) => _taken.Add(name);

    /// <summary>Gives <paramref name="v"/> the name <paramref name="name"/> (a parameter, a loop slot, a parked copy).</summary>
    public void Bind(Value v, string name) => _names[v.Id] = name;

    /// <summary>The name bound to <paramref name="v"/> so far, if any.</summary>
    public bool TryGet(Value v, out string name) => _names.TryGetValue(v.Id, out name!);

    /// <summary>A name not used yet, as close to <paramref name="baseName"/> as possible.</summary>
    public string Fresh(string baseName)
    {
        if (baseName.Length == 0) baseName = "tmp";
        if (Keywords.Contains(baseName)) baseName = "@" + baseName;
        NamesTried++;
        if (_taken.Add(baseName)) return baseName;
        for (var k = _nextSuffix.TryGetValue(baseName, out var next) ? next : 1; ; k++)
        {
            NamesTried++;
            var candidate = baseName + "_" + k.ToString(CultureInfo.InvariantCulture);
            if (!_taken.Add(candidate)) continue;
            _nextSuffix[baseName] = k + 1;
            return candidate;
        }
    }

    /// <summary>The name of <paramref name="v"/>, given on first request.</summary>
    public string Of(Value v)
    {
        if (_names.TryGetValue(v.Id, out var n)) return n;
        var hint = v.Name;
        if (hint.Length == 0 && _plan.TryGetDef(v, out var def) && def is LoadOp load)
            hint = Of(load.Buffer).TrimStart('@') + "_" + (_plan.IsInline(load.Index) ? "k" : Of(load.Index).TrimStart('@'));
        n = Fresh(hint);
        _names[v.Id] = n;
        return n;
    }
}
