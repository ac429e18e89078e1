using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Runtime;
using OptDsl.Tests.Constrained;

namespace OptDsl.Tests.Runtime;

/// <summary>One solve of the status-truth corpus: the result and whether its answer is right by the corpus's own reference.</summary>
public sealed record TruthRun(string Corpus, string Problem, string Solver, SolveResult Result, bool Correct)
{
    public override string ToString() =>
        $"{Corpus} {Problem} [{Solver}]: {Result.Status}, f = {Result.Objective:G10}, optimality error {Result.OptimalityError:G3}, answer {(Correct ? "right" : "wrong")}";
}

/// <summary>
/// The corpus of <see cref="StatusTruthTests"/>: every built solver with default options (except an iteration limit of
/// 5000, and the step sizes of the first-order methods, which have no universal default) on problems with known answers.
/// An answer is right when it matches the reference to the accuracy a user would ask of "converged":
/// <list type="bullet">
/// <item>MGH: f within 1e−6·max(1, |f*|)·c of a published minimum f* (scaled objectives c·f; c = 1 unscaled), or a strict
/// local minimizer checked independently (unscaled ‖∇f‖∞ ≤ 1e−6·max(1, |f|) and a positive definite Hessian: momentum
/// finds one of Broyden tridiagonal's at f = 0.397);</item>
/// <item>NIST: every parameter to 4 significant digits (log relative error ≥ 4) and the residual sum of squares to 6 (a
/// relative gradient tolerance of 1e−8 promises no more on Lanczos3, whose f agrees to 8 digits when its parameters agree
/// to 4.4; lm reaches LRE ≥ 6 everywhere, see NistTests);</item>
/// <item>NNLS: the minimizer of the strictly convex problem (Lawson–Hanson active set, exact on its final set) to
/// 1e−6·max(1, ‖x*‖∞), and f to 1e−9 relative;</item>
/// <item>Hock–Schittkowski: f within 1e−6·max(1, |f*|) of the published optimum, and the point within 1e−4 where the
/// minimizer is unique.</item>
/// </list>
/// </summary>
public static class StatusTruthCorpus
{
    public static readonly SolveOptions Options = new() { MaxIterations = 5000, RecordHistory = false };

    /// <summary>Unconstrained solvers (SolverHarness step sizes for the first-order methods).</summary>
    public static readonly string[] Unconstrained = ["lbfgs", "bfgs", "newton", "newton-tr", "newton_cg", "lm", "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"];

    public static readonly double[] Scales = [1e-4, 1e-2, 1e2, 1e6];

    private static SolveResult Run(string solver, SumOfSquaresProblem p, double[] start, Bounds? bounds = null) => solver switch
    {
        "newton-tr" => new NewtonSolver { TrustRegion = true }.Minimize(p, start, Options, bounds),
        _ => SolverHarness.Run(solver, p, start, Options, bounds),
    };

    internal static bool MatchesMinimum(SumOfSquaresProblem p, double f, double scale = 1) =>
        p.KnownMinima.Any(fStar => Math.Abs(f / scale - fStar) <= 1e-6 * Math.Max(1, Math.Abs(fStar)));

