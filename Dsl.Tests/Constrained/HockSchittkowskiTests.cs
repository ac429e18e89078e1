using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>
/// Hock &amp; Schittkowski (1981) problems written as .opt files (Constrained/Problems), solved from the standard starts by
/// both constrained solvers: the published f* to 1e-6 (relative, absolute when f* = 0), KKT residuals ≤ 1e-6 (checked
/// again here from the problem's own derivatives), the sign convention of the multipliers, and the two solvers'
/// multipliers agree.
/// </summary>
public sealed class HockSchittkowskiTests
{
    /// <summary>A problem with its published optimal value (Schittkowski's collection) and, where unique, the minimizer.</summary>
    public sealed record HsCase(string Type, double OptimalValue, double[]? Minimizer = null)
    {
        public override string ToString() => Type;
    }

    public static readonly HsCase[] Cases =
    [
        new("Hs006", 0, [1, 1]),
        new("Hs007", -Math.Sqrt(3), [0, Math.Sqrt(3)]),
        new("Hs014", 9 - 2.875 * Math.Sqrt(7), [0.5 * (Math.Sqrt(7) - 1), 0.25 * (Math.Sqrt(7) + 1)]),
        new("Hs021", -99.96, [2, 0]),
        new("Hs026", 0),
        new("Hs028", 0, [0.5, -0.5, 0.5]),
        new("Hs035", 1.0 / 9, [4.0 / 3, 7.0 / 9, 4.0 / 9]),
        new("Hs039", -1, [1, 1, 0, 0]),
        new("Hs040", -0.25, [Math.Pow(2, -1.0 / 3), Math.Pow(2, -0.5), Math.Pow(2, -11.0 / 12), Math.Pow(2, -0.25)]),
        new("Hs043", -44, [0, 1, 2, -1]),
        new("Hs048", 0, [1, 1, 1, 1, 1]),
        new("Hs051", 0, [1, 1, 1, 1, 1]),
        new("Hs065", 0.9535288567),
        new("Hs071", 17.0140173),
        new("Hs076", -4.681818181),
        new("Hs078", -2.91970041),
        new("Hs079", 0.0787768209),
        new("Hs080", 0.0539498478),
        new("Hs100", 680.6300573),
    ];

    public static TheoryData<string> Problems() => new(Cases.Select(c => c.Type));

    /// <summary>The solver configurations of the suite: ipm and auglag with each inner solver except gd.</summary>
    public static readonly string[] Solvers = ["ipm", "auglag", "auglag-bfgs", "auglag-newton", "auglag-newton_cg"];

    private static readonly ConcurrentDictionary<(string Problem, string Solver), SolveResult> s_results = new();

    /// <summary>Runs (once) <paramref name="solver"/> on <paramref name="type"/> from its .opt start with default options.</summary>
    public static SolveResult Solve(string type, string solver, SolveOptions? options = null)
    {
        if (options is not null) return Run(type, solver, options);
        return s_results.GetOrAdd((type, solver), key => Run(key.Problem, key.Solver, null));
    }

    public static SolveResult Run(string type, string solver, SolveOptions? options)
    {
        var problem = ConstrainedProblems.Problem(type);
        var start = ConstrainedProblems.Start(problem);
        var bounds = ConstrainedProblems.Bounds(problem);
        return solver switch
        {
            "ipm" => new InteriorPointSolver().Minimize(problem, start, options, bounds),
            "auglag" => new AugmentedLagrangianSolver().Minimize(problem, start, options, bounds),
            "auglag-bfgs" => new AugmentedLagrangianSolver { Inner = InnerSolver.Bfgs }.Minimize(problem, start, options, bounds),
            "auglag-newton" => new AugmentedLagrangianSolver { Inner = InnerSolver.Newton }.Minimize(problem, start, options, bounds),
            "auglag-newton_cg" => new AugmentedLagrangianSolver { Inner = InnerSolver.NewtonCg }.Minimize(problem, start, options, bounds),
            "auglag-gd" => new AugmentedLagrangianSolver { Inner = InnerSolver.Gd }.Minimize(problem, start, options, bounds),
            _ => throw new ArgumentOutOfRangeException(nameof(solver), solver, null),
        };
    }

    private static HsCase Case(string type) => Cases.Single(c => c.Type == type);

