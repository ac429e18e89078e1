using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OptDsl.Compiler.Emit;

/// <summary>
/// Everything that turns .opt text into C# text: identifiers (valid and unique through <see cref="NameScope"/>), number
/// literals, and the escaping of copied text for each context it lands in (comments, XML docs, string literals,
/// interpolated strings). A .opt file and its file name are untrusted: nothing reaches generated code except through here.
/// </summary>
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
        "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>
    /// Contextual keywords that change meaning where generated code uses them (<c>nameof(x)</c> would call a local named
    /// nameof; <c>global::</c>, <c>var</c>, <c>value</c> in accessors, <c>field</c> in C# 14 accessors...): never a generated name.
    /// </summary>
    private static readonly HashSet<string> ContextualKeywords = new()
    {
        "add", "alias", "allows", "and", "args", "ascending", "async", "await", "by", "descending", "dynamic", "equals", "extension",
        "field", "file", "from", "get", "global", "group", "init", "into", "join", "let", "managed", "nameof", "nint", "not",
        "notnull", "nuint", "on", "or", "orderby", "partial", "record", "remove", "required", "scoped", "select", "set",
        "unmanaged", "value", "var", "when", "where", "with", "yield",
    };

    /// <summary>Reserved words of C#, which generated code can use as names only with an '@' prefix.</summary>
    public static bool IsKeyword(string name) => Keywords.Contains(name);

    /// <summary>True for reserved and contextual keywords: names generated code never picks on its own.</summary>
    public static bool IsAnyKeyword(string name) => Keywords.Contains(name) || ContextualKeywords.Contains(name);

    /// <summary>
    /// A valid C# identifier for <paramref name="name"/>: characters C# does not allow become '_', a leading digit gets a
    /// '_' before it, an empty name becomes "_", and a reserved keyword is escaped with '@' (the identifier stays the
    /// same name: <c>@class</c> is the parameter <c>class</c>).
    /// </summary>
    public static string Identifier(string name)
    {
        // C#'s identifier characters (ECMA-334 §6.4.3): letters, '_', and after the first also digits, connectors and
        // combining marks. A .opt name is ASCII; a RootNamespace such as "Über.App" keeps its letters.
        var sb = new StringBuilder(name.Length + 1);
        foreach (char c in name) sb.Append(IsIdentifierPart(c) ? c : '_');
        if (sb.Length == 0 || !IsIdentifierStart(sb[0])) sb.Insert(0, '_');
        string id = sb.ToString();
        return IsKeyword(id) ? "@" + id : id;
    }

    private static bool IsIdentifierStart(char c) =>
        c == '_' || char.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber;

    private static bool IsIdentifierPart(char c) =>
        IsIdentifierStart(c) || char.GetUnicodeCategory(c) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    /// <summary>A namespace from .opt text or a project's RootNamespace: each dotted segment made a valid identifier.</summary>
    public static string Namespace(string ns) =>
        string.Join(".", ns.Split('.').Select(s => s.Trim()).Where(s => s.Length > 0).Select(Identifier).DefaultIfEmpty("_"));

    /// <summary>"learning_rate" → "LearningRate"; "lambda" → "Lambda"; "K" stays "K".</summary>
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

    // ---- Copied text, escaped for where it lands -----------------------------------------------------------

    /// <summary>C#'s line terminators (ECMA-334 §6.3.2): each ends a <c>//</c> comment.</summary>
    public static bool IsLineTerminator(char c) => c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029';

    /// <summary>
    /// Text for a single-line <c>//</c> or <c>///</c> comment: every line terminator, control and format character
    /// (bidirectional overrides included, so the comment reads as it compiles) becomes a space, runs of white space
    /// collapse, and a lone surrogate becomes U+FFFD, so nothing after it can leave the comment.
    /// </summary>
    public static string CommentText(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool space = false;
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            var category = char.GetUnicodeCategory(c);
            if (IsLineTerminator(c) || char.IsWhiteSpace(c) || category is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            if (char.IsHighSurrogate(c) && k + 1 < text.Length && char.IsLowSurrogate(text[k + 1])) sb.Append(c).Append(text[++k]);
            else sb.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return sb.ToString();
    }

    /// <summary>Text for an XML documentation comment: a <see cref="CommentText"/> with <c>&amp; &lt; &gt;</c> escaped.</summary>
    public static string XmlText(string text) =>
        CommentText(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    /// <summary>The content of a regular C# string literal (without the quotes).</summary>
    public static string StringContent(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsHighSurrogate(c) && k + 1 < text.Length && char.IsLowSurrogate(text[k + 1]))
                    {
                        sb.Append(c).Append(text[++k]);
                    }
                    else if (char.IsControl(c) || IsLineTerminator(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
                    {
                        // Line terminators end a literal; a lone surrogate is not valid text; format characters (bidirectional
                        // overrides) would make the literal read differently from what it holds.
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A complete regular string literal, quotes included.</summary>
    public static string StringLiteral(string text) => "\"" + StringContent(text) + "\"";

    /// <summary>The content of an interpolated string's literal part: a string literal's escapes, with braces doubled.</summary>
    public static string InterpolatedContent(string text) => StringContent(text).Replace("{", "{{").Replace("}", "}}");
}

/// <summary>
/// A set of C# names that must not collide (a class's members, one method's locals). <see cref="Claim"/> is the one way
/// generated code gets a name from .opt text: it makes the name valid (<see cref="CSharpNames.Identifier"/>), then unique
/// within the scope, and says whether it had to change.
/// </summary>
public sealed class NameScope
{
    private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);

    public NameScope(IEnumerable<string>? reserved = null)
    {
        foreach (var name in reserved ?? []) _taken.Add(Bare(name));
    }

    /// <summary>Marks a name as used without claiming it (a name the generated code already uses).</summary>
    public void Reserve(string name) => _taken.Add(Bare(name));

    public bool IsTaken(string name) => _taken.Contains(Bare(name));

    /// <summary>Every name taken so far.</summary>
    public IEnumerable<string> Names => _taken;

    /// <summary>
    /// A valid, unused identifier as close to <paramref name="preferred"/> as possible: itself, or with
    /// <paramref name="suffix"/>, or with a number after it. Contextual keywords are never claimed.
    /// </summary>
    public string Claim(string preferred, string suffix = "_")
    {
        string id = CSharpNames.Identifier(preferred);
        string bare = Bare(id);
        if (CSharpNames.IsAnyKeyword(bare) && !CSharpNames.IsKeyword(bare) || _taken.Contains(bare))
        {
            string stem = bare + suffix;
            bare = stem;
            for (int k = 2; _taken.Contains(bare) || CSharpNames.IsAnyKeyword(bare); k++) bare = stem + k.ToString(CultureInfo.InvariantCulture);
            id = CSharpNames.IsKeyword(bare) ? "@" + bare : bare;
        }
        _taken.Add(bare);
        return id;
    }

    /// <summary>The identifier without its '@' escape: <c>@class</c> and <c>class</c> are one name.</summary>
    private static string Bare(string name) => name.StartsWith("@", System.StringComparison.Ordinal) ? name.Substring(1) : name;
}
