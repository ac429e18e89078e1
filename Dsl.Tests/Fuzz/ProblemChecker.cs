using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using OptDsl.Runtime;
using static OptDsl.Tests.Fuzz.FiniteDifferences;

namespace OptDsl.Tests.Fuzz;

/// <summary>
/// The runtime checks of one generated class against the fuzzer's model of its problem: construction from data of the
/// declared shapes, start point and bounds, objective value, gradient, dense Hessian, Hessian-vector products,
/// constraints and their Jacobian, the Lagrangian's derivatives, and least-squares residuals and their Jacobian.
/// Only the runtime interfaces are used (plus reflection for StartPoint and VariableBounds), so a maximize problem is
/// checked in the solvers' minimization form throughout.
/// </summary>
public sealed class ProblemChecker(ProblemDecl problem, Random rng, string name)
{
    /// <summary>Relative tolerance of derivatives against Richardson differences (plus ten times their own error).</summary>
    public const double DerivativeTolerance = 2e-6;

    /// <summary>Relative tolerance of identities that hold up to rounding (values, Hv = H·v, ∇L = ∇f + Jᵀλ).</summary>
    public const double IdentityTolerance = 1e-8;

    /// <summary>Problems with more variables get 40 random coordinates (plus random directions) instead of all.</summary>
    public const int FullCheckLimit = 60;

    private const double Step = 1e-3;

    public readonly List<Failure> Failures = new();
    public int Inconclusive;
    public int NoFinitePoint;
    public bool Executed;

    /// <summary>Skip StartPoint/VariableBounds (for wrappers in the oracle's own tests).</summary>
    public bool SkipReflection;

    /// <summary>Time for the checks of one problem; beyond it they stop (counted as timed out, not as a failure).</summary>
    public TimeSpan Budget = TimeSpan.FromSeconds(3);

    public bool TimedOut;

    private readonly System.Diagnostics.Stopwatch _clock = new();

    /// <summary>How many coordinates get difference checks (all for small problems; fewer when evaluations are slow).</summary>
    private int _columns = FullCheckLimit;

    private void CheckTime()
    {
        if (_clock.Elapsed > Budget) throw new OutOfTimeException();
    }

    private sealed class Abort : Exception;

    private void Fail(string category, string detail)
    {
        if (Failures.Any(f => f.Category == category)) return;
        Failures.Add(new Failure(category, $"{name}: {detail}"));
    }

    private T Call<T>(string method, Func<T> f)
    {
        CheckTime();
        try
        {
            return f();
        }
        catch (Exception ex) when (ex is not Abort and not FuzzerBugException and not OutOfTimeException)
        {
            var inner = ex is TargetInvocationException { InnerException: { } i } ? i : ex;
            string frame = inner.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "";
            Fail($"exception in {method}: {inner.GetType().Name}", $"{inner.Message} ({frame})");
            throw new Abort();
        }
    }

    private void Call(string method, Action f) => Call<int>(method, () => { f(); return 0; });

