using System;
using System.Collections.Generic;
using OptDsl.Runtime;

namespace OptDsl.Tests.Runtime;

/// <summary>Every solver behind one signature, by its .opt name, for the tests that apply to all of them.</summary>
internal static class SolverHarness
{
    public static readonly string[] All = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "bfgs", "lbfgs", "newton", "newton_cg", "lm"];
    public static readonly string[] WithBounds = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "bfgs", "lbfgs", "lm"];

    public static SolveResult Run(string solver, SumOfSquaresProblem p, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null) => solver switch
    {
        "gd" => new GradientDescentSolver().Minimize(p, start, options, bounds),
        "momentum" => new MomentumSolver { LearningRate = 1e-4 }.Minimize(p, start, options, bounds),
        "nesterov" => new MomentumSolver { LearningRate = 1e-4, Nesterov = true }.Minimize(p, start, options, bounds),
        "adagrad" => new AdagradSolver { LearningRate = 0.5 }.Minimize(p, start, options, bounds),
        "rmsprop" => new RmspropSolver { LearningRate = 1e-3 }.Minimize(p, start, options, bounds),
        "adam" => new AdamSolver { LearningRate = 0.01 }.Minimize(p, start, options, bounds),
        "adamw" => new AdamWSolver { LearningRate = 0.01, WeightDecay = 0 }.Minimize(p, start, options, bounds),
        "bfgs" => new BfgsSolver().Minimize(p, start, options, bounds),
        "lbfgs" => new LbfgsSolver().Minimize(p, start, options, bounds),
        "newton" => new NewtonSolver().Minimize(p, start, options, bounds),
        "newton_cg" => new NewtonCgSolver().Minimize(p, start, options, bounds),
        "lm" => new LevenbergMarquardtSolver().Minimize(p, start, options, bounds),
        _ => throw new ArgumentException(solver, nameof(solver)),
    };
}

/// <summary>Wraps a problem, counts calls and records whether any evaluation point left a box.</summary>
internal sealed class WatchedProblem(SumOfSquaresProblem inner, double[]? lower = null, double[]? upper = null) : SumOfSquaresProblem
{
    public int Calls { get; private set; }
    public List<string> Violations { get; } = [];

    private void Watch(ReadOnlySpan<double> x)
    {
        Calls++;
        if (lower is null || upper is null) return;
        for (int i = 0; i < x.Length; i++)
            if (x[i] < lower[i] || x[i] > upper[i]) Violations.Add($"x[{i}] = {x[i]:R} outside [{lower[i]}, {upper[i]}]");
    }

    public override string Name => inner.Name;
    public override int Dimension => inner.Dimension;
    public override int ResidualCount => inner.ResidualCount;
    public override double[] Start => inner.Start;
    public override double[] KnownMinima => inner.KnownMinima;
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r) { Watch(x); inner.Residuals(x, r); }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j) { Watch(x); inner.Jacobian(x, j); }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) => inner.AddResidualCurvature(x, r, h);
}

/// <summary>A problem whose values are NaN (or +∞) everywhere, or beyond |x| &gt; limit.</summary>
internal sealed class PoisonedProblem(double poison, double limit = -1) : SumOfSquaresProblem
{
    public override string Name => "Poisoned";
    public override int Dimension => 2;
    public override int ResidualCount => 2;
    public override double[] Start => [1.0, 1.0];
    public override double[] KnownMinima => [0.0];
    private bool Bad(ReadOnlySpan<double> x) => limit < 0 || Math.Abs(x[0]) > limit || Math.Abs(x[1]) > limit;
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = Bad(x) ? poison : x[0] - 3;
        r[1] = Bad(x) ? poison : x[1] + 2;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        j[0] = Bad(x) ? poison : 1; j[1] = 0; j[2] = 0; j[3] = Bad(x) ? poison : 1;
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) { }
}

/// <summary>A synchronous IProgress (System.Progress posts to a context; tests need the report to happen inside the solve).</summary>
internal sealed class SyncProgress(Action<IterationInfo> action) : IProgress<IterationInfo>
{
    public void Report(IterationInfo value) => action(value);
}
