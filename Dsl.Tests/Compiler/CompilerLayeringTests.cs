using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The compiler's stages stay stages: parse → bind → derive → schedule → print. Each folder of Dsl.Compiler uses only
/// what the stages before it produce, and the knowledge a table owns (functions, solvers) is not repeated elsewhere.
/// </summary>
public sealed class CompilerLayeringTests
{
    private static string[] Sources(string folder) =>
        Directory.GetFiles(Path.Combine(DiagnosticsTests.RepositoryRoot(), "Dsl.Compiler", folder), "*.cs", SearchOption.AllDirectories);

    private static void AssertNone(string folder, string pattern, string why)
    {
        var offenders = Sources(folder).Where(f => Regex.IsMatch(File.ReadAllText(f), pattern)).Select(Path.GetFileName).ToList();
        Assert.True(offenders.Count == 0, $"{why}: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_binder_does_not_reach_into_differentiation() =>
        AssertNone("Semantics", @"\bDerivatives\b|ReverseAccumulator|TangentBuilder", "Semantics/ uses Derivatives/");

    [Fact]
    public void Scheduling_and_printing_read_the_derived_model_instead_of_differentiating() =>
        AssertNone("Emit", @"ReverseAccumulator|TangentBuilder|Expr\.Mult\(|\bDerivatives\b", "Emit/ differentiates or builds the Lagrangian");

    [Fact]
    public void Scheduling_does_not_differentiate() =>
        AssertNone("Schedule", @"ReverseAccumulator|TangentBuilder|Expr\.Mult\(", "Schedule/ differentiates or builds the Lagrangian");

    [Fact]
    public void No_stage_after_binding_checks_a_solver_by_name() =>
        AssertNone("Emit", @"\.Name\s*==\s*""|Find\(""", "Emit/ has a per-solver special case (it belongs in SolverCatalog)");

    [Fact]
    public void Elementary_functions_are_spelled_in_their_table_only()
    {
        string[] spelled = ["Math.Exp(", "Math.Log(", "Math.Tanh(", "Math.Atan(", "OptMath.Sigmoid", "OptMath.Softplus", "OptMath.Log1p", "OptMath.Relu", "\"softplus\"", "\"tanh\""];
        var offenders = Sources("").Where(f => !f.EndsWith("ElementaryFunctions.cs", StringComparison.Ordinal))
            .Where(f => spelled.Any(File.ReadAllText(f).Contains)).Select(Path.GetFileName).ToList();
        Assert.True(offenders.Count == 0, "Function spellings outside Ir/ElementaryFunctions.cs: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Printing_never_reorders_text_it_has_written() =>
        AssertNone("Emit", @"Split\('\\n'\)|\.Contains\(""\.Slice", "Emit/ post-processes emitted text");
}
