using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using OptDsl.Runtime;
using OptDsl.Runtime.Constrained;
using OptDsl.Runtime.Internal;
using OptDsl.Tests.Constrained;

namespace OptDsl.Benchmarks.Ipopt;

/// <summary>
/// <c>--compare-ipopt</c>: <c>ipm</c> and <c>auglag</c> (their defaults) and IPOPT (tol 1e-8, its defaults otherwise) on the
/// same generated problems from the same starts: final f, iterations, status and KKT residual side by side, and a summary.
/// Sets: the Hock–Schittkowski problems of the tests (Dsl.Tests/Constrained/Problems, the default), <c>--broad</c> the
/// transcribed problems 1–60 with constraint rows (Dsl.Tests/Constrained/HockSchittkowski), <c>--held-out</c> problems
/// 61–119 (Dsl.Benchmarks/Problems/HeldOut, kept out of the tests). <c>--scaled</c> runs the broad set with objective
/// and constraints multiplied by factors from 1e-4 to 1e6 (<see cref="ScaledConstrainedProblem"/>).
/// </summary>
/// <remarks>
/// The KKT residual of every solver is the same function's, in the problem's own units (the solvers' own report, and
/// <see cref="ConstrainedModel.Kkt"/> for IPOPT): the largest of ‖∇f + Jᵀλ + z‖∞, the largest row or bound violation, a
/// multiplier of the wrong sign, and the largest |multiplier|·(distance to its bound), with
/// IPOPT's multipliers (λ = mult_g, z = mult_x_U − mult_x_L; IPOPT relaxes bounds by 1e-8 relative, so its residual can
/// be larger than its own test). "Solved" means a success status (Converged, Solve_Succeeded: each solver's own KKT test)
/// and f within 1e-5·max(1, |f*|) of the published f* (the precision the transcription test checks f* with); a success
/// elsewhere is marked "local" (another KKT point, or for IPOPT a point of its relaxed bounds).
/// </remarks>
public static class IpoptComparison
{
    private static readonly string[] TestsSet =
        ["hs006", "hs007", "hs014", "hs021", "hs026", "hs028", "hs035", "hs039", "hs040", "hs043", "hs048", "hs051", "hs065", "hs071", "hs076", "hs078", "hs079", "hs080", "hs100"];

    public static int Run(string[] args)
    {
        string set = args.Contains("--held-out") ? "held-out" : args.Contains("--broad") || args.Contains("--scaled") ? "broad" : "tests";
        string? only = Environment.GetEnvironmentVariable("OPTDSL_ONLY");
        var problems = Problems(set).Where(p => only is null || only.Split(',').Contains(p.Name)).ToList();
        if (args.Contains("--scaled")) return RunScaled(problems);

        Console.WriteLine("| problem | f* | ipm: f | it | status | KKT | auglag: f | it | status | KKT | IPOPT: f | it | status | KKT |");
        Console.WriteLine("|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---|---:|");
        var rows = new List<(string Name, Outcome Ipm, Outcome Auglag, Outcome Ipopt)>();
        foreach (var (name, problem, optimum) in problems)
        {
            var (ipm, auglag, ipopt) = SolveAll(problem, optimum);
            rows.Add((name, ipm, auglag, ipopt));
            Console.WriteLine($"| {name} | {F(optimum)} | {ipm} | {auglag} | {ipopt} |");
        }
        Summary(rows);
        return 0;
    }

