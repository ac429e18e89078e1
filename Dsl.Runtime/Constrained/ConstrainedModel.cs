using System;
using System.Collections.Generic;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.Constrained;

/// <summary>
/// What both constrained solvers share about a problem: the row bounds lₖ ≤ cₖ(x) ≤ uₖ, the variable box, the
/// argument checks, the KKT residuals (<see cref="Kkt"/>, the one function both solvers report with), the
/// multipliers by label, and the unboundedness test.
/// </summary>
/// <remarks>
/// Sign convention (the Lagrangian of <see cref="IConstrainedProblem"/>): L(x, λ, z) = f(x) + Σₖ λₖ cₖ(x) + Σᵢ zᵢ xᵢ,
/// with f in minimization form. At a KKT point ∇f + Jᵀλ + z = 0, and
/// λₖ ≥ 0 when row k is at its upper bound, λₖ ≤ 0 at its lower bound, λₖ = 0 when it is strictly inside (free sign
/// for equalities); the same for the bound multipliers zᵢ of the variables (zᵢ ≥ 0 at the upper bound, ≤ 0 at the lower).
/// </remarks>
internal sealed class ConstrainedModel
{
    /// <summary>The key of <see cref="SolveResult.Multipliers"/> under which the variable-bound multipliers z go.</summary>
    public const string BoundsKey = "bounds";

    /// <summary>A feasible point with f at or below this is evidence of unboundedness.</summary>
    public const double UnboundedObjective = IterationMonitor.UnboundedObjective;

    /// <summary>A feasible point with ‖x‖∞ beyond this (times max(1, ‖x₀‖∞)) while f keeps decreasing is evidence of unboundedness.</summary>
    public const double DivergingIterate = IterationMonitor.DivergingIterate;

    private ConstrainedModel(IConstrainedProblem problem, int n, int m, double[] rowLower, double[] rowUpper, double[] boxLower, double[] boxUpper,
        bool hasBounds, (string Label, int Offset, int Count)[] labels)
    {
        Problem = problem;
        N = n;
        M = m;
        RowLower = rowLower;
        RowUpper = rowUpper;
        BoxLower = boxLower;
        BoxUpper = boxUpper;
        HasBounds = hasBounds;
        Labels = labels;
        for (int k = 0; k < m; k++)
        {
            if (!(rowLower[k] <= rowUpper[k]) || double.IsPositiveInfinity(rowLower[k]) || double.IsNegativeInfinity(rowUpper[k])) InconsistentRows = true;
        }
    }

    public IConstrainedProblem Problem { get; }
    public int N { get; }
    public int M { get; }
    public double[] RowLower { get; }
    public double[] RowUpper { get; }
    public double[] BoxLower { get; }
    public double[] BoxUpper { get; }

    /// <summary>True when the caller's bounds have a finite entry (then the result reports <see cref="BoundsKey"/>).</summary>
    public bool HasBounds { get; }

    /// <summary>Some row has lₖ &gt; uₖ, lₖ = +∞ or uₖ = −∞: no point satisfies it.</summary>
    public bool InconsistentRows { get; }

    public (string Label, int Offset, int Count)[] Labels { get; }

    /// <summary>For a model of the automatically scaled problem (<see cref="WithGradientScaling"/>): the user's model; otherwise null.</summary>
    public ConstrainedModel? Original { get; private init; }

    /// <summary>The factor s_f on the objective of this model's problem (1 without scaling).</summary>
    public double ObjectiveScale { get; private init; } = 1;

    /// <summary>The factors sₖ on the constraint rows of this model's problem (null without scaling).</summary>
    public double[]? RowScales { get; private init; }

    /// <summary>The factor on row k (1 without scaling).</summary>
    private double RowScale(int k) => RowScales?[k] ?? 1;

    /// <summary>IPOPT's largest scaled gradient (<c>nlp_scaling_max_gradient</c>).</summary>
    public const double MaxScaledGradient = 100;

    /// <summary>
    /// The smallest scaling factor. IPOPT's <c>nlp_scaling_min_value</c> is 1e-8; that left rows whose gradients run to
    /// 1e15 (a beam's deflection limit multiplied out, in N·mm³) with scaled gradients of 1e7, out of the method's reach.
    /// </summary>
    public const double MinScale = 1e-20;

