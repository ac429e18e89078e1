using System;
using System.Collections.Generic;
using OptDsl.Runtime;

namespace OptDsl.Tests.Pareto;

/// <summary>
/// A hand-written multi-objective problem: each objective's value, gradient and Hessian (as written) by hand. Its
/// scalarization goes to <see cref="LbfgsSolver"/> when there is no ε-row and to <see cref="InteriorPointSolver"/>
/// (through <see cref="Scalarized"/>) otherwise.
/// </summary>
public abstract class SmoothParetoProblem : IParetoProblem
{
    private readonly string[] _names;
    private readonly bool[] _maximize;
    private readonly double[] _start;

    protected SmoothParetoProblem(string[] names, bool[] maximize, double[] start, Bounds? bounds = null)
    {
        _names = names;
        _maximize = maximize;
        _start = start;
        Bounds = bounds;
    }

    public Bounds? Bounds { get; }
    public int Dimension => _start.Length;
    public int ObjectiveCount => _names.Length;
    public IReadOnlyList<string> ObjectiveNames => _names;
    public IReadOnlyList<bool> Maximize => _maximize;

    /// <summary>The scalarization below adds a row for each finite ε-level (solved by ipm).</summary>
    public bool HasEpsilonRows => true;
    public double[] StartPoint() => (double[])_start.Clone();

    /// <summary>f_k(x) as written.</summary>
    public abstract double Value(int k, ReadOnlySpan<double> x);

    /// <summary>∇f_k(x) as written.</summary>
    public abstract void Gradient(int k, ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>∇²f_k(x) as written, row-major n×n.</summary>
    public abstract void Hessian(int k, ReadOnlySpan<double> x, Span<double> hessian);

    public void ObjectiveValues(ReadOnlySpan<double> x, Span<double> values)
    {
        for (int k = 0; k < ObjectiveCount; k++) values[k] = Value(k, x);
    }

    public double Sign(int k) => _maximize[k] ? -1 : 1;

    public virtual SolveResult SolveScalarized(ReadOnlySpan<double> weights, ReadOnlySpan<double> upper, ReadOnlySpan<double> start, SolveOptions? options)
    {
        var scalar = new Scalarized(this, weights.ToArray(), upper.ToArray());
        return scalar.ConstraintCount == 0
            ? new LbfgsSolver().Minimize(scalar, start, options, Bounds)
            : new InteriorPointSolver().Minimize(scalar, start, options, Bounds);
    }
}

/// <summary>min Σ w_k s_k f_k s.t. s_j f_j ≤ upper_j for each finite upper_j, as an <see cref="IConstrainedProblem"/>.</summary>
public sealed class Scalarized : IConstrainedProblem
{
    private readonly SmoothParetoProblem _p;
    private readonly double[] _weights;
    private readonly double[] _upper;
    private readonly int[] _rows;

    public Scalarized(SmoothParetoProblem p, double[] weights, double[] upper)
    {
        _p = p;
        _weights = weights;
        _upper = upper;
        var rows = new List<int>();
        for (int j = 0; j < upper.Length; j++) if (!double.IsPositiveInfinity(upper[j])) rows.Add(j);
        _rows = rows.ToArray();
        ConstraintLabels = _rows.Length == 0 ? Array.Empty<(string, int, int)>() : new[] { ("eps", 0, _rows.Length) };
    }

    public int Dimension => _p.Dimension;
    public int ConstraintCount => _rows.Length;
    public IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels { get; }

    public double Objective(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int k = 0; k < _weights.Length; k++) if (_weights[k] != 0) f += _weights[k] * _p.Sign(k) * _p.Value(k, x);
        return f;
    }

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient) =>
        Combine(x, Coefficients(ReadOnlySpan<double>.Empty), gradient);

    public void Hessian(ReadOnlySpan<double> x, Span<double> hessian) =>
        CombineHessian(x, Coefficients(ReadOnlySpan<double>.Empty), hessian);

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv) =>
        LagrangianHessianVectorProduct(x, ReadOnlySpan<double>.Empty, v, hv);

    public void Constraints(ReadOnlySpan<double> x, Span<double> values)
    {
        for (int r = 0; r < _rows.Length; r++) values[r] = _p.Sign(_rows[r]) * _p.Value(_rows[r], x);
    }

    public void ConstraintBounds(Span<double> lower, Span<double> upper)
    {
        for (int r = 0; r < _rows.Length; r++)
        {
            lower[r] = double.NegativeInfinity;
            upper[r] = _upper[_rows[r]];
        }
    }

    public void ConstraintJacobian(ReadOnlySpan<double> x, Span<double> jacobian)
    {
        int n = Dimension;
        var g = new double[n];
        for (int r = 0; r < _rows.Length; r++)
        {
            _p.Gradient(_rows[r], x, g);
            for (int i = 0; i < n; i++) jacobian[r * n + i] = _p.Sign(_rows[r]) * g[i];
        }
    }

    public double LagrangianGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> gradient) =>
        Combine(x, Coefficients(multipliers), gradient);

    public void LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> hessian) =>
        CombineHessian(x, Coefficients(multipliers), hessian);

    public void LagrangianHessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, ReadOnlySpan<double> v, Span<double> hv)
    {
        int n = Dimension;
        var h = new double[n * n];
        CombineHessian(x, Coefficients(multipliers), h);
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += h[i * n + j] * v[j];
            hv[i] = s;
        }
    }

    /// <summary>The coefficient of each f_k (as written) in L = Σ w_k s_k f_k + Σ λ_r s_j f_j.</summary>
    private double[] Coefficients(ReadOnlySpan<double> multipliers)
    {
        var c = new double[_weights.Length];
        for (int k = 0; k < c.Length; k++) c[k] = _weights[k] * _p.Sign(k);
        for (int r = 0; r < multipliers.Length; r++) c[_rows[r]] += multipliers[r] * _p.Sign(_rows[r]);
        return c;
    }

    private double Combine(ReadOnlySpan<double> x, double[] c, Span<double> gradient)
    {
        int n = Dimension;
        gradient.Clear();
        var g = new double[n];
        double value = 0;
        for (int k = 0; k < c.Length; k++)
        {
            if (c[k] == 0) continue;
            value += c[k] * _p.Value(k, x);
            _p.Gradient(k, x, g);
            for (int i = 0; i < n; i++) gradient[i] += c[k] * g[i];
        }
        return value;
    }

    private void CombineHessian(ReadOnlySpan<double> x, double[] c, Span<double> hessian)
    {
        int n = Dimension;
        hessian.Clear();
        var h = new double[n * n];
        for (int k = 0; k < c.Length; k++)
        {
            if (c[k] == 0) continue;
            _p.Hessian(k, x, h);
            for (int i = 0; i < h.Length; i++) hessian[i] += c[k] * h[i];
        }
    }
}