    private static T Reference<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (Exception ex) when (ex is not FuzzerBugException and not OutOfTimeException)
        {
            throw new FuzzerBugException(ex.GetType().Name + ": " + ex.Message, ex);
        }
    }

    // ---- Entry points -------------------------------------------------------------------------------------------------

    public void CheckType(Type type)
    {
        var args = problem.ConstructorArguments();
        var expected = args.Select(a => a.GetType()).ToArray();
        var constructor = type.GetConstructors().FirstOrDefault(c => c.GetParameters().Select(p => p.ParameterType).SequenceEqual(expected));
        if (constructor is null)
        {
            Fail("constructor parameters ≠ (data in declaration order, then dims not bound by data)",
                $"expected ({string.Join(", ", expected.Select(t => t.Name))}), found " +
                string.Join(" | ", type.GetConstructors().Select(c => "(" + string.Join(", ", c.GetParameters().Select(p => p.ParameterType.Name + " " + p.Name)) + ")")));
            return;
        }
        object instance;
        try
        {
            instance = constructor.Invoke(args);
        }
        catch (TargetInvocationException ex)
        {
            var inner = ex.InnerException ?? ex;
            Fail($"constructor threw {inner.GetType().Name}", $"{inner.Message} with arguments {DescribeArguments(args)}");
            return;
        }
        CheckInstance(instance);
    }

    public void CheckInstance(object instance)
    {
        _clock.Restart();
        problem.Deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(Budget.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        try
        {
            Check(instance);
        }
        catch (Abort)
        {
        }
        catch (OutOfTimeException)
        {
            TimedOut = true;
        }
        finally
        {
            problem.Deadline = 0;
        }
    }

    private void Check(object instance)
    {
        if (instance is not ISecondOrderProblem p)
        {
            Fail("class does not implement ISecondOrderProblem", instance.GetType().FullName ?? "");
            return;
        }
        int n = Call("Dimension", () => p.Dimension);
        if (n != problem.VariableCount)
        {
            Fail("VariableCount ≠ the declared variables' sizes", $"Dimension {n}, declared {problem.VariableCount}");
            return;
        }
        if (!SkipReflection) CheckStartAndBounds(instance);

        int points = 0;
        for (int attempt = 0; attempt < 6 && points < 2; attempt++)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double written = Reference(() => problem.ReferenceObjective(x));
            double reference = problem.Maximize ? -written : written;
            double f = Call("Objective", () => p.Objective(x));
            if (!double.IsFinite(reference))
            {
                if (double.IsFinite(f))
                    Fail("Objective is finite where its value is NaN or infinite (folded away)", $"reference {Fmt(reference)}, Objective {Fmt(f)} at {Point(x)}");
                continue;
            }
            if (!Same(f, reference, IdentityTolerance))
                Fail("Objective ≠ reference value", $"Objective {Fmt(f)}, reference {Fmt(reference)} at {Point(x)}");
            if (!double.IsFinite(f)) continue;
            Executed = true;
            points++;
            int before = Failures.Count;
            var g = CheckDerivatives(p, x, f);
            if (instance is IConstrainedProblem c) CheckConstraints(c, x, f, g);
            if (instance is ILeastSquaresProblem l) CheckResiduals(l, x, f);
            if (Failures.Count > before) break;
        }
        if (points == 0) NoFinitePoint++;
    }

    // ---- Start point and bounds ---------------------------------------------------------------------------------------

    private void CheckStartAndBounds(object instance)
    {
        var type = instance.GetType();
        var startMethod = type.GetMethod("StartPoint", Type.EmptyTypes);
        if (startMethod is null)
        {
            Fail("no public StartPoint()", type.FullName ?? "");
        }
        else
        {
            var start = Call("StartPoint", () => (double[])startMethod.Invoke(instance, null)!);
            var expected = problem.ReferenceStart();
            if (!start.SequenceEqual(expected))
                Fail("StartPoint ≠ the declared starts (clipped into the bounds)", $"StartPoint {Vector(start)}, declared {Vector(expected)}");
        }
        var boundsMethod = type.GetMethod("VariableBounds", Type.EmptyTypes);
        if (boundsMethod is null)
        {
            Fail("no public VariableBounds()", type.FullName ?? "");
            return;
        }
        var bounds = Call("VariableBounds", () => (Bounds?)boundsMethod.Invoke(instance, null));
        if (!problem.HasBounds)
        {
            if (bounds is not null) Fail("VariableBounds ≠ the declared bounds", "bounds returned but none declared");
            return;
        }
        if (bounds is null)
        {
            Fail("VariableBounds ≠ the declared bounds", "null, but bounds are declared");
            return;
        }
        var lower = new List<double>();
        var upper = new List<double>();
        foreach (var v in problem.Vars)
            for (int k = 0; k < v.Size; k++)
            {
                lower.Add(v.Lower is null ? double.NegativeInfinity : v.Lower[v.Lower.Length == 1 ? 0 : k]);
                upper.Add(v.Upper is null ? double.PositiveInfinity : v.Upper[v.Upper.Length == 1 ? 0 : k]);
            }
        if (!bounds.Lower.SequenceEqual(lower) || !bounds.Upper.SequenceEqual(upper))
            Fail("VariableBounds ≠ the declared bounds", $"lower {Vector(bounds.Lower)} upper {Vector(bounds.Upper)}, declared {Vector(lower)} {Vector(upper)}");
    }

    // ---- Objective derivatives ----------------------------------------------------------------------------------------

    private List<int> Coordinates(int n)
    {
        if (n <= _columns) return Enumerable.Range(0, n).ToList();
        return Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(_columns).OrderBy(k => k).ToList();
    }

    private static double[] Along(double[] x, int k, double t)
    {
        var y = (double[])x.Clone();
        y[k] += t;
        return y;
    }

    private static double[] Along(double[] x, double[] u, double t)
    {
        var y = (double[])x.Clone();
        for (int i = 0; i < y.Length; i++) y[i] += t * u[i];
        return y;
    }

    private double[] CheckDerivatives(ISecondOrderProblem p, double[] x, double f)
    {
        int n = x.Length;
        var g = new double[n];
        var timing = System.Diagnostics.Stopwatch.StartNew();
        double fg = Call("Gradient", () => p.Gradient(x, g));
        // About 8 gradient calls per checked column, for the Hessian and again for the Lagrangian's: keep it within a third of the budget.
        double perColumn = 24 * Math.Max(timing.Elapsed.TotalSeconds, 1e-7);
        _columns = Math.Clamp((int)(Budget.TotalSeconds / 3 / perColumn), 4, n <= FullCheckLimit ? FullCheckLimit : 40);
        if (!Same(fg, f, 1e-11)) Fail("Gradient's return value ≠ Objective", $"Gradient returned {Fmt(fg)}, Objective {Fmt(f)} at {Point(x)}");

        var coordinates = Coordinates(n);
        foreach (int k in coordinates)
        {
            var (d, e) = Derivative(t => Call("Objective", () => p.Objective(Along(x, k, t))), Step);
            switch (Compare(g[k], d, e, DerivativeTolerance))
            {
                case Verdict.Mismatch:
                    Fail("Gradient ≠ finite differences of Objective", $"∂f/∂{Element(k)} = {Fmt(g[k])}, differences {Fmt(d)} (±{Fmt(e)}) at {Point(x)}");
                    break;
                case Verdict.Inconclusive:
                    Inconclusive++;
                    break;
            }
        }
        if (coordinates.Count < n)
        {
            for (int trial = 0; trial < 2; trial++)
            {
                var u = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var (d, e) = Derivative(t => Call("Objective", () => p.Objective(Along(x, u, t))), Step);
                double exact = g.Zip(u, (a, b) => a * b).Sum();
                if (Compare(exact, d, e, DerivativeTolerance, g.Zip(u, (a, b) => Math.Abs(a * b)).Sum()) == Verdict.Mismatch)
                    Fail("Gradient ≠ finite differences of Objective", $"directional derivative ∇f·u = {Fmt(exact)}, differences {Fmt(d)} (±{Fmt(e)}) at {Point(x)}");
            }
        }

        var h = new double[n * n];
        Call("Hessian", () => p.Hessian(x, h));
        double[] Grad(double[] y)
        {
            var gy = new double[n];
            Call("Gradient", () => p.Gradient(y, gy));
            return gy;
        }
        CheckColumns("Hessian ≠ finite differences of Gradient", h, n, Grad, x, coordinates,
            (i, j) => $"∂²f/∂{Element(i)}∂{Element(j)}", "");

        var v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var hv = new double[n];
        Call("HessianVectorProduct", () => p.HessianVectorProduct(x, v, hv));
        CheckProduct("HessianVectorProduct ≠ Hessian·v", "Hessian·v", h, v, hv, x);
        return g;
    }

    // ---- Constraints and the Lagrangian ---------------------------------------------------------------------------------

    private void CheckConstraints(IConstrainedProblem p, double[] x, double f, double[] g)
    {
        int n = x.Length;
        int m = Call("ConstraintCount", () => p.ConstraintCount);
        var rows = Reference(() => problem.ReferenceConstraints(x));
        if (m != rows.Count)
        {
            Fail("ConstraintCount ≠ rows of the subject-to block", $"ConstraintCount {m}, declared rows {rows.Count}");
            return;
        }
        var labels = Call("ConstraintLabels", () => p.ConstraintLabels);
        int next = 0;
        foreach (var (label, offset, count) in labels)
        {
            if (offset != next || count < 0) Fail("ConstraintLabels do not tile the rows", $"'{label}' at {offset} (+{count}), expected offset {next}");
            next = offset + count;
        }
        if (next != m) Fail("ConstraintLabels do not tile the rows", $"labels cover {next} of {m} rows");
        string Row(int r) => labels.FirstOrDefault(l => r >= l.Offset && r < l.Offset + l.Count) is var l && l.Label is not null ? $"row {r} ('{l.Label}' +{r - l.Offset})" : $"row {r}";

        var c = new double[m];
        Call("Constraints", () => p.Constraints(x, c));
        for (int r = 0; r < m; r++)
        {
            if (double.IsFinite(rows[r].Value) && !Same(c[r], rows[r].Value, IdentityTolerance))
            {
                Fail("Constraints ≠ reference values", $"{Row(r)}: {Fmt(c[r])}, reference {Fmt(rows[r].Value)} at {Point(x)}");
                break;
            }
        }
        var lower = new double[m];
        var upper = new double[m];
        Call("ConstraintBounds", () => p.ConstraintBounds(lower, upper));
        for (int r = 0; r < m; r++)
        {
            if (!Same(lower[r], rows[r].Lower, IdentityTolerance) || !Same(upper[r], rows[r].Upper, IdentityTolerance))
            {
                Fail("ConstraintBounds ≠ the declared bounds", $"{Row(r)}: [{Fmt(lower[r])}, {Fmt(upper[r])}], declared [{Fmt(rows[r].Lower)}, {Fmt(rows[r].Upper)}]");
                break;
            }
        }

        var jacobian = new double[m * n];
        Call("ConstraintJacobian", () => p.ConstraintJacobian(x, jacobian));
        double[] Values(double[] y)
        {
            var cy = new double[m];
            Call("Constraints", () => p.Constraints(y, cy));
            return cy;
        }
        var coordinates = Coordinates(n);
        if (m > 0)
            CheckColumns("ConstraintJacobian ≠ finite differences of Constraints", jacobian, m, Values, x, coordinates,
                (r, j) => $"{Row(r)}, ∂/∂{Element(j)}", "");

        var lambda = Enumerable.Range(0, m).Select(_ => Math.Round(rng.NextDouble() * 2 - 1, 3)).ToArray();
        var gl = new double[n];
        double value = Call("LagrangianGradient", () => p.LagrangianGradient(x, lambda, gl));
        double expectedValue = f + lambda.Zip(c, (a, b) => a * b).Sum();
        // A reference that is not finite (a constraint NaN at this point in the reference too) says nothing, as for
        // the constraint values above.
        if (double.IsFinite(expectedValue) && !Same(value, expectedValue, IdentityTolerance, Math.Abs(f) + lambda.Zip(c, (a, b) => Math.Abs(a * b)).Sum()))
            Fail("LagrangianGradient's value ≠ f + λ·c", $"{Fmt(value)}, f + λ·c = {Fmt(expectedValue)} with λ {Vector(lambda)} at {Point(x)}");
        for (int k = 0; k < n; k++)
        {
            double expected = g[k], scale = Math.Abs(g[k]);
            for (int r = 0; r < m; r++)
            {
                expected += lambda[r] * jacobian[r * n + k];
                scale += Math.Abs(lambda[r] * jacobian[r * n + k]);
            }
            if (!Same(gl[k], expected, IdentityTolerance, scale))
            {
                Fail("LagrangianGradient ≠ ∇f + Jᵀλ", $"∂L/∂{Element(k)} = {Fmt(gl[k])}, ∇f + Jᵀλ = {Fmt(expected)} with λ {Vector(lambda)} at {Point(x)}");
                break;
            }
        }

        var hl = new double[n * n];
        Call("LagrangianHessian", () => p.LagrangianHessian(x, lambda, hl));
        double[] LagrangianGradient(double[] y)
        {
            var gy = new double[n];
            Call("LagrangianGradient", () => p.LagrangianGradient(y, lambda, gy));
            return gy;
        }
        CheckColumns("LagrangianHessian ≠ finite differences of LagrangianGradient", hl, n, LagrangianGradient, x, coordinates,
            (i, j) => $"∂²L/∂{Element(i)}∂{Element(j)}", $" with λ {Vector(lambda)}");
        var v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var hv = new double[n];
        Call("LagrangianHessianVectorProduct", () => p.LagrangianHessianVectorProduct(x, lambda, v, hv));
        CheckProduct("LagrangianHessianVectorProduct ≠ LagrangianHessian·v", "LagrangianHessian·v", hl, v, hv, x);
    }

    /// <summary>
    /// Each checked column j of the row-major <paramref name="rows"/>×n <paramref name="matrix"/> against central
    /// differences of <paramref name="function"/> along coordinate j (a Jacobian of the function's values).
    /// </summary>
    private void CheckColumns(string category, double[] matrix, int rows, Func<double[], double[]> function, double[] x,
        IReadOnlyList<int> coordinates, Func<int, int, string> entry, string context)
    {
        int n = x.Length;
        foreach (int j in coordinates)
        {
            var (column, error) = Derivative(t => function(Along(x, j, t)), Step);
            for (int i = 0; i < rows; i++)
            {
                switch (Compare(matrix[i * n + j], column[i], error[i], DerivativeTolerance))
                {
                    case Verdict.Mismatch:
                        Fail(category, $"{entry(i, j)} = {Fmt(matrix[i * n + j])}, differences {Fmt(column[i])} (±{Fmt(error[i])}){context} at {Point(x)}");
                        break;
                    case Verdict.Inconclusive:
                        Inconclusive++;
                        break;
                }
            }
        }
    }

    /// <summary>A matrix-vector product <paramref name="product"/> against the dense n×n <paramref name="matrix"/> times <paramref name="v"/>.</summary>
    private void CheckProduct(string category, string reference, double[] matrix, double[] v, double[] product, double[] x)
    {
        int n = v.Length;
        for (int i = 0; i < n; i++)
        {
            double expected = 0, scale = 0;
            for (int j = 0; j < n; j++)
            {
                expected += matrix[i * n + j] * v[j];
                scale += Math.Abs(matrix[i * n + j] * v[j]);
            }
            if (!Same(product[i], expected, IdentityTolerance, scale))
            {
                Fail(category, $"row {Element(i)}: {Fmt(product[i])}, {reference} {Fmt(expected)} at {Point(x)}");
                break;
            }
        }
    }

    // ---- Least squares ------------------------------------------------------------------------------------------------

    private void CheckResiduals(ILeastSquaresProblem p, double[] x, double f)
    {
        int n = x.Length;
        if (Call("ILeastSquaresProblem.Dimension", () => p.Dimension) != n) Fail("ILeastSquaresProblem.Dimension ≠ VariableCount", $"{p.Dimension} vs {n}");
        int m = Call("ResidualCount", () => p.ResidualCount);
        var r = new double[m];
        Call("Residuals", () => p.Residuals(x, r));
        double sum = r.Sum(v => v * v);
        if (!Same(sum, f, IdentityTolerance))
            Fail("Σ residuals² ≠ Objective", $"Σ r² = {Fmt(sum)}, Objective {Fmt(f)} ({m} residuals) at {Point(x)}");
        var jacobian = new double[m * n];
        Call("ResidualJacobian", () => p.Jacobian(x, jacobian));
        double[] Residuals(double[] y)
        {
            var ry = new double[m];
            Call("Residuals", () => p.Residuals(y, ry));
            return ry;
        }
        if (m == 0) return;
        CheckColumns("ResidualJacobian ≠ finite differences of Residuals", jacobian, m, Residuals, x, Coordinates(n),
            (k, j) => $"∂r[{k}]/∂{Element(j)}", "");
    }

    // ---- Formatting ---------------------------------------------------------------------------------------------------

    /// <summary>The declared element at flat position k: <c>w[1, 2]</c>.</summary>
    private string Element(int k)
    {
        foreach (var v in problem.Vars)
        {
            if (k < v.Size)
            {
                if (v.Shape.Count == 0) return v.Name;
                var index = new long[v.Shape.Count];
                long rest = k;
                for (int a = v.Shape.Count - 1; a >= 0; a--)
                {
                    index[a] = rest % v.Shape[a].Value;
                    rest /= v.Shape[a].Value;
                }
                return $"{v.Name}[{string.Join(", ", index)}]";
            }
            k -= v.Size;
        }
        return $"x[{k}]";
    }

    public static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Vector(IEnumerable<double> v)
    {
        var list = v.ToList();
        return "[" + string.Join(", ", list.Take(12).Select(Fmt)) + (list.Count > 12 ? $", ... ({list.Count})" : "") + "]";
    }

    private static string Point(double[] x) => "x = " + Vector(x);

    private static string DescribeArguments(object[] args) => "(" + string.Join(", ", args.Select(a => a switch
    {
        double[] d => $"double[{d.Length}]",
        double[,] d => $"double[{d.GetLength(0)}, {d.GetLength(1)}]",
        _ => Convert.ToString(a, CultureInfo.InvariantCulture),
    })) + ")";
}