    /// <summary>The largest factor by which a small gradient at the start is scaled up (see <see cref="WithGradientScaling"/>).</summary>
    public const double MaxScaleUp = 1e8;

    /// <summary>
    /// Gradient-based scaling at the start point (moved into the box). Down, as IPOPT (Wächter &amp; Biegler 2006, §3.8):
    /// the objective gets s_f = 100/‖∇f‖∞ and row k gets sₖ = 100/‖∇cₖ‖∞ when that norm exceeds 100 (at least
    /// <see cref="MinScale"/>), so that no scaled gradient exceeds 100. Up, beyond IPOPT: a row whose gradient is below 1
    /// gets sₖ = 1/‖∇cₖ‖∞, and the objective s_f = min(1/‖∇f‖∞, 1/|f|) when both exceed 1 (a start near a minimizer has a
    /// small gradient but an ordinary f, and is left alone), at most <see cref="MaxScaleUp"/>: without it an objective in
    /// units that make it 1e-4 of its natural size meets the absolute tolerances 1e4 times too early. Returns this model
    /// when every factor is 1 (or a derivative is not finite: the solver reports that itself), else a model of the scaled
    /// problem whose <see cref="Finish"/> reports in the user's units. One counted gradient and Jacobian evaluation.
    /// </summary>
    public ConstrainedModel WithGradientScaling(IterationMonitor monitor, ReadOnlySpan<double> start, bool up = true)
    {
        var x = new double[N];
        for (int i = 0; i < N; i++) x[i] = Math.Clamp(start[i], BoxLower[i], BoxUpper[i]);
        var g = new double[N];
        var jac = new double[M * N];
        double f = monitor.GradientAndJacobian(Problem, x, g, jac);
        return ScaledBy(g, jac, up, f);
    }

    /// <summary>
    /// The model scaled with the factors of gradient-based scaling for the gradient g and Jacobian J of this model's
    /// problem (and f, for the objective's scaling up when <paramref name="up"/>).
    /// </summary>
    private ConstrainedModel ScaledBy(ReadOnlySpan<double> g, ReadOnlySpan<double> jac, bool up, double f = 0)
    {
        if (!Vec.AllFinite(g) || !Vec.AllFinite(jac) || !double.IsFinite(f)) return this;
        static double Down(double norm) => norm > MaxScaledGradient ? Math.Max(MinScale, MaxScaledGradient / norm) : 1;
        static double Up(double size) => size > 0 && size < 1 ? Math.Min(MaxScaleUp, 1 / size) : 1;
        double gradientNorm = Vec.InfNorm(g);
        double objectiveScale = Down(gradientNorm);
        if (up && gradientNorm < 1) objectiveScale = Math.Min(Up(gradientNorm), f == 0 ? MaxScaleUp : Math.Max(1, 1 / Math.Abs(f)));
        var rowScales = new double[M];
        bool scaled = objectiveScale != 1;
        for (int k = 0; k < M; k++)
        {
            double norm = Vec.InfNorm(jac.Slice(k * N, N));
            rowScales[k] = up && norm < 1 ? Up(norm) : Down(norm);
            scaled |= rowScales[k] != 1;
        }
        return scaled ? WithFactors(objectiveScale, rowScales) : this;
    }

    /// <summary>The model of this model's problem with the objective × <paramref name="objectiveScale"/> and row k × rowScales[k].</summary>
    private ConstrainedModel WithFactors(double objectiveScale, double[] rowScales)
    {
        var rowLower = new double[M];
        var rowUpper = new double[M];
        for (int k = 0; k < M; k++)
        {
            rowLower[k] = RowLower[k] * rowScales[k];
            rowUpper[k] = RowUpper[k] * rowScales[k];
        }
        return new ConstrainedModel(new ScaledProblem(Problem, objectiveScale, rowScales), N, M, rowLower, rowUpper, BoxLower, BoxUpper, HasBounds, Labels)
        {
            Original = this,
            ObjectiveScale = objectiveScale,
            RowScales = rowScales,
        };
    }

    /// <summary>Resumptions with the scaling of the point reached (<see cref="SolveScaled"/>).</summary>
    private const int MaxRescalings = 2;

