using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

/// <summary>What a problem's class and a model's class write the same way: param properties, index checks, option values.</summary>
internal static class SharedMembers
{
    private const string Runtime = "global::OptDsl.Runtime";

    /// <summary>
    /// A param's property. A NaN or infinite param would only show as a diverged solve or training: it is refused where
    /// it is set, naming the param (<paramref name="where"/> is "file.opt:12", raw; <paramref name="whereXml"/> the same for XML).
    /// </summary>
    /// <summary>
    /// The parameter documentation and the body of a constructor that takes runtime dims (a model's, and its tune blocks'
    /// search classes'): each dim checked to be at least 1, with its .opt line, then stored in its field.
    /// </summary>
    public static void DimConstructor(SourceWriter w, string className, IReadOnlyList<Semantics.DimSymbol> dims, Func<string, string> parameter,
                                      Func<Semantics.DimSymbol, string> field, Func<int, string> where, Action? rest = null)
    {
        foreach (var d in dims)
            w.Line($"/// <param name=\"{ProblemNames.Bare(parameter(d.Name))}\">dim {CSharpNames.XmlText(d.Name)} ({CSharpNames.XmlText(where(d.Line))}), at least 1.</param>");
        using (w.Block($"public {className}({string.Join(", ", dims.Select(d => $"int {parameter(d.Name)}"))})"))
        {
            foreach (var d in dims)
            {
                string arg = parameter(d.Name);
                w.Line($"if ({arg} < 1) throw new global::System.ArgumentOutOfRangeException(nameof({arg}), {arg}, {CSharpNames.StringLiteral($"dim {d.Name} ({where(d.Line)}) must be at least 1.")});");
                w.Line($"{field(d)} = {arg};");
            }
            rest?.Invoke();
        }
    }

    public static void ParamProperty(SourceWriter w, ParamSymbol p, ProblemNames names, string where, string whereXml)
    {
        string field = names.Field(p.Name);
        string decl = $"param {p.Name} ({where})";
        w.Line($"/// <summary>param {CSharpNames.XmlText(p.Name)} = {CSharpNames.XmlText(p.DefaultText)} ({whereXml}); a finite number (NaN or ±∞ throws <c>ArgumentOutOfRangeException</c>).</summary>");
        using (w.Block($"public double {names.Property(p.Name)}"))
        {
            w.Line($"get => {field};");
            w.Line($"set => {field} = double.IsFinite(value) ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, {CSharpNames.StringLiteral(decl + " must be a finite number.")});");
        }
        w.Line();
    }

    /// <summary>
    /// The constructor's check of an index whose range depends on runtime dims: an index that runs over loops must stay
    /// on its axis, or a row-major array would read another row silently (<paramref name="where"/> raw, as above).
    /// </summary>
    public static void IndexCheck(SourceWriter w, IndexCheck check, ProblemNames names, string where)
    {
        string Int(IntExpr e, bool outermost = false) => MemberInts.Print(e, names, outermost);
        string runs = string.Join(" && ", check.LoopCounts.Where(c => c is not IntConst).Select(c => $"{Int(c, outermost: true)} > 0"));
        string min = Int(check.Min, outermost: true), max = Int(check.Max, outermost: true);
        var sides = new List<string>();
        if (check.CheckLow) sides.Add($"{min} < {Int(check.Lo)}");
        if (check.CheckHigh) sides.Add($"{max} > {Int(IntExpr.Sub(check.Hi, IntExpr.Const(1)))}");
        string outside = string.Join(" || ", sides);
        w.Line($"if ({(runs.Length == 0 ? "" : runs + " && ")}({outside})) throw new global::System.ArgumentException($\"{CSharpNames.InterpolatedContent(check.What)} ({CSharpNames.InterpolatedContent(where)}) runs from {{{min}}} to {{{max}}}, outside {CSharpNames.InterpolatedContent(check.Lo.ToString()!)}..{CSharpNames.InterpolatedContent(check.Hi.ToString()!)} for these dims.\");");
    }

    /// <summary>An option's value as the .opt file shows it (documentation).</summary>
    public static string OptionText(object value) => value switch
    {
        double d => Expr.Format(d),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>An option's value as a C# expression of its kind.</summary>
    public static string OptionValue(OptionSpec option, object value) => option.Kind switch
    {
        OptionKind.Bool => (bool)value ? "true" : "false",
        OptionKind.Count or OptionKind.PositiveCount => ((int)value).ToString(CultureInfo.InvariantCulture),
        OptionKind.Seconds => $"global::System.TimeSpan.FromSeconds({CSharpNames.Literal((double)value)})",
        OptionKind.Choice => $"{Runtime}.{option.ChoiceType}.{CSharpNames.Pascal((string)value)}",
        _ => CSharpNames.Literal((double)value),
    };
}
