using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks;

/// <summary>
/// The L-BFGS solver's own work per iteration at N = 10⁶ (memory 10), beyond the objective and gradient: the whole
/// <see cref="LbfgsSolver"/> loop (direction, line search bookkeeping, pair update, norms and tests) on the separable
/// quadratic ½Σcᵢxᵢ² with cᵢ in [1, 10⁴], for exactly <see cref="Iterations"/> iterations. <see cref="Evaluations"/>
/// makes the same number of gradient and objective calls as that solve, so (Solve − Evaluations) / Iterations is the
/// solver's work per iteration; <see cref="LeanTwoLoop"/> is the vector work an iteration needs at least (the pair
/// s = x₊ − x, y = g₊ − g, sᵀy and yᵀy, the two-loop recursion with TensorPrimitives, the trial point x + αd).
/// Target (issue 10): solver work per iteration ≤ 1.2 × LeanTwoLoop.
/// </summary>
public class LbfgsSolverWorkBenchmarks
{
    public const int Memory = 10;
    public const int Iterations = 40;

    private Quadratic _problem = null!;
    private double[] _start = [];
    private SolveOptions _options = null!;
    private int _gradientCalls, _objectiveCalls;

    // LeanTwoLoop's own state.
    private double[][] _s = [], _y = [];
    private readonly double[] _sy = new double[Memory], _alpha = new double[Memory];
    private double[] _x = [], _xNew = [], _g = [], _gNew = [], _d = [];
    private int _newest = -1, _count;

    [Params(1_000_000)]
    public int N { get; set; }

    /// <summary>½Σcᵢxᵢ², counting its calls.</summary>
    private sealed class Quadratic(double[] c) : IGradientProblem
    {
        public int GradientCalls, ObjectiveCalls;

        public int Dimension => c.Length;

        public double Objective(ReadOnlySpan<double> x)
        {
            ObjectiveCalls++;
            double f = 0;
            for (int i = 0; i < x.Length; i++) f += c[i] * x[i] * x[i];
            return 0.5 * f;
        }

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            GradientCalls++;
            double f = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double gi = c[i] * x[i];
                gradient[i] = gi;
                f += gi * x[i];
            }
            return 0.5 * f;
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        var c = new double[N];
        for (int i = 0; i < N; i++) c[i] = Math.Pow(10, 4 * random.NextDouble());
        _problem = new Quadratic(c);
        _start = new double[N];
        for (int i = 0; i < N; i++) _start[i] = 2 * random.NextDouble() - 1;
        _options = new SolveOptions { GradientTolerance = 0, AcceptableTolerance = 0, StepTolerance = 0, MaxIterations = Iterations, RecordHistory = false };
        var r = Solve();
        if (r.Status != SolveStatus.MaxIterations || r.Iterations != Iterations)
            throw new InvalidOperationException($"The solve must run {Iterations} iterations: {r}");
        (_gradientCalls, _objectiveCalls) = (_problem.GradientCalls, _problem.ObjectiveCalls);

        _s = new double[Memory][];
        _y = new double[Memory][];
        for (int k = 0; k < Memory; k++) { _s[k] = new double[N]; _y[k] = new double[N]; }
        _x = (double[])_start.Clone();
        _xNew = new double[N]; _g = new double[N]; _gNew = new double[N]; _d = new double[N];
        _problem.Gradient(_x, _g);
        for (int k = 0; k < Memory + 2; k++) LeanTwoLoop();
    }

    /// <summary>The whole solve: Iterations iterations of lbfgs (memory 10, no bounds).</summary>
    [Benchmark]
    public SolveResult Solve()
    {
        _problem.GradientCalls = _problem.ObjectiveCalls = 0;
        return new LbfgsSolver { Memory = Memory }.Minimize(_problem, _start, _options);
    }

    /// <summary>The gradient and objective calls the solve makes, at the start point.</summary>
    [Benchmark]
    public double Evaluations()
    {
        double f = 0;
        for (int k = 0; k < _gradientCalls; k++) f += _problem.Gradient(_start, _gNew);
        for (int k = 0; k < _objectiveCalls; k++) f += _problem.Objective(_start);
        return f;
    }

    /// <summary>One iteration's least vector work, TensorPrimitives only: trial point, pair, curvature, two-loop direction.</summary>
    [Benchmark(Baseline = true)]
    public double LeanTwoLoop()
    {
        // Trial point along d (the gradient there is the evaluations' cost, not counted here: reuse g as g₊).
        TensorPrimitives.MultiplyAdd(_d, 1e-3, _x, _xNew);
        int slot = (_newest + 1) % Memory;
        TensorPrimitives.Subtract(_xNew, _x, _s[slot]);
        TensorPrimitives.Subtract(_g, _gNew, _y[slot]);
        _y[slot][0] += 1; // keep sᵀy > 0 whatever the data
        _sy[slot] = Math.Max(TensorPrimitives.Dot(_s[slot], _y[slot]), 1e-300);
        double yy = TensorPrimitives.Dot(_y[slot], _y[slot]);
        _newest = slot;
        _count = Math.Min(_count + 1, Memory);
        _g.CopyTo(_d, 0);
        for (int i = 0; i < _count; i++)
        {
            int j = (_newest - i + Memory) % Memory;
            double a = TensorPrimitives.Dot(_s[j], _d) / _sy[j];
            _alpha[j] = a;
            TensorPrimitives.MultiplyAdd(_y[j], -a, _d, _d);
        }
        TensorPrimitives.Multiply(_d, _sy[_newest] / yy, _d);
        for (int i = _count - 1; i >= 0; i--)
        {
            int j = (_newest - i + Memory) % Memory;
            double b = TensorPrimitives.Dot(_y[j], _d) / _sy[j];
            TensorPrimitives.MultiplyAdd(_s[j], _alpha[j] - b, _d, _d);
        }
        TensorPrimitives.Negate(_d, _d);
        return _d[0];
    }
}