/// <summary>f_k = ‖x − a_k‖² for centres a_k in the plane (convex; the front of two is the segment between them).</summary>
public sealed class DistanceProblem : SmoothParetoProblem
{
    private readonly double[][] _centres;

    public DistanceProblem(double[][] centres, bool[]? maximize = null, double[]? start = null)
        : base(Names(centres.Length), maximize ?? new bool[centres.Length], start ?? new[] { 0.5, 1.0 }) => _centres = centres;

    /// <summary>f1 = x² + y², f2 = (x − 2)² + y²: the front is y = 0, x ∈ [0, 2], f2 = (2 − √f1)².</summary>
    public static DistanceProblem TwoCircles() => new(new[] { new[] { 0.0, 0.0 }, new[] { 2.0, 0.0 } });

    private static string[] Names(int k)
    {
        var names = new string[k];
        for (int i = 0; i < k; i++) names[i] = "f" + (i + 1);
        return names;
    }

    public override double Value(int k, ReadOnlySpan<double> x)
    {
        double dx = x[0] - _centres[k][0], dy = x[1] - _centres[k][1];
        return dx * dx + dy * dy;
    }

    public override void Gradient(int k, ReadOnlySpan<double> x, Span<double> gradient)
    {
        gradient[0] = 2 * (x[0] - _centres[k][0]);
        gradient[1] = 2 * (x[1] - _centres[k][1]);
    }

    public override void Hessian(int k, ReadOnlySpan<double> x, Span<double> hessian)
    {
        hessian[0] = 2;
        hessian[1] = 0;
        hessian[2] = 0;
        hessian[3] = 2;
    }
}

/// <summary>minimize cost = x² + y², maximize ret = 4 − (x − 2)² − (y − 1)². Front: t·(2, 1), cost = 5t², ret = 4 − 5(1 − t)².</summary>
public sealed class CostReturnProblem : SmoothParetoProblem
{
    public CostReturnProblem() : base(new[] { "cost", "ret" }, new[] { false, true }, new[] { 1.0, -1.0 }) { }

    public override double Value(int k, ReadOnlySpan<double> x) =>
        k == 0 ? x[0] * x[0] + x[1] * x[1] : 4 - (x[0] - 2) * (x[0] - 2) - (x[1] - 1) * (x[1] - 1);

    public override void Gradient(int k, ReadOnlySpan<double> x, Span<double> gradient)
    {
        if (k == 0)
        {
            gradient[0] = 2 * x[0];
            gradient[1] = 2 * x[1];
        }
        else
        {
            gradient[0] = -2 * (x[0] - 2);
            gradient[1] = -2 * (x[1] - 1);
        }
    }

    public override void Hessian(int k, ReadOnlySpan<double> x, Span<double> hessian)
    {
        double d = k == 0 ? 2 : -2;
        hessian[0] = d;
        hessian[1] = 0;
        hessian[2] = 0;
        hessian[3] = d;
    }
}

/// <summary>
/// f1 = x0 + x1², f2 = 1 − x0² + x1² on [0, 1] × [−1, 1]: the front x1 = 0, f2 = 1 − f1² is concave (bulges toward
/// the nadir), so every weighted sum is minimized at an anchor.
/// </summary>
public sealed class ConcaveFrontProblem : SmoothParetoProblem
{
    public ConcaveFrontProblem()
        : base(new[] { "f1", "f2" }, new[] { false, false }, new[] { 0.5, 0.5 }, new Bounds(new[] { 0.0, -1.0 }, new[] { 1.0, 1.0 })) { }

    public override double Value(int k, ReadOnlySpan<double> x) =>
        k == 0 ? x[0] + x[1] * x[1] : 1 - x[0] * x[0] + x[1] * x[1];

    public override void Gradient(int k, ReadOnlySpan<double> x, Span<double> gradient)
    {
        gradient[0] = k == 0 ? 1 : -2 * x[0];
        gradient[1] = 2 * x[1];
    }

    public override void Hessian(int k, ReadOnlySpan<double> x, Span<double> hessian)
    {
        hessian[0] = k == 0 ? 0 : -2;
        hessian[1] = 0;
        hessian[2] = 0;
        hessian[3] = 2;
    }
}
