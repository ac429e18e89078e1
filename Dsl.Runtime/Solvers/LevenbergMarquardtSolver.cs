using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime;

/// <summary>
/// Levenberg–Marquardt for f(x) = Σ rₖ(x)² (<c>.opt</c> name <c>lm</c>): the scaled trust-region method of MINPACK's
/// <c>lmder</c> (Moré 1978). Each iteration factors J·P = Q·R with column pivoting, finds the Levenberg parameter λ with
/// ‖D·p‖ ≈ Δ (<c>lmpar</c>: Newton on the secular equation with the safeguards of the paper), where D holds the running
/// maxima of the Jacobian's column norms, and updates Δ from the ratio of actual to predicted reduction.
/// With bounds, variables held at a bound by the gradient are left out of the step (their Jacobian columns are zeroed
/// for the subproblem), the trial point is projected into the box, and the ratio uses the predicted reduction of the
/// projected step.
/// <see cref="SolveResult.Objective"/> is Σ r² (no ½) and <see cref="SolveResult.GradientNorm"/> is ‖2Jᵀr‖∞ (projected).
/// <para>
/// The optimality error (<see cref="SolveResult.OptimalityError"/>) is MINPACK's relative measure: the largest cosine of the
/// angle between r and a column of J (projected onto the bounds), or ‖r‖/‖r₀‖ when that is smaller (a zero-residual fit,
/// where the direction of r is rounding noise). Neither depends on the units of r or of x, and unlike an absolute gradient
/// test neither fires on a plateau where J's columns vanish (BoxBOD from NIST's first start).
/// <see cref="SolveStatus.Converged"/>: the error is at most <see cref="SolveOptions.GradientTolerance"/>, or r is orthogonal to
/// the columns of J to machine precision. The <c>lmder</c> stops (relative reduction ≤ <see cref="SolveOptions.FunctionTolerance"/>,
/// trust radius ≤ <see cref="SolveOptions.StepTolerance"/>·‖Dx‖, or either at machine precision) end the solve as
/// <see cref="SolveStatus.Acceptable"/> or <see cref="SolveStatus.Stalled"/> by the same error.
/// </para>
/// </summary>
public sealed class LevenbergMarquardtSolver : Solver<ILeastSquaresProblem>
{
    private const double Epsilon = 2.220446049250313e-16;
    private const double Dwarf = 2.2250738585072014e-308;

    /// <summary>
    /// Initial Levenberg parameter λ₀ (<c>lambda0</c>, relative to the squared column norms of J, as Marquardt's λ):
    /// the first trust radius is the length of the step for λ₀. Null: MINPACK's choice Δ₀ = 100·‖D·x₀‖ (or 100 if that is 0).
    /// </summary>
    public double? InitialDamping { get; set; }

    /// <summary><c>lm</c>.</summary>
    public override string Name => "lm";

    private protected override void CheckSettings()
    {
        if (InitialDamping is { } l0) Arguments.NonNegative(l0, nameof(InitialDamping), Name);
    }

    private protected override void CheckProblem(ILeastSquaresProblem problem)
    {
        int m = problem.ResidualCount;
        if (m < 0) throw new ArgumentException($"{Name}: problem {problem.GetType().Name} reports a negative residual count ({m}).", nameof(problem));
    }