    /// <summary>
    /// Runs a solver on this model, scaled at the start when <paramref name="scaling"/> (<see cref="WithGradientScaling"/>).
    /// When a run stops at a point that meets the tolerances only under the start's factors
    /// (<see cref="SatisfiesAtItsOwnScale"/>), or fails (iteration limit, line search, stall) at a point whose own factors
    /// differ more than tenfold from the start's, it resumes from that point with the factors computed there, at most twice.
    /// <paramref name="run"/> gets the model, the start and the pass number (0 for the first run).
    /// </summary>
    public SolveResult SolveScaled(IterationMonitor monitor, double[] x, bool scaling, Func<ConstrainedModel, double[], int, (SolveResult Result, bool NeedsRescaling)> run)
    {
        var model = scaling ? WithGradientScaling(monitor, x) : this;
        for (int pass = 0; ; pass++)
        {
            var (result, rescale) = run(model, x, pass);
            if (pass == MaxRescalings || !Vec.AllFinite(result.X)) return result;
            // A failed run is resumed only from a sane point (not one a penalty subproblem ran off to).
            if (!rescale && !(scaling && result.Status is SolveStatus.MaxIterations or SolveStatus.LineSearchFailed or SolveStatus.Stalled or SolveStatus.Acceptable
                              && !LooksUnbounded(result.Objective, result.X, Vec.InfNorm(x))))
                return result;
            // The point's own factors, never scaling up (near a minimizer ∇f is small for a good reason): for a point
            // only the start's factors accepted, exactly those the check used; after a failure, only where they are
            // lower than the start's (its gradients larger).
            var there = WithGradientScaling(monitor, result.X, up: false);
            var next = rescale ? there : Lower(model, there);
            if (!rescale && !FactorsDiffer(model, next)) return result;
            x = result.X;
            model = next;
        }
    }

    /// <summary>This model scaled with the smaller of the two scalings' factors, objective and each row.</summary>
    private ConstrainedModel Lower(ConstrainedModel a, ConstrainedModel b)
    {
        var rows = new double[M];
        for (int k = 0; k < M; k++) rows[k] = Math.Min(a.RowScale(k), b.RowScale(k));
        double objective = Math.Min(a.ObjectiveScale, b.ObjectiveScale);
        return objective == 1 && Array.TrueForAll(rows, v => v == 1) ? this : WithFactors(objective, rows);
    }

    /// <summary>True when some factor of the two scalings differs by more than 10×.</summary>
    private static bool FactorsDiffer(ConstrainedModel a, ConstrainedModel b)
    {
        static bool Far(double u, double v) => u > 10 * v || v > 10 * u;
        if (Far(a.ObjectiveScale, b.ObjectiveScale)) return true;
        for (int k = 0; k < a.M; k++)
            if (Far(a.RowScale(k), b.RowScale(k))) return true;
        return false;
    }

    /// <summary>The scaling in words, for messages: "objective × s_f, constraint rows × [min, max]".</summary>
    public string ScalingText()
    {
        if (RowScales is not { Length: > 0 } rows) return $"objective × {ObjectiveScale:G3}";
        double lo = double.PositiveInfinity, hi = 0;
        foreach (double s in rows) { lo = Math.Min(lo, s); hi = Math.Max(hi, s); }
        return lo == hi ? $"objective × {ObjectiveScale:G3}, constraint rows × {lo:G3}" : $"objective × {ObjectiveScale:G3}, constraint rows × {lo:G3} to {hi:G3}";
    }

    /// <summary>The caller's bounds (null without a finite entry), for nested bound-constrained solves.</summary>
    public Bounds? Bounds => HasBounds ? new Bounds(BoxLower, BoxUpper) : null;