    [Fact]
    public void Every_problem_file_has_a_case()
    {
        var files = ConstrainedProblems.HsFiles().Select(f => System.IO.Path.GetFileNameWithoutExtension(f.Path)).ToArray();
        Assert.True(files.Length >= 14);
        Assert.Equal(files.Select(f => "Hs" + f[2..]).Order(StringComparer.Ordinal), Cases.Select(c => c.Type).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void Interior_point_reaches_the_published_optimum(string type) => AssertSolved(type, "ipm");

    [Theory]
    [MemberData(nameof(Problems))]
    public void Augmented_Lagrangian_reaches_the_published_optimum(string type) => AssertSolved(type, "auglag");

    [Theory]
    [MemberData(nameof(Problems))]
    public void Augmented_Lagrangian_with_bfgs_newton_and_newton_cg_inner_solvers(string type)
    {
        foreach (var solver in new[] { "auglag-bfgs", "auglag-newton", "auglag-newton_cg" }) AssertSolved(type, solver);
    }

    [Theory]
    [InlineData("Hs028")]
    [InlineData("Hs048")]
    [InlineData("Hs076")]
    public void Augmented_Lagrangian_with_projected_gradient_inner_solver_on_easy_problems(string type) => AssertSolved(type, "auglag-gd");

    private static void AssertSolved(string type, string solver)
    {
        var hs = Case(type);
        var result = Solve(type, solver);
        string context = $"{solver} on {type}: {result.Status}, f = {result.Objective:R}, {result.Message}";
        Assert.True(result.Status == SolveStatus.Converged, context);
        Assert.True(Math.Abs(result.Objective - hs.OptimalValue) <= 1e-6 * Math.Max(1, Math.Abs(hs.OptimalValue)), context);
        if (hs.Minimizer is { } xStar)
        {
            for (int i = 0; i < xStar.Length; i++) Assert.True(Math.Abs(result.X[i] - xStar[i]) <= 1e-4, $"{context}: x[{i}] = {result.X[i]}, x* = {xStar[i]}");
        }
        Assert.NotNull(result.Kkt);
        Assert.True(result.Kkt!.Max <= 1e-6, $"{context}: {result.Kkt}");
        AssertIndependentKkt(type, result, 1e-6);
    }

    /// <summary>
    /// Recomputes the KKT conditions from the generated problem (not from the solver's report): stationarity
    /// ‖∇f + Jᵀλ + z‖∞, feasibility, and the sign convention λₖ ≥ 0 only where a finite upper bound can be active,
    /// λₖ ≤ 0 only where a finite lower bound can be active (likewise z), with complementarity.
    /// </summary>
    internal static void AssertIndependentKkt(string type, SolveResult result, double tolerance)
    {
        var problem = ConstrainedProblems.Problem(type);
        int n = problem.Dimension, m = problem.ConstraintCount;
        var x = result.X;
        var lambda = new double[m];
        foreach (var (label, offset, count) in problem.ConstraintLabels)
        {
            Assert.True(result.Multipliers.TryGetValue(label, out var values), $"{type}: no multipliers for '{label}'");
            Assert.Equal(count, values!.Length);
            values.CopyTo(lambda, offset);
        }
        var bounds = ConstrainedProblems.Bounds(problem);
        var z = new double[n];
        if (bounds is not null && bounds.HasFiniteEntry)
        {
            Assert.True(result.Multipliers.TryGetValue("bounds", out var zb), $"{type}: no bound multipliers");
            Assert.Equal(n, zb!.Length);
            zb.CopyTo(z, 0);
        }
        else Assert.False(result.Multipliers.ContainsKey("bounds"));

        var gradient = new double[n];
        problem.LagrangianGradient(x, lambda, gradient);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(gradient[i] + z[i]) <= tolerance, $"{type}: stationarity {i}: {gradient[i] + z[i]}");

        var c = new double[m];
        var lower = new double[m];
        var upper = new double[m];
        problem.Constraints(x, c);
        problem.ConstraintBounds(lower, upper);
        for (int k = 0; k < m; k++)
            AssertSignAndComplementarity($"{type} row {k}", c[k], lower[k], upper[k], lambda[k], tolerance);
        var lo = bounds?.Lower ?? Enumerable.Repeat(double.NegativeInfinity, n).ToArray();
        var hi = bounds?.Upper ?? Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        for (int i = 0; i < n; i++) AssertSignAndComplementarity($"{type} bound {i}", x[i], lo[i], hi[i], z[i], tolerance);
    }

    private static void AssertSignAndComplementarity(string what, double value, double lower, double upper, double multiplier, double tolerance)
    {
        Assert.True(value >= lower - tolerance && value <= upper + tolerance, $"{what}: {value} outside [{lower}, {upper}]");
        if (double.IsPositiveInfinity(upper)) Assert.True(multiplier <= tolerance, $"{what}: λ = {multiplier} > 0 without an upper bound");
        if (double.IsNegativeInfinity(lower)) Assert.True(multiplier >= -tolerance, $"{what}: λ = {multiplier} < 0 without a lower bound");
        if (lower == upper) return;
        if (multiplier > 0) Assert.True(multiplier * (upper - value) <= tolerance, $"{what}: λ = {multiplier} at distance {upper - value} from the upper bound");
        if (multiplier < 0) Assert.True(-multiplier * (value - lower) <= tolerance, $"{what}: λ = {multiplier} at distance {value - lower} from the lower bound");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void Both_solvers_report_the_same_multipliers(string type)
    {
        var ipm = Solve(type, "ipm");
        var auglag = Solve(type, "auglag");
        Assert.Equal(ipm.Multipliers.Keys.Order(StringComparer.Ordinal), auglag.Multipliers.Keys.Order(StringComparer.Ordinal));
        foreach (var (label, values) in ipm.Multipliers)
        {
            var other = auglag.Multipliers[label];
            for (int k = 0; k < values.Length; k++)
                Assert.True(Math.Abs(values[k] - other[k]) <= 1e-5 * Math.Max(1, Math.Abs(values[k])), $"{type} '{label}'[{k}]: ipm {values[k]:R}, auglag {other[k]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void Random_starts_end_at_KKT_points(string type)
    {
        // Five starts per problem, perturbed from the standard one by up to ±2·max(1, |x₀ᵢ|) (deterministic): both solvers
        // must converge to a KKT point (a local minimum; on HS040, 071, 078, 079, 080 not always the published one).
        var problem = ConstrainedProblems.Problem(type);
        var start0 = ConstrainedProblems.Start(problem);
        var bounds = ConstrainedProblems.Bounds(problem);
        var random = new Random(int.Parse(type[2..], System.Globalization.CultureInfo.InvariantCulture));
        for (int trial = 0; trial < 5; trial++)
        {
            var start = start0.Select(v => v + (random.NextDouble() * 2 - 1) * 2 * Math.Max(1, Math.Abs(v))).ToArray();
            foreach (var r in new[]
            {
                new InteriorPointSolver().Minimize(problem, start, null, bounds),
                new AugmentedLagrangianSolver().Minimize(problem, start, null, bounds),
            })
            {
                string context = $"{r.Solver} on {type} from [{string.Join(", ", start.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]: {r.Message}";
                Assert.True(r.Status == SolveStatus.Converged, context);
                Assert.True(r.Kkt!.Max <= 1e-6, context);
                AssertIndependentKkt(type, r, 1e-6);
            }
        }
    }

    [Fact]
    public void Multipliers_carry_the_documented_signs_on_Hs071()
    {
        // product ≥ 25 is active at its lower bound (λ < 0), the sphere equality has λ > 0 here, and x₀ sits at its lower
        // bound 1 (z₀ < 0); the other bounds are inactive (z ≈ 0).
        foreach (var solver in new[] { "ipm", "auglag" })
        {
            var r = Solve("Hs071", solver);
            Assert.True(r.Multipliers["product"][0] < -0.5, solver);
            Assert.True(r.Multipliers["sphere"][0] > 0.1, solver);
            var z = r.Multipliers["bounds"];
            Assert.True(z[0] < -1, solver);
            Assert.All(z.Skip(1), v => Assert.True(Math.Abs(v) < 1e-6, solver));
            Assert.Equal(1, r.X[0], 6);
        }
    }

    /// <summary>The rows of the table in docs/constrained.md (see <see cref="ConstrainedReportTests"/>).</summary>
    public static IEnumerable<(HsCase Case, SolveResult[] Results)> Table(IReadOnlyList<string> solvers) =>
        Cases.Select(c => (c, solvers.Select(s => Solve(c.Type, s)).ToArray()));
}
