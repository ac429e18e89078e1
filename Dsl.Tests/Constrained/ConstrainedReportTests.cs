using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>
/// Builds the Hock–Schittkowski table of docs/constrained.md (iterations / function evaluations / f per solver). Set
/// OPTDSL_CONSTRAINED_REPORT to a file path to write it:
/// <c>OPTDSL_CONSTRAINED_REPORT=constrained-table.md dotnet test Dsl.Tests --filter "FullyQualifiedName~ConstrainedReport"</c>.
/// </summary>
public sealed class ConstrainedReportTests
{
    private static readonly string[] Columns = ["ipm", "auglag", "auglag-bfgs", "auglag-newton", "auglag-newton_cg", "auglag-gd"];

    private static string Cell(HockSchittkowskiTests.HsCase hs, SolveResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        bool optimal = Math.Abs(r.Objective - hs.OptimalValue) <= 1e-6 * Math.Max(1, Math.Abs(hs.OptimalValue));
        string mark = r.Status == SolveStatus.Converged && optimal ? "" : optimal ? $" ({r.Status}, KKT {r.Kkt?.Max.ToString("G2", inv)})" : $" ✗ {r.Status} f={r.Objective.ToString("G6", inv)}";
        return $"{r.Iterations} / {r.FunctionEvaluations}{mark}";
    }

    public static string Table()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("| problem | n | m | f* | ").AppendJoin(" | ", Columns).AppendLine(" |");
        sb.Append("|---|---|---|---|").Append(string.Concat(Columns.Select(_ => "---|"))).AppendLine();
        foreach (var (hs, results) in HockSchittkowskiTests.Table(Columns))
        {
            var problem = ConstrainedProblems.Problem(hs.Type);
            sb.Append(CultureInfo.InvariantCulture, $"| {hs.Type.Replace("Hs", "HS", StringComparison.Ordinal)} | {problem.Dimension} | {problem.ConstraintCount} | {hs.OptimalValue.ToString("G10", inv)} | ");
            sb.AppendJoin(" | ", results.Select(r => Cell(hs, r))).AppendLine(" |");
        }
        return sb.ToString();
    }

    [Fact]
    public void Hock_Schittkowski_table()
    {
        string table = Table();
        Assert.Equal(HockSchittkowskiTests.Cases.Length + 2, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        string? path = Environment.GetEnvironmentVariable("OPTDSL_CONSTRAINED_REPORT");
        if (!string.IsNullOrEmpty(path)) File.WriteAllText(path, table);
    }
}