    /// <summary>Checks the problem's constraint rows and labels (the start point and the bounds are checked already) and returns the model.</summary>
    public static ConstrainedModel Create(IConstrainedProblem problem, Box box, string solver)
    {
        string name = problem.GetType().Name;
        int n = box.Lower.Length;
        int m = problem.ConstraintCount;
        if (m < 0) throw new ArgumentException($"{solver}: problem {name} reports a negative constraint count ({m}).", nameof(problem));
        var lower = new double[m];
        var upper = new double[m];
        problem.ConstraintBounds(lower, upper);
        for (int k = 0; k < m; k++)
        {
            if (double.IsNaN(lower[k]) || double.IsNaN(upper[k]))
                throw new ArgumentException($"{solver}: problem {name} gives constraint row {k} a NaN bound.", nameof(problem));
        }
        var labels = new List<(string, int, int)>();
        foreach (var (label, offset, count) in problem.ConstraintLabels ?? Array.Empty<(string, int, int)>())
        {
            if (label is null || offset < 0 || count < 0 || offset > m - count)
                throw new ArgumentException($"{solver}: problem {name} labels rows {offset}..{offset + count} as '{label}', outside its {m} constraint rows.", nameof(problem));
            labels.Add((label, offset, count));
        }
        return new ConstrainedModel(problem, n, m, lower, upper, box.Lower.ToArray(), box.Upper.ToArray(), box.IsBounded, labels.ToArray());
    }

    /// <summary>True when row k is an equality (equal finite bounds).</summary>
    public bool IsEquality(int k) => RowLower[k] == RowUpper[k] && double.IsFinite(RowLower[k]);

    /// <summary>The amount by which row k misses its bounds (0 when satisfied).</summary>
    public double RowViolation(int k, double c) => Math.Max(0, Math.Max(RowLower[k] - c, c - RowUpper[k]));

    /// <summary>‖max(l − c, c − u, 0)‖∞ over the rows and the box (NaN when c or x has a NaN).</summary>
    public double Violation(ReadOnlySpan<double> x, ReadOnlySpan<double> c)
    {
        double v = 0;
        for (int k = 0; k < M; k++)
        {
            if (double.IsNaN(c[k])) return double.NaN;
            v = Math.Max(v, RowViolation(k, c[k]));
        }
        for (int i = 0; i < N; i++) v = Math.Max(v, Math.Max(0, Math.Max(BoxLower[i] - x[i], x[i] - BoxUpper[i])));
        return v;
    }

    /// <summary>
    /// The KKT residuals at x for multipliers λ (rows) and z (variable bounds), all infinity norms:
    /// <list type="bullet">
    /// <item>stationarity ‖∇f + Jᵀλ + z‖∞;</item>
    /// <item>primal feasibility: the largest violation of a row or a variable bound;</item>
    /// <item>dual feasibility: the largest multiplier of the wrong sign for its row or bound (λₖ &gt; 0 with uₖ = +∞,
    /// λₖ &lt; 0 with lₖ = −∞, and likewise for z);</item>
    /// <item>complementarity: the largest |λₖ|·(distance from cₖ to the bound its sign points at), and the same for z.</item>
    /// </list>
    /// </summary>
    public KktReport Kkt(ReadOnlySpan<double> x, ReadOnlySpan<double> c, ReadOnlySpan<double> gradient, ReadOnlySpan<double> jacobian,
        ReadOnlySpan<double> lambda, ReadOnlySpan<double> z, Span<double> work)
    {
        int n = N, m = M;
        gradient.CopyTo(work);
        for (int k = 0; k < m; k++)
        {
            if (lambda[k] != 0) Vec.Axpy(lambda[k], jacobian.Slice(k * n, n), work.Slice(0, n));
        }
        double stationarity = 0;
        for (int i = 0; i < n; i++) stationarity = Math.Max(stationarity, Math.Abs(work[i] + z[i]));
        double primal = 0, dual = 0, complementarity = 0;
        for (int k = 0; k < m; k++)
        {
            primal = Math.Max(primal, RowViolation(k, c[k]));
            Signs(lambda[k], c[k], RowLower[k], RowUpper[k], ref dual, ref complementarity);
        }
        for (int i = 0; i < n; i++)
        {
            primal = Math.Max(primal, Math.Max(0, Math.Max(BoxLower[i] - x[i], x[i] - BoxUpper[i])));
            Signs(z[i], x[i], BoxLower[i], BoxUpper[i], ref dual, ref complementarity);
        }
        if (!double.IsFinite(stationarity) || !double.IsFinite(primal)) stationarity = primal = dual = complementarity = double.NaN;
        double multipliers = 0;
        for (int k = 0; k < m; k++) multipliers += Math.Abs(lambda[k]);
        for (int i = 0; i < n; i++) multipliers += Math.Abs(z[i]);
        double scale = Math.Max(1, multipliers / (MultiplierScaleThreshold * Math.Max(1, m + n)));
        return new KktReport(stationarity, primal, dual, complementarity, double.IsFinite(scale) ? scale : 1);
    }

