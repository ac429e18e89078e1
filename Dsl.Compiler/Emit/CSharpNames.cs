using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OptDsl.Compiler.Emit;

/// <summary>Turns .opt names into safe C# identifiers and numbers into round-trip literals.</summary>
public static class CSharpNames
{
    private static readonly HashSet<string> Keywords = new()
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while", "var", "dynamic", "value", "global", "nameof", "record",
    };

    public static bool IsKeyword(string name) => Keywords.Contains(name);

    /// <summary>"learning_rate" → "LearningRate"; "lambda" → "Lambda".</summary>
    public static string Pascal(string name)
    {
        var parts = name.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1));
        string result = string.Concat(parts);
        return result.Length == 0 ? "_" : char.IsDigit(result[0]) ? "_" + result : result;
    }

    /// <summary>A C# double literal that parses back to exactly <paramref name="v"/>.</summary>
    public static string Literal(double v)
    {
        if (double.IsPositiveInfinity(v)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(v)) return "double.NegativeInfinity";
        if (double.IsNaN(v)) return "double.NaN";
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains(".") || s.Contains("E") ? s : s + ".0";
    }
}