    /// <summary>A published minimum, or a strict local minimizer: small unscaled gradient and a Cholesky-factorable Hessian.</summary>
    internal static bool RightAnswer(SumOfSquaresProblem p, double[] x, double f, double scale = 1)
    {
        if (MatchesMinimum(p, f, scale)) return true;
        if (!x.All(double.IsFinite)) return false;
        int n = p.Dimension;
        var g = new double[n];
        double fx = p.Gradient(x, g);
        if (!(g.Max(Math.Abs) <= 1e-6 * Math.Max(1, Math.Abs(fx)))) return false;
        var h = new double[n * n];
        p.Hessian(x, h);
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < j; k++) h[j * n + j] -= h[j * n + k] * h[j * n + k];
            if (!(h[j * n + j] > 1e-10 * Math.Max(1, Math.Abs(fx)))) return false;
            h[j * n + j] = Math.Sqrt(h[j * n + j]);
            for (int i = j + 1; i < n; i++)
            {
                double s = h[i * n + j];
                for (int k = 0; k < j; k++) s -= h[i * n + k] * h[j * n + k];
                h[i * n + j] = s / h[j * n + j];
            }
        }
        return true;
    }

    public static IEnumerable<TruthRun> Mgh(string solver)
    {
        foreach (var p in MoreGarbowHillstrom.All())
        {
            var r = Run(solver, p, p.Start);
            yield return new TruthRun("MGH", p.Name, solver, r, RightAnswer(p, r.X, r.Objective));
        }
    }

    public static IEnumerable<TruthRun> Scaled(string solver)
    {
        foreach (var inner in MoreGarbowHillstrom.All())
            foreach (double c in Scales)
            {
                var p = new ScaledSumOfSquares(inner, c);
                var r = Run(solver, p, p.Start);
                yield return new TruthRun("scaled", p.Name, solver, r, RightAnswer(inner, r.X, r.Objective, c));
            }
    }

    public static readonly string[] NistSolvers = ["lm", "lbfgs", "bfgs", "gd"];

    public static IEnumerable<TruthRun> Nist(string solver)
    {
        foreach (var name in NistTests.Datasets)
            foreach (int start in new[] { 1, 2 })
            {
                var d = NistDataset.Load(name);
                var p = new NistProblem(d);
                var b = d.Start(start);
                var r = solver switch
                {
                    "lm" => new LevenbergMarquardtSolver().Minimize(p, b, Options),
                    "lbfgs" => new LbfgsSolver().Minimize(p, b, Options),
                    "bfgs" => new BfgsSolver().Minimize(p, b, Options),
                    "gd" => new GradientDescentSolver().Minimize(p, b, Options),
                    _ => throw new ArgumentOutOfRangeException(nameof(solver), solver, null),
                };
                bool correct = r.X.All(double.IsFinite) && NistTests.MinimumLre(d, r.X) >= 4
                    && NistDataset.LogRelativeError(r.Objective, d.CertifiedResidualSumOfSquares) >= 6;
                yield return new TruthRun("NIST", $"{name} start {start} (LRE {NistTests.MinimumLre(d, r.X):F1})", solver, r, correct);
            }
    }

    public static readonly string[] NnlsSolvers = ["lm", "lbfgs", "bfgs", "gd"];

    public const int NnlsCount = 50;

    public static IEnumerable<TruthRun> Nnls(string solver)
    {
        for (int seed = 1; seed <= NnlsCount; seed++)
        {
            var p = new NonNegativeLeastSquares(60, 20, seed);
            var bounds = new Bounds(new double[20], Enumerable.Repeat(double.PositiveInfinity, 20).ToArray());
            var r = SolverHarness.Run(solver, p, p.Start, Options, bounds);
            var xStar = p.Reference;
            double fStar = p.Objective(xStar);
            double dx = r.X.Zip(xStar, (a, b) => Math.Abs(a - b)).Max();
            bool correct = dx <= 1e-6 * Math.Max(1, xStar.Max(Math.Abs)) && Math.Abs(r.Objective - fStar) <= 1e-9 * fStar;
            yield return new TruthRun("NNLS", $"seed {seed}", solver, r, correct);
        }
    }

    public static readonly string[] ConstrainedSolvers = ["ipm", "auglag"];

    public static IEnumerable<TruthRun> HockSchittkowski(string solver)
    {
        foreach (var hs in HockSchittkowskiTests.Cases)
        {
            var r = HockSchittkowskiTests.Run(hs.Type, solver, Options);
            bool correct = Math.Abs(r.Objective - hs.OptimalValue) <= 1e-6 * Math.Max(1, Math.Abs(hs.OptimalValue))
                && (hs.Minimizer is not { } xStar || xStar.Select((v, i) => Math.Abs(r.X[i] - v)).Max() <= 1e-4);
            yield return new TruthRun("HS", hs.Type, solver, r, correct);
        }
    }

    /// <summary>The whole corpus, solver by solver.</summary>
    public static IEnumerable<TruthRun> All()
    {
        foreach (var s in Unconstrained)
        {
            foreach (var run in Mgh(s)) yield return run;
            foreach (var run in Scaled(s)) yield return run;
        }
        foreach (var s in NistSolvers) foreach (var run in Nist(s)) yield return run;
        foreach (var s in NnlsSolvers) foreach (var run in Nnls(s)) yield return run;
        foreach (var s in ConstrainedSolvers) foreach (var run in HockSchittkowski(s)) yield return run;
    }
}

/// <summary>c·f for an MGH problem: residuals and Jacobian times √c (the curvature term follows).</summary>
public sealed class ScaledSumOfSquares(SumOfSquaresProblem inner, double scale) : SumOfSquaresProblem
{
    private readonly double _root = Math.Sqrt(scale);
    private double[]? _r;

    public override string Name => $"{inner.Name} ×{scale:G}";
    public override int Dimension => inner.Dimension;
    public override int ResidualCount => inner.ResidualCount;
    public override double[] Start => inner.Start;
    public override double[] KnownMinima => inner.KnownMinima.Select(f => f * scale).ToArray();

    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        inner.Residuals(x, r);
        for (int i = 0; i < r.Length; i++) r[i] *= _root;
    }

    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jacobian)
    {
        inner.Jacobian(x, jacobian);
        for (int i = 0; i < jacobian.Length; i++) jacobian[i] *= _root;
    }

    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        // Σ r'ₖ∇²r'ₖ with r' = √c·r is Σ (c·rₖ)∇²rₖ = the inner curvature at residuals √c·r'.
        _r ??= new double[ResidualCount];
        for (int i = 0; i < r.Length; i++) _r[i] = _root * r[i];
        inner.AddResidualCurvature(x, _r, h);
    }
}