    /// <summary>
    /// Multipliers from the point alone: the least-squares solution of ∇f + Σ_A λₖ∇cₖ + Σ_B zᵢeᵢ = 0 over the active set
    /// (equality rows, rows within 1e-6·max(1, |bound|) of a bound, variables that close to a bound), by the normal equations
    /// and a Cholesky factorization; a multiplier of the wrong sign for its bound drops its row or variable from the active
    /// set and the fit is repeated. False when the fit fails. Used to check a point a method stopped at without its own
    /// multipliers being accurate (the augmented Lagrangian's first-order estimates lag the iterates).
    /// </summary>
    public bool LeastSquaresMultipliers(ReadOnlySpan<double> x, ReadOnlySpan<double> c, ReadOnlySpan<double> g, ReadOnlySpan<double> jac,
        Span<double> lambda, Span<double> z)
    {
        int n = N, m = M;
        static bool Near(double value, double bound) => double.IsFinite(bound) && Math.Abs(value - bound) <= 1e-6 * Math.Max(1, Math.Abs(bound));
        // Active entries: (index, isRow, sign) with sign +1 at an upper bound, −1 at a lower one, 0 for equalities.
        var active = new List<(int Index, bool Row, int Sign)>();
        for (int k = 0; k < m; k++)
        {
            if (IsEquality(k)) active.Add((k, true, 0));
            else if (Near(c[k], RowUpper[k])) active.Add((k, true, 1));
            else if (Near(c[k], RowLower[k])) active.Add((k, true, -1));
        }
        for (int i = 0; i < n; i++)
        {
            if (BoxLower[i] == BoxUpper[i]) active.Add((i, false, 0));
            else if (Near(x[i], BoxUpper[i])) active.Add((i, false, 1));
            else if (Near(x[i], BoxLower[i])) active.Add((i, false, -1));
        }
        while (true)
        {
            lambda.Clear();
            z.Clear();
            int p = active.Count;
            if (p == 0) return true;
            var columns = new double[p * n];
            for (int a = 0; a < p; a++)
            {
                var (index, row, _) = active[a];
                if (row) jac.Slice(index * n, n).CopyTo(columns.AsSpan(a * n, n));
                else columns[a * n + index] = 1;
            }
            var normal = new double[p * p];
            var rhs = new double[p];
            double trace = 0;
            for (int a = 0; a < p; a++)
            {
                var ca = columns.AsSpan(a * n, n);
                rhs[a] = -Vec.Dot(ca, g);
                for (int b = 0; b <= a; b++) normal[a * p + b] = normal[b * p + a] = Vec.Dot(ca, columns.AsSpan(b * n, n));
                trace += normal[a * p + a];
            }
            var factor = new double[p * p];
            if (!(trace > 0) || !Linear.Cholesky.TryFactorShifted(normal, factor, p, 1e-14 * trace / p)) return false;
            Linear.Cholesky.Solve(factor, p, rhs);
            if (!Vec.AllFinite(rhs)) return false;
            int worst = -1;
            double worstValue = 0;
            for (int a = 0; a < p; a++)
            {
                double wrong = -active[a].Sign * rhs[a]; // > 0 when the sign points away from the bound
                if (active[a].Sign != 0 && wrong > worstValue) { worstValue = wrong; worst = a; }
            }
            if (worst < 0)
            {
                for (int a = 0; a < p; a++)
                {
                    if (active[a].Row) lambda[active[a].Index] = rhs[a];
                    else z[active[a].Index] = rhs[a];
                }
                return true;
            }
            active.RemoveAt(worst);
        }
    }

    private static void Signs(double multiplier, double value, double lower, double upper, ref double dual, ref double complementarity)
    {
        if (multiplier > 0)
        {
            if (double.IsPositiveInfinity(upper)) dual = Math.Max(dual, multiplier);
            else if (lower != upper) complementarity = Math.Max(complementarity, multiplier * Math.Abs(upper - value));
        }
        else if (multiplier < 0)
        {
            if (double.IsNegativeInfinity(lower)) dual = Math.Max(dual, -multiplier);
            else if (lower != upper) complementarity = Math.Max(complementarity, -multiplier * Math.Abs(value - lower));
        }
    }

