using System.Text;

namespace Dsl.Generator.Emit;

/// <summary>A minimal indented text writer (four spaces, '\n' line ends, deterministic).</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public IndentedWriter(int indent = 0) => _indent = indent;

    /// <summary>The current indentation level.</summary>
    public int Level => _indent;

    /// <summary>Appends text written by another writer (already indented).</summary>
    public void Raw(string text) => _sb.Append(text);

    /// <summary>
    /// Indentation stops growing past this level: 500 nested branches indented in full printed 12.2 MB, quadratic in the
    /// depth (every line carries its depth in spaces); past 16 levels (64 spaces) the block structure is read from the braces anyway.
    /// </summary>
    public const int MaxIndent = 16;

    public void Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', System.Math.Min(_indent, MaxIndent) * 4).Append(text);
        _sb.Append('\n');
    }

    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public void Indent() => _indent++;

    public void Dedent() => _indent--;

    public override string ToString() => _sb.ToString();
}