/// <summary>
/// min ‖Ax − b‖² over x ≥ 0 with A (m×n) and b uniform in [−1, 1] from a fixed seed; the reference minimizer by
/// Lawson &amp; Hanson's active-set NNLS (1974, ch. 23) on the normal equations.
/// </summary>
public sealed class NonNegativeLeastSquares : SumOfSquaresProblem
{
    private readonly int _m, _n, _seed;
    private readonly double[] _a, _b;

    public NonNegativeLeastSquares(int m, int n, int seed)
    {
        _m = m;
        _n = n;
        _seed = seed;
        var random = new Random(seed);
        _a = Enumerable.Range(0, m * n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        _b = Enumerable.Range(0, m).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        Reference = LawsonHanson();
    }

    public override string Name => $"NNLS {_m}x{_n} seed {_seed}";
    public override int Dimension => _n;
    public override int ResidualCount => _m;
    public override double[] Start => new double[_n];
    public override double[] KnownMinima => [Objective(Reference)];

    /// <summary>The exact minimizer.</summary>
    public double[] Reference { get; }

    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < _m; i++)
        {
            double s = -_b[i];
            for (int j = 0; j < _n; j++) s += _a[i * _n + j] * x[j];
            r[i] = s;
        }
    }

    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jacobian) => _a.CopyTo(jacobian);

    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
    }

    private double[] LawsonHanson()
    {
        int n = _n;
        var gram = new double[n * n];
        var atb = new double[n];
        for (int i = 0; i < _m; i++)
            for (int j = 0; j < n; j++)
            {
                atb[j] += _a[i * n + j] * _b[i];
                for (int k = 0; k < n; k++) gram[j * n + k] += _a[i * n + j] * _a[i * n + k];
            }
        var x = new double[n];
        var passive = new bool[n];
        for (int outer = 0; outer < 10 * n; outer++)
        {
            // w = Aᵀ(b − Ax): the negative half-gradient.
            var w = new double[n];
            for (int j = 0; j < n; j++)
            {
                double s = atb[j];
                for (int k = 0; k < n; k++) s -= gram[j * n + k] * x[k];
                w[j] = s;
            }
            int t = -1;
            for (int j = 0; j < n; j++)
                if (!passive[j] && w[j] > 1e-14 && (t < 0 || w[j] > w[t])) t = j;
            if (t < 0) break;
            passive[t] = true;
            for (int inner = 0; inner < 10 * n; inner++)
            {
                var z = SolvePassive(gram, atb, passive);
                bool allPositive = true;
                for (int j = 0; j < n; j++) if (passive[j] && z[j] <= 0) allPositive = false;
                if (allPositive)
                {
                    x = z;
                    break;
                }
                double alpha = double.PositiveInfinity;
                for (int j = 0; j < n; j++)
                    if (passive[j] && z[j] <= 0) alpha = Math.Min(alpha, x[j] / (x[j] - z[j]));
                for (int j = 0; j < n; j++)
                {
                    x[j] += alpha * (z[j] - x[j]);
                    if (passive[j] && x[j] <= 1e-15) { passive[j] = false; x[j] = 0; }
                }
            }
        }
        return x;
    }

    /// <summary>The unconstrained least-squares solution on the passive set (Cholesky of the Gram submatrix), zero elsewhere.</summary>
    private static double[] SolvePassive(double[] gram, double[] atb, bool[] passive)
    {
        int n = atb.Length;
        var index = Enumerable.Range(0, n).Where(j => passive[j]).ToArray();
        int p = index.Length;
        var l = new double[p * p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = gram[index[i] * n + index[j]];
                for (int k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
                l[i * p + j] = i == j ? Math.Sqrt(s) : s / l[j * p + j];
            }
        var y = new double[p];
        for (int i = 0; i < p; i++)
        {
            double s = atb[index[i]];
            for (int k = 0; k < i; k++) s -= l[i * p + k] * y[k];
            y[i] = s / l[i * p + i];
        }
        for (int i = p - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int k = i + 1; k < p; k++) s -= l[k * p + i] * y[k];
            y[i] = s / l[i * p + i];
        }
        var z = new double[n];
        for (int i = 0; i < p; i++) z[index[i]] = y[i];
        return z;
    }
}
