using System.Collections.Generic;
using System.Linq;
using System.Text;
using OptDsl.Compiler.Derivatives;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler;

/// <summary>
/// A readable dump of what the compiler derived for each problem, in .opt notation: the lowered objective, its
/// gradient terms, the directional derivative and the Hessian-vector product terms, the residuals. For reviews and
/// golden tests of the derivative rules, independent of the C# emitter.
/// </summary>
public static class DerivativeReport
{
    public static string Explain(string path, string text)
    {
        var sb = new StringBuilder();
        Expr.ResetInterning();
        try
        {
            var (file, errors) = OptSyntax.Parse(path, text);
            foreach (var e in errors) sb.Append("// ").Append(e).Append('\n');
            if (file is null) return sb.ToString();
            var diagnostics = new List<OptDiagnostic>();
            foreach (var problem in file.Blocks.OfType<ProblemSyntax>())
            {
                var bound = new Binder(path, text, diagnostics).BindProblem(problem);
                foreach (var d in diagnostics) sb.Append("// ").Append(d).Append('\n');
                diagnostics.Clear();
                if (bound is null) continue;
                sb.Append("problem ").Append(bound.Name).Append('\n');
                sb.Append("  f = ").Append(bound.Objective).Append('\n');
                foreach (var t in ReverseAccumulator.Gradient(bound.Objective)) sb.Append("  ").Append(Term("∂f", t)).Append('\n');
                var tangent = new TangentBuilder().Tangent(bound.Objective);
                sb.Append("  ∇f·v = ").Append(tangent).Append('\n');
                foreach (var t in ReverseAccumulator.Gradient(tangent)) sb.Append("  ").Append(Term("(∇²f·v)", t)).Append('\n');
                foreach (var r in bound.Residuals ?? []) sb.Append("  residual").Append(Loops(r.Loops)).Append(" = ").Append(r.Residual).Append('\n');
                foreach (var c in bound.Constraints)
                {
                    sb.Append("  ").Append(c.Label).Append(Loops(c.ForAll)).Append(": ").Append(c.Lower).Append(" <= ").Append(c.Body).Append(" <= ").Append(c.Upper).Append('\n');
                    foreach (var t in ReverseAccumulator.Gradient(c.Body)) sb.Append("    ").Append(Term("∂" + c.Label, t)).Append('\n');
                }
            }
        }
        finally
        {
            Expr.ResetInterning();
        }
        return sb.ToString();
    }

    private static string Loops(IReadOnlyList<IndexVar> loops) =>
        loops.Count == 0 ? "" : " for " + string.Join(", ", loops.Select(l => $"{l} in {l.Lower}..{l.Upper}"));

    private static string Term(string what, GradientTerm t) =>
        $"{what}/∂{t.Variable}{(t.Indices.Count == 0 ? "" : "[" + string.Join(", ", t.Indices) + "]")} += {t.Value}{Loops(t.Loops)}";
}