    /// <summary>The broad set with objective × a and every row × b for (a, b) in a fixed list of factors from 1e-4 to 1e6.</summary>
    private static int RunScaled(List<(string Name, IConstrainedProblem Problem, double Optimum)> problems)
    {
        double[] factors = [1e-4, 1e-2, 1e2, 1e4, 1e6];
        Console.WriteLine("| objective × | rows × | ipm solved | auglag solved | IPOPT solved | of |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (double a in factors.Prepend(1))
        {
            foreach (double b in new[] { 1.0, a }.Distinct())
            {
                int ipm = 0, auglag = 0, ipopt = 0;
                var failures = new List<string>();
                foreach (var (name, problem, optimum) in problems)
                {
                    var scaled = new ScaledConstrainedProblem(problem, a, b);
                    var (i, l, o) = SolveAll(scaled, a * optimum);
                    if (i.Solved) ipm++; else failures.Add($"{name} ipm {i.Status}");
                    if (l.Solved) auglag++; else failures.Add($"{name} auglag {l.Status}");
                    if (o.Solved) ipopt++; else failures.Add($"{name} IPOPT {o.Status}");
                }
                Console.WriteLine($"| {a:G} | {b:G} | {ipm} | {auglag} | {ipopt} | {problems.Count} |");
                if (failures.Count > 0) Console.Error.WriteLine($"  × {a:G}, {b:G}: " + string.Join("; ", failures));
            }
        }
        return 0;
    }

    private static (Outcome Ipm, Outcome Auglag, Outcome Ipopt) SolveAll(IConstrainedProblem problem, double optimum)
    {
        dynamic p = problem is ScaledConstrainedProblem s ? s.Inner : problem;
        double[] start = p.StartPoint();
        Bounds? bounds = p.VariableBounds();
        var ipm = new InteriorPointSolver().Minimize(problem, start, null, bounds);
        var auglag = new AugmentedLagrangianSolver().Minimize(problem, start, null, bounds);
        var ipopt = IpoptPeer.Solve(problem, start, bounds?.Lower, bounds?.Upper);
        return (Outcome.Of(ipm, optimum), Outcome.Of(auglag, optimum),
            Outcome.Of(ipopt.StatusName, ipopt.Status is 0 or 1, ipopt.Objective, ipopt.Iterations,
                Kkt(problem, ipopt.X, ipopt.Multipliers, ipopt.BoundMultipliers, bounds), optimum));
    }

    private static void Summary(List<(string Name, Outcome Ipm, Outcome Auglag, Outcome Ipopt)> rows)
    {
        Console.WriteLine();
        foreach (var (label, pick) in new (string, Func<(string, Outcome Ipm, Outcome Auglag, Outcome Ipopt), Outcome>)[]
                 { ("ipm", r => r.Ipm), ("auglag", r => r.Auglag), ("IPOPT", r => r.Ipopt) })
        {
            var outcomes = rows.Select(pick).ToList();
            Console.WriteLine($"{label}: solved {outcomes.Count(o => o.Solved)} of {rows.Count}; success elsewhere (local) {outcomes.Count(o => o.Success && !o.Solved)}; other statuses {outcomes.Count(o => !o.Success)}");
        }
        foreach (var (label, pick) in new (string, Func<(string, Outcome Ipm, Outcome Auglag, Outcome Ipopt), Outcome>)[] { ("ipm", r => r.Ipm), ("auglag", r => r.Auglag) })
        {
            var both = rows.Where(r => pick(r).Solved && r.Ipopt.Solved).Select(r => (double)pick(r).Iterations / Math.Max(1, r.Ipopt.Iterations)).Order().ToList();
            string median = both.Count == 0 ? "n/a" : (both.Count % 2 == 1 ? both[both.Count / 2] : 0.5 * (both[both.Count / 2 - 1] + both[both.Count / 2])).ToString("G3", CultureInfo.InvariantCulture);
            Console.WriteLine($"{label}/IPOPT iterations, median ratio over the {both.Count} both solve: {median}");
            var worse = rows.Where(r => r.Ipopt.Success && !pick(r).Success).Select(r => r.Name).ToList();
            Console.WriteLine($"{label} fails where IPOPT succeeds: {(worse.Count == 0 ? "none" : string.Join(", ", worse))}");
        }
    }

    /// <summary>One solver's row: f, iterations, status, KKT residual; solved against the published optimum.</summary>
    private sealed record Outcome(string Status, bool Success, double Objective, int Iterations, double KktResidual, bool Solved)
    {
        public static Outcome Of(SolveResult r, double optimum) =>
            Of(r.Status.ToString(), r.Status == SolveStatus.Converged, r.Objective, r.Iterations, r.Kkt?.Max ?? double.NaN, optimum);

        public static Outcome Of(string status, bool success, double f, int iterations, double kkt, double optimum) =>
            new(status, success, f, iterations, kkt, success && Math.Abs(f - optimum) <= 1e-5 * Math.Max(1, Math.Abs(optimum)));

        public override string ToString() =>
            $"{F(Objective)} | {Iterations} | {Status}{(Success && !Solved ? " (local)" : "")} | {KktResidual.ToString("G2", CultureInfo.InvariantCulture)}";
    }

    private static string F(double v) => v.ToString("G10", CultureInfo.InvariantCulture);

    /// <summary>
    /// The KKT residual of (x, λ, z) in the problem's own units: the largest of the residuals the solvers report
    /// (<see cref="ConstrainedModel.Kkt"/>, <see cref="KktReport.Max"/>), so all three columns are measured alike.
    /// </summary>
    private static double Kkt(IConstrainedProblem problem, double[] x, double[] lambda, double[] z, Bounds? bounds)
    {
        int n = problem.Dimension, m = problem.ConstraintCount;
        var g = new double[n];
        var c = new double[m];
        var jac = new double[m * n];
        problem.Gradient(x, g);
        problem.Constraints(x, c);
        problem.ConstraintJacobian(x, jac);
        var model = ConstrainedModel.Create(problem, Box.From(bounds, n), "IPOPT");
        return model.Kkt(x, c, g, jac, lambda, z, new double[n]).Max;
    }

    /// <summary>Every generated HsNNN of the set, with the published optimum from its file's header.</summary>
    private static IEnumerable<(string Name, IConstrainedProblem Problem, double Optimum)> Problems(string set)
    {
        string root = RepositoryRoot();
        string folder = set switch
        {
            "held-out" => Path.Combine(root, "Dsl.Benchmarks", "Problems", "HeldOut"),
            "broad" => Path.Combine(root, "Dsl.Tests", "Constrained", "HockSchittkowski"),
            _ => Path.Combine(root, "Dsl.Tests", "Constrained", "Problems"),
        };
        var types = typeof(IpoptComparison).Assembly.GetTypes().Where(t => typeof(IConstrainedProblem).IsAssignableFrom(t) && Regex.IsMatch(t.Name, "^Hs[0-9]{3}$"))
            .GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.OrderBy(t => t.Namespace == "OptDsl.Benchmarks.Problems" ? 0 : 1).First());
        foreach (string file in Directory.GetFiles(folder, "hs*.opt").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (set == "tests" && !TestsSet.Contains(name)) continue;
            string type = "Hs" + name[2..];
            if (!types.TryGetValue(type, out var t)) continue; // bounds only: not a constrained problem
            string text = File.ReadAllText(file);
            var match = Regex.Match(text, @"(?m)^//\s*optimum:\s*(\S+)");
            double optimum = match.Success ? double.Parse(match.Groups[1].Value.TrimEnd('.'), CultureInfo.InvariantCulture) : KnownOptima[name];
            yield return (name, (IConstrainedProblem)Activator.CreateInstance(t)!, optimum);
        }
    }

    /// <summary>The published optima of the tests' problems (their files carry no "optimum:" header).</summary>
    private static readonly Dictionary<string, double> KnownOptima = new()
    {
        ["hs006"] = 0, ["hs007"] = -Math.Sqrt(3), ["hs014"] = 9 - 2.875 * Math.Sqrt(7), ["hs021"] = -99.96, ["hs026"] = 0, ["hs028"] = 0,
        ["hs035"] = 1.0 / 9, ["hs039"] = -1, ["hs040"] = -0.25, ["hs043"] = -44, ["hs048"] = 0, ["hs051"] = 0, ["hs065"] = 0.9535288567,
        ["hs071"] = 17.0140173, ["hs076"] = -4.681818181, ["hs078"] = -2.91970041, ["hs079"] = 0.0787768209, ["hs080"] = 0.0539498478, ["hs100"] = 680.6300573,
    };

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OptDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run from inside the repository (OptDsl.sln not found above the binary).");
    }
}
