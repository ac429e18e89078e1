using System;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using OptDsl.Runtime;
using OptDsl.Runtime.Internal;

namespace OptDsl.Benchmarks;

/// <summary>
/// A whole first-order iteration at n = 10⁷ (issue 10: "the iteration minus its gradient"), not only the rule's step:
/// <c>AdamSolver</c> or <c>GradientDescentSolver</c> on f = ½‖x − c‖², whose gradient is one pass. A solve allocates its
/// work vectors (80 MB each), so the iteration is the difference of two solves, 21 and 1 iterations, divided by 20;
/// then minus <see cref="Gradient"/> (the problem's own pass) it is the solver's work per iteration, to compare with
/// <see cref="Step"/> (the fused step alone) and with the triad of <see cref="UpdateRuleBenchmarks"/>.
/// </summary>
public class FirstOrderIterationBenchmarks
{
    public const int N = 10_000_000;

    private Shifted _problem = null!;
    private double[] _start = [], _x = [], _g = [];
    private UpdateRule _rule = null!;
    private Box _box = null!;

    [Params("adam", "gd")]
    public string Rule { get; set; } = "adam";

    /// <summary>f = ½‖x − c‖², ∇f = x − c: one pass reading x and c and writing ∇f.</summary>
    private sealed class Shifted(double[] c) : IGradientProblem
    {
        public int Dimension => c.Length;

        public double Objective(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 0; i < x.Length; i++) f += 0.5 * (x[i] - c[i]) * (x[i] - c[i]);
            return f;
        }

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            var sum = Vector<double>.Zero;
            int i = 0;
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var d = new Vector<double>(x[i..]) - new Vector<double>(c, i);
                d.CopyTo(gradient[i..]);
                sum += d * d;
            }
            double f = 0.5 * Vector.Sum(sum);
            for (; i < x.Length; i++)
            {
                double d = x[i] - c[i];
                gradient[i] = d;
                f += 0.5 * d * d;
            }
            return f;
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        var c = new double[N];
        _start = new double[N];
        for (int i = 0; i < N; i++) (c[i], _start[i]) = (random.NextDouble(), random.NextDouble() - 0.5);
        _problem = new Shifted(c);
        _x = (double[])_start.Clone();
        _g = new double[N];
        _rule = Rule == "adam" ? new AdamRule(N) : new GradientDescentRule(N);
        _box = Box.From(null, N);
        var result = Solve(21);
        if (result.Iterations != 21) throw new InvalidOperationException($"{Rule}: the solve stopped after {result.Iterations} iterations ({result.Status}); the benchmark needs 21.");
    }

    private SolveResult Solve(int iterations)
    {
        // Every test off: the solve runs exactly its iterations.
        var options = new SolveOptions { MaxIterations = iterations, GradientTolerance = 0, AcceptableTolerance = 0, StepTolerance = 0, FunctionTolerance = 0 };
        return Rule == "adam"
            ? new AdamSolver { LearningRate = 1e-4 }.Minimize(_problem, _start, options)
            : new GradientDescentSolver { LearningRate = 1e-4 }.Minimize(_problem, _start, options);
    }

    [Benchmark]
    public SolveResult Solve21() => Solve(21);

    [Benchmark]
    public SolveResult Solve1() => Solve(1);

    [Benchmark]
    public double Gradient() => _problem.Gradient(_x, _g);

    [Benchmark]
    public void Step() => _rule.StepInBox(_x, _g, 1e-12, _box);
}
