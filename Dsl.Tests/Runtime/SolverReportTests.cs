using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// Builds the tables of docs/solvers.md: iterations / function evaluations per solver on the MGH set, and the NIST
/// log relative errors per dataset and start. Set OPTDSL_SOLVER_REPORT to a file path to write them:
/// <c>OPTDSL_SOLVER_REPORT=solvers-tables.md dotnet test Dsl.Tests --filter "FullyQualifiedName~SolverReport"</c>.
/// </summary>
public class SolverReportTests
{
    private static readonly (string Column, Func<SumOfSquaresProblem, SolveResult> Run)[] MghColumns =
    [
        ("lbfgs", p => new LbfgsSolver().Minimize(p, p.Start, MghSolverTests.Options)),
        ("bfgs", p => new BfgsSolver().Minimize(p, p.Start, MghSolverTests.Options)),
        ("newton", p => new NewtonSolver().Minimize(p, p.Start, MghSolverTests.Options)),
        ("newton (trust_region)", p => new NewtonSolver { TrustRegion = true }.Minimize(p, p.Start, MghSolverTests.Options)),
        ("newton_cg", p => new NewtonCgSolver().Minimize(p, p.Start, MghSolverTests.Options)),
        ("lm", p => new LevenbergMarquardtSolver().Minimize(p, p.Start, MghSolverTests.Options)),
        ("gd (Armijo)", p => new GradientDescentSolver().Minimize(p, p.Start, MghSolverTests.Options)),
    ];

    private static string Cell(SumOfSquaresProblem p, SolveResult r)
    {
        string counts = $"{r.Iterations} / {r.FunctionEvaluations}";
        int k = MghSolverTests.MatchedMinimum(p, r.Objective);
        if (k < 0) return $"{counts} ✗ {r.Status} f={r.Objective:G4}";
        string local = k > 0 ? $" (f={p.KnownMinima[k]:G6})" : "";
        string mark = r.Converged ? "" : r.Status == SolveStatus.LineSearchFailed ? " †" : $" ({r.Status})";
        return counts + mark + local;
    }

    public static string MghTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| problem | n | " + string.Join(" | ", MghColumns.Select(c => c.Column)) + " |");
        sb.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", MghColumns.Length)));
        foreach (var p in MoreGarbowHillstrom.All())
            sb.AppendLine($"| {p.Name} | {p.Dimension} | " + string.Join(" | ", MghColumns.Select(c => Cell(p, c.Run(p)))) + " |");
        return sb.ToString();
    }

    public static string NistTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| dataset | start | lm LRE | lm RSS LRE | lm it / fev / jev | lm status | lbfgs LRE | bfgs LRE |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        var qn = new SolveOptions { GradientTolerance = 1e-9, MaxIterations = 5000, RecordHistory = false };
        foreach (var name in NistTests.Datasets)
        {
            var d = NistDataset.Load(name);
            for (int start = 1; start <= 2; start++)
            {
                var p = new NistProblem(d);
                var lm = new LevenbergMarquardtSolver().Minimize(p, d.Start(start), NistTests.LmOptions);
                var lbfgs = new LbfgsSolver().Minimize(p, d.Start(start), qn);
                var bfgs = new BfgsSolver().Minimize(p, d.Start(start), qn);
                string Qn(SolveResult r) => $"{NistTests.MinimumLre(d, r.X):F1}" + (r.Converged ? "" : $" ({r.Status})");
                sb.AppendLine($"| {name} | {start} | {NistTests.MinimumLre(d, lm.X):F1} | {NistDataset.LogRelativeError(lm.Objective, d.CertifiedResidualSumOfSquares):F1} | " +
                              $"{lm.Iterations} / {lm.FunctionEvaluations} / {lm.GradientEvaluations} | {lm.Status} | {Qn(lbfgs)} | {Qn(bfgs)} |");
            }
        }
        return sb.ToString();
    }

    [Fact]
    public void SolverReport_tables_cover_every_problem_and_can_be_written_for_the_docs()
    {
        string mgh = MghTable();
        string nist = NistTable();
        Assert.Equal(MoreGarbowHillstrom.All().Count + 2, mgh.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(2 * NistTests.Datasets.Length + 2, nist.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        string? path = Environment.GetEnvironmentVariable("OPTDSL_SOLVER_REPORT");
        if (!string.IsNullOrEmpty(path))
            File.WriteAllText(path, "## MGH: iterations / function evaluations\n\n" + mgh + "\n## NIST StRD: minimum LRE over the parameters\n\n" + nist);
    }
}
