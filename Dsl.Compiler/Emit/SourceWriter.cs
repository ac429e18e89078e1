using System;
using System.Text;

namespace OptDsl.Compiler.Emit;

/// <summary>Writes indented C#; blocks open and close through <see cref="Block"/> so braces always match.</summary>
public sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public SourceWriter Line(string line = "")
    {
        if (line.Length == 0) _text.Append('\n');
        else _text.Append(' ', _indent * 4).Append(line).Append('\n');
        return this;
    }

    /// <summary>A braced block, below <paramref name="header"/> (none for a bare scope).</summary>
    public IDisposable Block(string? header)
    {
        if (header is not null) Line(header);
        Line("{");
        _indent++;
        return new Closer(this);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _text.ToString();

    private sealed class Closer(SourceWriter writer) : IDisposable
    {
        public void Dispose()
        {
            writer._indent--;
            writer.Line("}");
        }
    }
}