    private protected override SolveResult Solve(ILeastSquaresProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        int mProblem = problem.ResidualCount;
        int m = Math.Max(mProblem, n); // zero rows pad an underdetermined problem (lmder needs m ≥ n)
        var w = new Work(m, mProblem, n);

        monitor.Residuals(problem, x, w.Fvec.AsSpan(0, mProblem));
        if (!Vec.AllFinite(w.Fvec)) return monitor.Result(x, double.NaN, double.NaN, SolveStatus.Diverged, "Diverged: the residuals are not finite at the start point.");
        double fnorm = Vec.Norm(w.Fvec);
        double fnorm0 = fnorm;
        if (!EvaluateJacobian(problem, monitor, x, w, box, out double gnorm))
            return monitor.Result(x, fnorm * fnorm, double.NaN, SolveStatus.Diverged, "Diverged: the Jacobian is not finite at the start point.");
        double error = OptimalityError(w, fnorm, fnorm0);
        if (monitor.IsStationary(error)) return monitor.Result(x, fnorm * fnorm, gnorm, SolveStatus.Converged, null, error);

        double par = 0, delta = 0, xnorm = 0;
        bool firstIteration = true;
        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            // QR factorization of the Jacobian (column-major copy in Fjac), then Qᵀr.
            MinpackQr.Factor(m, n, w.Fjac, m, w.Ipvt, w.Wa1, w.Wa2, w.Wa3);
            if (firstIteration)
            {
                for (int j = 0; j < n; j++) w.Diag[j] = w.Wa2[j] == 0 ? 1 : w.Wa2[j];
                xnorm = ScaledNorm(w.Diag, x, w.Wa3);
            }
            w.Fvec.CopyTo(w.Wa4, 0);
            for (int j = 0; j < n; j++)
            {
                double ajj = w.Fjac[j + j * m];
                if (ajj != 0)
                {
                    var col = w.Fjac.AsSpan(j + j * m, m - j);
                    double temp = -Vec.Dot(col, w.Wa4.AsSpan(j, m - j)) / ajj;
                    TensorPrimitives.MultiplyAdd(col, temp, w.Wa4.AsSpan(j, m - j), w.Wa4.AsSpan(j, m - j));
                }
                w.Fjac[j + j * m] = w.Wa1[j];
                w.Qtf[j] = w.Wa4[j];
            }

            // The cosine of the angle between r and the columns of J (MINPACK's gradient measure).
            double cosine = 0;
            if (fnorm != 0)
            {
                for (int j = 0; j < n; j++)
                {
                    int l = w.Ipvt[j];
                    if (w.Wa2[l] == 0) continue;
                    double sum = 0;
                    for (int i = 0; i <= j; i++) sum += w.Fjac[i + j * m] * (w.Qtf[i] / fnorm);
                    cosine = Math.Max(cosine, Math.Abs(sum / w.Wa2[l]));
                }
            }
            if (cosine <= Epsilon)
            {
                status = SolveStatus.Converged;
                message = $"Converged: the residual vector is orthogonal to the columns of the Jacobian to machine precision (|2Jᵀr|∞ = {gnorm:G3}).";
                error = Math.Min(error, cosine);
                break;
            }

            for (int j = 0; j < n; j++) w.Diag[j] = Math.Max(w.Diag[j], w.Wa2[j]);
            if (firstIteration)
            {
                delta = InitialRadius(n, m, w, xnorm);
            }

            // Inner loop: shrink the trust region until a step reduces Σr².
            bool success = false;
            SolveStatus? stop = null;
            string? noProgress = null;
            double stepNorm = 0;
            double fOld = fnorm * fnorm;
            while (true)
            {
                if (monitor.Options.CancellationToken.IsCancellationRequested) { stop = SolveStatus.Cancelled; break; }
                if (monitor.EvaluationBudgetExhausted) { stop = SolveStatus.MaxEvaluations; break; }
                if (monitor.Options.TimeLimit is { } limit && monitor.Elapsed >= limit) { stop = SolveStatus.TimeLimit; break; }

                par = LevenbergParameter(n, w.Fjac, m, w.Ipvt, w.Diag, w.Qtf, delta, par, w.Wa1, w.Sdiag, w.Wa2, w.Wa3);
                // Trial point x + p, projected into the box; Step holds the actual step.
                bool projected = false;
                for (int j = 0; j < n; j++)
                {
                    double p = -w.Wa1[j];
                    double xt = x[j] + p;
                    if (box.IsBounded)
                    {
                        double clamped = Math.Clamp(xt, box.Lower[j], box.Upper[j]);
                        projected |= clamped != xt;
                        xt = clamped;
                    }
                    w.XTrial[j] = xt;
                    w.Step[j] = xt - x[j];
                }
                double pnorm = ScaledNorm(w.Diag, w.Step, w.Wa3);
                if (firstIteration) delta = Math.Min(delta, pnorm);

                monitor.Residuals(problem, w.XTrial, w.FTrial.AsSpan(0, mProblem));
                double fnorm1 = Vec.AllFinite(w.FTrial) ? Vec.Norm(w.FTrial) : double.PositiveInfinity;
                double actred = 0.1 * fnorm1 < fnorm ? 1 - (fnorm1 / fnorm) * (fnorm1 / fnorm) : -1;

                double prered, dirder;
                if (!projected)
                {
                    // ‖R·Pᵀ·p‖ from the factors, as lmder.
                    for (int j = 0; j < n; j++)
                    {
                        w.Wa3[j] = 0;
                        double temp = w.Step[w.Ipvt[j]];
                        for (int i = 0; i <= j; i++) w.Wa3[i] += w.Fjac[i + j * m] * temp;
                    }
                    double temp1 = Vec.Norm(w.Wa3.AsSpan(0, n)) / fnorm;
                    double temp2 = Math.Sqrt(par) * pnorm / fnorm;
                    prered = temp1 * temp1 + temp2 * temp2 / 0.5;
                    dirder = -(temp1 * temp1 + temp2 * temp2);
                }
                else
                {
                    // Projected step s: predicted reduction of ‖r + J·s‖² relative to ‖r‖².
                    double rjs = 0, jsjs = 0;
                    for (int i = 0; i < mProblem; i++)
                    {
                        double js = Vec.Dot(w.Jrow.AsSpan(i * n, n), w.Step);
                        rjs += w.Fvec[i] * js;
                        jsjs += js * js;
                    }
                    double f2 = fnorm * fnorm;
                    prered = -(2 * rjs + jsjs) / f2;
                    dirder = rjs / f2;
                }
                double ratio = prered > 0 ? actred / prered : 0; // a projected step can predict an increase: reject it

                if (ratio <= 0.25)
                {
                    double temp = actred >= 0 ? 0.5 : 0.5 * dirder / (dirder + 0.5 * actred);
                    if (0.1 * fnorm1 >= fnorm || temp < 0.1 || !double.IsFinite(temp)) temp = 0.1;
                    delta = temp * Math.Min(delta, pnorm / 0.1);
                    par /= temp;
                }
                else if (par == 0 || ratio >= 0.75)
                {
                    delta = pnorm / 0.5;
                    par *= 0.5;
                }

                if (ratio >= 1e-4)
                {
                    w.XTrial.CopyTo(x, 0);
                    w.FTrial.CopyTo(w.Fvec, 0);
                    xnorm = ScaledNorm(w.Diag, x, w.Wa3);
                    fnorm = fnorm1;
                    stepNorm = Vec.InfNorm(w.Step);
                    success = true;
                }

                // lmder's tests (ftol, xtol and their machine-precision floors).
                double ftol = monitor.Options.FunctionTolerance;
                double xtol = monitor.Options.StepTolerance;
                if (ftol > 0 && Math.Abs(actred) <= ftol && prered <= ftol && 0.5 * ratio <= 1)
                    noProgress = $"the actual and predicted relative reductions of the sum of squares fell below the function tolerance {ftol:G3}";
                else if (delta <= xtol * xnorm)
                    noProgress = $"the trust radius fell below the step tolerance {xtol:G3} times ‖Dx‖";
                else if (Math.Abs(actred) <= Epsilon && prered <= Epsilon && 0.5 * ratio <= 1)
                    noProgress = "no further reduction of the sum of squares is possible at machine precision";
                else if (delta <= Epsilon * xnorm)
                    noProgress = "no further improvement of x is possible at machine precision";
                if (success || stop is not null || noProgress is not null) break;
            }
            firstIteration = false;

            if (success)
            {
                if (!EvaluateJacobian(problem, monitor, x, w, box, out gnorm))
                {
                    status = SolveStatus.Diverged;
                    message = "Diverged: the Jacobian is not finite.";
                    break;
                }
                error = OptimalityError(w, fnorm, fnorm0);
                // The step test is lmder's Δ ≤ xtol·‖Dx‖ above, not the length of one step; f ≥ 0 cannot run away.
                if (monitor.CompleteIteration(fOld, fnorm * fnorm, gnorm, stepNorm, Vec.InfNorm(x), out status, stoppingStepNorm: double.PositiveInfinity, optimalityError: error))
                {
                    message = null;
                    break;
                }
            }
            if (noProgress is not null)
            {
                status = monitor.NoProgress(error, noProgress);
                message = null;
                break;
            }
            if (stop is { } s)
            {
                status = s;
                break;
            }
            message = null;
        }
        return monitor.Result(x, fnorm * fnorm, gnorm, status, message, error);
    }

    /// <summary>
    /// min(max_j |J_jᵀr| / (‖J_j‖·‖r‖), ‖r‖/‖r₀‖) at the point of the last <see cref="EvaluateJacobian"/>: the cosine over the
    /// free columns (a variable held at a bound by the gradient has a zero projected gradient component), 0 when r = 0.
    /// </summary>
    private static double OptimalityError(Work w, double fnorm, double fnorm0)
    {
        if (fnorm == 0) return 0;
        double cosine = 0;
        for (int j = 0; j < w.N; j++)
        {
            if (w.ColumnNorm[j] == 0) continue;
            cosine = Math.Max(cosine, Math.Abs(0.5 * w.ProjectedGradient[j]) / (w.ColumnNorm[j] * fnorm));
        }
        return Math.Min(cosine, fnorm0 > 0 ? fnorm / fnorm0 : double.PositiveInfinity);
    }

    private double InitialRadius(int n, int m, Work w, double xnorm)
    {
        const double factor = 100;
        double fallback = xnorm == 0 ? factor : factor * xnorm;
        if (InitialDamping is not { } lambda0) return fallback;
        // The length ‖D·p‖ of the step for λ₀: (JᵀJ + λ₀D²)p = −Jᵀr.
        double s = Math.Sqrt(lambda0);
        for (int j = 0; j < n; j++) w.Wa3[j] = s * w.Diag[j];
        MinpackQr.Solve(n, w.Fjac, m, w.Ipvt, w.Wa3, w.Qtf, w.Wa1, w.Sdiag, w.Wa4Small);
        double radius = ScaledNorm(w.Diag, w.Wa1, w.Wa3);
        return radius > 0 && double.IsFinite(radius) ? radius : fallback;
    }

    private static double ScaledNorm(ReadOnlySpan<double> diag, ReadOnlySpan<double> v, Span<double> work)
    {
        TensorPrimitives.Multiply(diag, v, work.Slice(0, v.Length));
        return Vec.Norm(work.Slice(0, v.Length));
    }

    /// <summary>J at x into both layouts, and the projected ‖2Jᵀr‖∞.</summary>
    private static bool EvaluateJacobian(ILeastSquaresProblem problem, IterationMonitor monitor, double[] x, Work w, Box box, out double gnorm)
    {
        int n = w.N, m = w.M, mp = w.MProblem;
        monitor.Jacobian(problem, x, w.Jrow);
        gnorm = double.NaN;
        if (!Vec.AllFinite(w.Jrow)) return false;
        Array.Clear(w.Fjac);
        w.Gradient.AsSpan().Clear();
        for (int i = 0; i < mp; i++)
        {
            var row = w.Jrow.AsSpan(i * n, n);
            for (int j = 0; j < n; j++) w.Fjac[i + j * m] = row[j];
            Vec.Axpy(2 * w.Fvec[i], row, w.Gradient);
        }
        gnorm = box.ProjectedGradientNorm(x, w.Gradient);
        for (int j = 0; j < n; j++)
        {
            var column = w.Fjac.AsSpan(j * m, m);
            w.ColumnNorm[j] = Vec.Norm(column);
            w.ProjectedGradient[j] = w.Gradient[j];
            // Variables held at a bound by the gradient take no part in the step: zeroing their columns makes the
            // LM subproblem act on the free variables only (MINPACK's pivoting leaves zero columns with a zero step).
            bool held = box.IsBounded && ((x[j] <= box.Lower[j] && w.Gradient[j] > 0) || (x[j] >= box.Upper[j] && w.Gradient[j] < 0));
            if (held)
            {
                w.ProjectedGradient[j] = 0;
                column.Clear();
            }
        }
        return true;
    }

    /// <summary>
    /// MINPACK <c>lmpar</c>: the Levenberg parameter λ such that p = −(JᵀJ + λD²)⁻¹Jᵀr satisfies |‖Dp‖ − Δ| ≤ 0.1Δ
    /// (or λ = 0 when the Gauss–Newton step is inside), by at most 10 safeguarded Newton steps. Writes p into
    /// <paramref name="x"/> (note: with the sign of lmpar, i.e. the solution of the regularized system for −r).
    /// </summary>
    private static double LevenbergParameter(int n, Span<double> r, int ld, ReadOnlySpan<int> ipvt, ReadOnlySpan<double> diag, ReadOnlySpan<double> qtb,
        double delta, double par, Span<double> x, Span<double> sdiag, Span<double> wa1, Span<double> wa2)
    {
        // Gauss–Newton direction (least-squares solution if J is rank deficient).
        int nsing = n;
        for (int j = 0; j < n; j++)
        {
            wa1[j] = qtb[j];
            if (r[j + j * ld] == 0 && nsing == n) nsing = j;
            if (nsing < n) wa1[j] = 0;
        }
        for (int j = nsing - 1; j >= 0; j--)
        {
            wa1[j] /= r[j + j * ld];
            double temp = wa1[j];
            for (int i = 0; i < j; i++) wa1[i] -= r[i + j * ld] * temp;
        }
        for (int j = 0; j < n; j++) x[ipvt[j]] = wa1[j];

        for (int j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
        double dxnorm = Vec.Norm(wa2.Slice(0, n));
        double fp = dxnorm - delta;
        if (fp <= 0.1 * delta) return 0;

        // Lower bound parl (zero if J is rank deficient).
        double parl = 0;
        if (nsing >= n)
        {
            for (int j = 0; j < n; j++) { int l = ipvt[j]; wa1[j] = diag[l] * (wa2[l] / dxnorm); }
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int i = 0; i < j; i++) sum += r[i + j * ld] * wa1[i];
                wa1[j] = (wa1[j] - sum) / r[j + j * ld];
            }
            double temp = Vec.Norm(wa1.Slice(0, n));
            parl = fp / delta / temp / temp;
        }

        // Upper bound paru.
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int i = 0; i <= j; i++) sum += r[i + j * ld] * qtb[i];
            wa1[j] = sum / diag[ipvt[j]];
        }
        double gnorm = Vec.Norm(wa1.Slice(0, n));
        double paru = gnorm / delta;
        if (paru == 0) paru = Dwarf / Math.Min(delta, 0.1);

        par = Math.Max(par, parl);
        par = Math.Min(par, paru);
        if (par == 0) par = gnorm / dxnorm;

        for (int iter = 1; ; iter++)
        {
            if (par == 0) par = Math.Max(Dwarf, 0.001 * paru);
            double s = Math.Sqrt(par);
            for (int j = 0; j < n; j++) wa1[j] = s * diag[j];
            MinpackQr.Solve(n, r, ld, ipvt, wa1, qtb, x, sdiag, wa2);
            for (int j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
            dxnorm = Vec.Norm(wa2.Slice(0, n));
            double previous = fp;
            fp = dxnorm - delta;
            if (Math.Abs(fp) <= 0.1 * delta || (parl == 0 && fp <= previous && previous < 0) || iter == 10) break;

            // Newton correction.
            for (int j = 0; j < n; j++) { int l = ipvt[j]; wa1[j] = diag[l] * (wa2[l] / dxnorm); }
            for (int j = 0; j < n; j++)
            {
                wa1[j] /= sdiag[j];
                double temp = wa1[j];
                for (int i = j + 1; i < n; i++) wa1[i] -= r[i + j * ld] * temp;
            }
            double t = Vec.Norm(wa1.Slice(0, n));
            double parc = fp / delta / t / t;
            if (fp > 0) parl = Math.Max(parl, par);
            if (fp < 0) paru = Math.Min(paru, par);
            par = Math.Max(parl, par + parc);
        }
        return par;
    }

    private sealed class Work(int m, int mProblem, int n)
    {
        public readonly int M = m, MProblem = mProblem, N = n;
        public readonly double[] Fvec = new double[m];
        public readonly double[] FTrial = new double[m];
        public readonly double[] Fjac = new double[m * n];
        public readonly double[] Jrow = new double[mProblem * n];
        public readonly double[] Gradient = new double[n];
        public readonly double[] ProjectedGradient = new double[n];
        public readonly double[] ColumnNorm = new double[n];
        public readonly double[] Diag = new double[n];
        public readonly double[] Qtf = new double[n];
        public readonly double[] Wa1 = new double[n];
        public readonly double[] Wa2 = new double[n];
        public readonly double[] Wa3 = new double[n];
        public readonly double[] Wa4 = new double[m];
        public readonly double[] Wa4Small = new double[n];
        public readonly double[] Sdiag = new double[n];
        public readonly double[] XTrial = new double[n];
        public readonly double[] Step = new double[n];
        public readonly int[] Ipvt = new int[n];
    }
}