    /// <summary>IPOPT's s_max: the average multiplier size above which the dual residuals are scaled (<see cref="KktReport.MultiplierScale"/>).</summary>
    public const double MultiplierScaleThreshold = 100;

    /// <summary>
    /// True when every KKT residual meets its tolerance, the multiplier-carrying ones scaled by s_d as in IPOPT:
    /// stationarity and dual feasibility ≤ <paramref name="gradientTolerance"/>·s_d, primal feasibility ≤
    /// <paramref name="feasibilityTolerance"/>, complementarity ≤ <paramref name="feasibilityTolerance"/>·s_d.
    /// </summary>
    public static bool Satisfies(KktReport kkt, double gradientTolerance, double feasibilityTolerance) =>
        kkt.Stationarity <= gradientTolerance * kkt.MultiplierScale && kkt.DualFeasibility <= gradientTolerance * kkt.MultiplierScale
        && kkt.PrimalFeasibility <= feasibilityTolerance && kkt.Complementarity <= feasibilityTolerance * kkt.MultiplierScale;

    /// <summary>The multipliers by label (one array per family), plus <see cref="BoundsKey"/> for the variable bounds when the caller gave finite bounds.</summary>
    public IReadOnlyDictionary<string, double[]> MultipliersByLabel(ReadOnlySpan<double> lambda, ReadOnlySpan<double> z)
    {
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (label, offset, count) in Labels) result[label] = lambda.Slice(offset, count).ToArray();
        if (HasBounds)
        {
            // A constraint family that happens to be labelled "bounds" keeps its name; the variable bounds then move aside.
            string key = result.ContainsKey(BoundsKey) ? BoundsKey + "(variables)" : BoundsKey;
            result[key] = z.ToArray();
        }
        return result;
    }

    /// <summary>
    /// Evaluates f, ∇f, c and J at x (one counted evaluation) and returns <see cref="Finish(IterationMonitor, double[], double, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double[], double[], SolveStatus, string?)"/>.
    /// For points where the solver holds no derivatives (a feasibility-phase or far-out point).
    /// </summary>
    public SolveResult FinishAt(IterationMonitor monitor, double[] x, double[] lambda, double[] z, SolveStatus status, string? message)
    {
        var g = new double[N];
        var c = new double[M];
        var jac = new double[M * N];
        double f = monitor.GradientAndJacobian(Problem, x, g, jac); // counted once: the constraints come with it
        Problem.Constraints(x, c);
        return Finish(monitor, x, f, g, c, jac, lambda, z, status, message);
    }

    /// <summary>
    /// The result at x from the solver's own f, ∇f, c and J there: the KKT residuals (<see cref="Kkt"/>), the
    /// multipliers by label, and the counters and history of <paramref name="monitor"/>. A non-finite f turns
    /// <see cref="SolveStatus.Converged"/> into <see cref="SolveStatus.Diverged"/>.
    /// </summary>
    public SolveResult Finish(IterationMonitor monitor, double[] x, double f, ReadOnlySpan<double> g, ReadOnlySpan<double> c, ReadOnlySpan<double> jac,
        double[] lambda, double[] z, SolveStatus status, string? message)
    {
        if (Original is { } original) return FinishScaled(original, monitor, x, f, g, c, jac, lambda, z, status, message);
        return Report(monitor, x, f, Kkt(x, c, g, jac, lambda, z, new double[N]), lambda, z, status, message, null);
    }

    /// <summary>
    /// The result of a solve of the scaled problem, in the user's units: f/s_f, λₖ = ỹₖ·sₖ/s_f, z = z̃/s_f, and the KKT
    /// residuals of the user's problem; the tests behind the status (Converged, Acceptable) are those of the scaled problem
    /// the solver worked on, which the message says with its factors.
    /// </summary>
    private SolveResult FinishScaled(ConstrainedModel original, IterationMonitor monitor, double[] x, double f, ReadOnlySpan<double> g, ReadOnlySpan<double> c,
        ReadOnlySpan<double> jac, double[] lambda, double[] z, SolveStatus status, string? message)
    {
        var scaledKkt = Kkt(x, c, g, jac, lambda, z, new double[N]);
        var (gU, cU, jacU, lambdaU, zU) = Rescale(1 / ObjectiveScale, RowScales!, divide: true, g, c, jac, lambda, z);
        var kkt = original.Kkt(x, cU, gU, jacU, lambdaU, zU, new double[N]);
        if (status == SolveStatus.Converged && message is not null)
            message += $" (Residuals of the automatically scaled problem: {ScalingText()}; in the problem's own units: stationarity {kkt.Stationarity:G3}, primal {kkt.PrimalFeasibility:G3}, dual {kkt.DualFeasibility:G3}, complementarity {kkt.Complementarity:G3}.)";
        if (status == SolveStatus.Converged && message is null)
            message = $"Converged: KKT residuals of the automatically scaled problem ({ScalingText()}) stationarity {scaledKkt.Stationarity:G3}, primal {scaledKkt.PrimalFeasibility:G3}, dual {scaledKkt.DualFeasibility:G3}, complementarity {scaledKkt.Complementarity:G3} (tolerance {monitor.Options.GradientTolerance:G3}); in the problem's own units: stationarity {kkt.Stationarity:G3}, primal {kkt.PrimalFeasibility:G3}, dual {kkt.DualFeasibility:G3}, complementarity {kkt.Complementarity:G3}.";
        return original.Report(monitor, x, f / ObjectiveScale, kkt, lambdaU, zU, status, message, scaledKkt);
    }

    /// <summary>
    /// The quantities of the problem whose objective is multiplied by <paramref name="objectiveFactor"/> and row k by
    /// rowFactors[k] (divided by it when <paramref name="divide"/>): ∇f, c, J, and the multipliers λₖ·(objective
    /// factor)/(row factor), z·(objective factor), so that the KKT point is the same.
    /// </summary>
    private (double[] G, double[] C, double[] Jac, double[] Lambda, double[] Z) Rescale(double objectiveFactor, double[] rowFactors, bool divide,
        ReadOnlySpan<double> g, ReadOnlySpan<double> c, ReadOnlySpan<double> jac, ReadOnlySpan<double> lambda, ReadOnlySpan<double> z)
    {
        var gS = new double[N];
        var cS = new double[M];
        var jacS = new double[M * N];
        var lambdaS = new double[M];
        var zS = new double[N];
        for (int i = 0; i < N; i++) { gS[i] = g[i] * objectiveFactor; zS[i] = z[i] * objectiveFactor; }
        for (int k = 0; k < M; k++)
        {
            double row = divide ? 1 / rowFactors[k] : rowFactors[k];
            cS[k] = c[k] * row;
            lambdaS[k] = lambda[k] / row * objectiveFactor;
            for (int i = 0; i < N; i++) jacS[k * N + i] = jac[k * N + i] * row;
        }
        return (gS, cS, jacS, lambdaS, zS);
    }

    /// <summary>
    /// For a model of a scaled problem (the factors come from the start point): whether the KKT residuals also meet the
    /// tolerances under the factors the final point itself would get. A start far from the solution can have gradients
    /// orders of magnitude larger than the solution's (exp(x₁⋯x₅) at a random start), and the start's factors would then
    /// accept a point whose residuals are large for the problem as it is near the solution. Without scaling: true.
    /// </summary>
    private bool SatisfiesAtItsOwnScale(ReadOnlySpan<double> x, ReadOnlySpan<double> g, ReadOnlySpan<double> c, ReadOnlySpan<double> jac,
        ReadOnlySpan<double> lambda, ReadOnlySpan<double> z, double gradientTolerance, double feasibilityTolerance)
    {
        if (Original is not { } original) return true;
        var (gU, cU, jacU, lambdaU, zU) = Rescale(1 / ObjectiveScale, RowScales!, divide: true, g, c, jac, lambda, z);
        var there = original.ScaledBy(gU, jacU, up: false);
        var (gT, cT, jacT, lambdaT, zT) = there.Original is null
            ? (gU, cU, jacU, lambdaU, zU)
            : Rescale(there.ObjectiveScale, there.RowScales!, divide: false, gU, cU, jacU, lambdaU, zU);
        return Satisfies(there.Kkt(x, cT, gT, jacT, lambdaT, zT, new double[N]), gradientTolerance, feasibilityTolerance);
    }

    /// <summary>The message of a run that stops because <see cref="Verified"/> asked for rescaling (the solver resumes).</summary>
    public const string RescalingMessage = "Stalled: the point meets the tolerances of the problem scaled at the start, but not under its own scaling.";

    /// <summary>
    /// The convergence test of both solvers: the residuals <paramref name="kkt"/> of this model's problem meet the
    /// tolerances (<see cref="Satisfies"/>) and so do those under the point's own scaling
    /// (<see cref="SatisfiesAtItsOwnScale"/>). <paramref name="needsRescaling"/> is set when only the first holds: the
    /// solver then stops with <see cref="RescalingMessage"/> and resumes scaled at the point.
    /// </summary>
    public bool Verified(KktReport kkt, ReadOnlySpan<double> x, ReadOnlySpan<double> g, ReadOnlySpan<double> c, ReadOnlySpan<double> jac,
        ReadOnlySpan<double> lambda, ReadOnlySpan<double> z, double gradientTolerance, double feasibilityTolerance, out bool needsRescaling)
    {
        needsRescaling = false;
        if (!Satisfies(kkt, gradientTolerance, feasibilityTolerance)) return false;
        if (SatisfiesAtItsOwnScale(x, g, c, jac, lambda, z, gradientTolerance, feasibilityTolerance)) return true;
        needsRescaling = true;
        return false;
    }

    /// <summary>The result from the KKT residuals of this model's problem (<paramref name="tested"/>: those the status was decided on, when the solver worked on a scaled problem).</summary>
    private SolveResult Report(IterationMonitor monitor, double[] x, double f, KktReport kkt, double[] lambda, double[] z, SolveStatus status, string? message, KktReport? tested)
    {
        if (!double.IsFinite(f) && status is SolveStatus.Converged)
        {
            status = SolveStatus.Diverged;
            message = "Diverged: the objective is not finite at the final point.";
        }
        double error = (tested ?? kkt).ScaledError;
        if (status is SolveStatus.LineSearchFailed or SolveStatus.Stalled && error <= monitor.AcceptableLevel)
        {
            message = $"Acceptable: the method made no further progress ({message ?? status.ToString()}) at scaled KKT error {error:G3} ≤ acceptable tolerance {monitor.AcceptableLevel:G3}"
                + (tested is null ? "." : $" (of the automatically scaled problem; {kkt.ScaledError:G3} in the problem's own units).");
            status = SolveStatus.Acceptable;
        }
        var result = monitor.Result(x, f, kkt.Stationarity, status, message ?? DefaultMessage(status, kkt, monitor.Options.GradientTolerance), kkt.ScaledError);
        return result with { Multipliers = MultipliersByLabel(lambda, z), Kkt = kkt };
    }

    private static string? DefaultMessage(SolveStatus status, KktReport kkt, double gradientTolerance) =>
        status == SolveStatus.Converged
            ? $"Converged: KKT residuals stationarity {kkt.Stationarity:G3}, primal {kkt.PrimalFeasibility:G3}, dual {kkt.DualFeasibility:G3}, complementarity {kkt.Complementarity:G3} (tolerance {gradientTolerance:G3})."
            : null;

    /// <summary>True when x looks like a point of a ray along which f decreases without bound: f ≤ −1e20, or ‖x‖∞ beyond 1e10·max(1, ‖x₀‖∞).</summary>
    public static bool LooksUnbounded(double f, ReadOnlySpan<double> x, double startNorm) =>
        f <= UnboundedObjective || Vec.InfNorm(x) >= DivergingIterate * Math.Max(1, startNorm);

    /// <summary>Feasibility at a far-out point, relative to the size of the point and of the constraint values.</summary>
    public bool FeasibleAtScale(ReadOnlySpan<double> x, ReadOnlySpan<double> c, double feasibilityTolerance)
    {
        double scale = Math.Max(1, Math.Max(Vec.InfNorm(x), Vec.InfNorm(c)));
        return Violation(x, c) <= Math.Max(feasibilityTolerance, 1e-12 * scale);
    }
}
