using System.Collections.Generic;
using System.Linq;
using System.Text;
using OptDsl.Compiler.Derivatives;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler;

/// <summary>
/// A readable dump of what the compiler derived for each problem and model, in .opt notation: the lowered objective, its
/// gradient terms, the directional derivative and the Hessian-vector product terms, the residuals. For reviews and
/// golden tests of the derivative rules, independent of the C# emitter. It runs the compiler's own stages (parse, bind,
/// derive) and prints the <see cref="DerivedProblem"/> that scheduling and printing receive.
/// </summary>
public static class DerivativeReport
{
    public static string Explain(string path, string text)
    {
        var sb = new StringBuilder();
        Expr.ResetInterning();
        try
        {
            var (file, errors) = CompilationPipeline.Parse(path, text);
            foreach (var e in errors) sb.Append("// ").Append(e).Append('\n');
            if (file is null) return sb.ToString();
            var diagnostics = new List<OptDiagnostic>();
            foreach (var block in file.Blocks)
            {
                if (block is ProblemSyntax problem)
                {
                    var bound = CompilationPipeline.Bind(path, text, problem, diagnostics);
                    foreach (var d in diagnostics) sb.Append("// ").Append(d).Append('\n');
                    diagnostics.Clear();
                    if (bound is null) continue;
                    Write(sb, CompilationPipeline.Derive(bound), "problem " + problem.Name);
                }
                else if (block is ModelSyntax model)
                {
                    var bound = new ModelBinder(path, text, diagnostics).Bind(model);
                    foreach (var d in diagnostics) sb.Append("// ").Append(d).Append('\n');
                    diagnostics.Clear();
                    if (bound is null) continue;
                    // A model's loss per sample (the terms that read the sample), then its penalty (added once per batch).
                    Write(sb, CompilationPipeline.Derive(bound.Sample), $"model {model.Name}, one sample's loss");
                    if (bound.HasPenalty) Write(sb, CompilationPipeline.Derive(bound.Penalty), $"model {model.Name}, penalty");
                }
            }
        }
        finally
        {
            Expr.ResetInterning();
        }
        return sb.ToString();
    }

    /// <summary>The derived model of one problem (or one part of a model's loss), as the emitter receives it.</summary>
    private static void Write(StringBuilder sb, DerivedProblem derived, string title)
    {
        var p = derived.Problem;
        var f = derived.Objective;
        sb.Append(title).Append('\n');
        sb.Append("  f = ").Append(f.Value).Append('\n');
        foreach (var t in f.Gradient) sb.Append("  ").Append(Term("∂f", t)).Append('\n');
        sb.Append("  ∇f·v = ").Append(f.Tangent).Append('\n');
        foreach (var t in f.HessianVectorProduct) sb.Append("  ").Append(Term("(∇²f·v)", t)).Append('\n');
        foreach (var r in p.Residuals ?? []) sb.Append("  residual").Append(Loops(r.Loops)).Append(" = ").Append(r.Residual).Append('\n');
        for (int k = 0; k < p.Constraints.Count; k++)
        {
            var c = p.Constraints[k];
            sb.Append("  ").Append(c.Label).Append(Loops(c.ForAll)).Append(": ").Append(c.Lower).Append(" <= ").Append(c.Body).Append(" <= ").Append(c.Upper).Append('\n');
            foreach (var t in derived.Constraints[k].Jacobian) sb.Append("    ").Append(Term("∂" + c.Label, t)).Append('\n');
        }
    }

    private static string Loops(IReadOnlyList<IndexVar> loops) =>
        loops.Count == 0 ? "" : " for " + string.Join(", ", loops.Select(l => $"{l} in {l.Lower}..{l.Upper}"));

    private static string Term(string what, GradientTerm t) =>
        $"{what}/∂{t.Variable}{(t.Indices.Count == 0 ? "" : "[" + string.Join(", ", t.Indices) + "]")} += {t.Value}{Loops(t.Loops)}";
}
