using System;
using System.Numerics.Tensors;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// The first-order update rules as they were before each became one fused pass (commit 0e646d3): a sequence of
/// <see cref="TensorPrimitives"/> calls over scratch vectors, each rounding per operation, followed by the projection
/// the solvers applied after the step (<c>Box.Project</c>: <see cref="Math.Clamp(double, double, double)"/> per entry).
/// Kept verbatim (only the argument checks and the public surface are left out) as the reference the fused rules must
/// match bit for bit (<c>FusedUpdateRuleTests</c>), and as the "old" side of <c>UpdateRuleBenchmarks</c>, which links
/// this file.
/// </summary>
public abstract class ReferenceUpdateRule
{
    protected ReferenceUpdateRule(int dimension) => Dimension = dimension;

    public int Dimension { get; }

    public int StepCount { get; private set; }

    /// <summary>The step as the solvers took it: the rule's step, then (with a box) x ← P(x).</summary>
    public void Step(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, double[]? lower = null, double[]? upper = null)
    {
        StepCount++;
        Apply(x, gradient, learningRate, StepCount);
        if (lower is not null && upper is not null)
            for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i], lower[i], upper[i]);
    }

    protected abstract void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t);

    /// <summary>The state vectors, in the order the tests compare them with the fused rule's.</summary>
    public abstract double[][] State { get; }
}

/// <summary><c>GradientDescentRule</c>: <c>Vec.Axpy(-learningRate, gradient, x)</c>.</summary>
public sealed class ReferenceGradientDescentRule(int dimension) : ReferenceUpdateRule(dimension)
{
    protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t) =>
        TensorPrimitives.MultiplyAdd(gradient, -learningRate, x, x);

    public override double[][] State => [];
}

public sealed class ReferenceMomentumRule : ReferenceUpdateRule
{
    private readonly double[] _buffer;
    private readonly double[] _direction;

    public ReferenceMomentumRule(int dimension, double momentum = 0.9, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(dimension)
    {
        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
        _buffer = new double[dimension];
        _direction = new double[dimension];
    }

    public double Momentum { get; }
    public double Dampening { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }

    public override double[][] State => [_buffer];

    protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t)
    {
        Span<double> d = _direction;
        if (WeightDecay != 0) TensorPrimitives.MultiplyAdd(x, WeightDecay, gradient, d);
        else gradient.CopyTo(d);
        if (Momentum != 0)
        {
            if (t == 1) d.CopyTo(_buffer);
            else
            {
                TensorPrimitives.Multiply(_buffer, Momentum, _buffer);
                TensorPrimitives.MultiplyAdd(d, 1 - Dampening, _buffer, _buffer);
            }
            if (Nesterov) TensorPrimitives.MultiplyAdd(_buffer, Momentum, d, d);
            else _buffer.CopyTo(d);
        }
        TensorPrimitives.MultiplyAdd(d, -learningRate, x, x);
    }
}

public sealed class ReferenceAdagradRule : ReferenceUpdateRule
{
    private readonly double[] _sum, _g, _denominator;

    public ReferenceAdagradRule(int dimension, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(dimension)
    {
        (LrDecay, WeightDecay, Eps) = (lrDecay, weightDecay, eps);
        _sum = new double[dimension];
        Array.Fill(_sum, initialAccumulatorValue);
        _g = new double[dimension];
        _denominator = new double[dimension];
    }

    public double LrDecay { get; }
    public double WeightDecay { get; }
    public double Eps { get; }

    public override double[][] State => [_sum];

    protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t)
    {
        if (WeightDecay != 0) TensorPrimitives.MultiplyAdd(x, WeightDecay, gradient, _g);
        else gradient.CopyTo(_g);
        double clr = learningRate / (1 + (t - 1) * LrDecay);
        TensorPrimitives.MultiplyAdd(_g, _g, _sum, _sum);
        TensorPrimitives.Sqrt(_sum, _denominator);
        TensorPrimitives.Add(_denominator, Eps, _denominator);
        TensorPrimitives.Divide(_g, _denominator, _denominator);
        TensorPrimitives.MultiplyAdd(_denominator, -clr, x, x);
    }
}

public sealed class ReferenceRmspropRule : ReferenceUpdateRule
{
    private readonly double[] _squareAverage, _gradientAverage, _buffer, _g, _work;

    public ReferenceRmspropRule(int dimension, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(dimension)
    {
        (Alpha, Eps, WeightDecay, Momentum, Centered) = (alpha, eps, weightDecay, momentum, centered);
        _squareAverage = new double[dimension];
        _gradientAverage = new double[dimension];
        _buffer = new double[dimension];
        _g = new double[dimension];
        _work = new double[dimension];
    }

    public double Alpha { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public double Momentum { get; }
    public bool Centered { get; }

    public override double[][] State => [_squareAverage, _gradientAverage, _buffer];

    protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t)
    {
        if (WeightDecay != 0) TensorPrimitives.MultiplyAdd(x, WeightDecay, gradient, _g);
        else gradient.CopyTo(_g);
        // v ← αv + (1 − α)g²
        TensorPrimitives.Multiply(_squareAverage, Alpha, _squareAverage);
        TensorPrimitives.Multiply(_g, _g, _work);
        TensorPrimitives.MultiplyAdd(_work, 1 - Alpha, _squareAverage, _squareAverage);
        if (Centered)
        {
            TensorPrimitives.Multiply(_gradientAverage, Alpha, _gradientAverage);
            TensorPrimitives.MultiplyAdd(_g, 1 - Alpha, _gradientAverage, _gradientAverage);
            TensorPrimitives.Multiply(_gradientAverage, _gradientAverage, _work);
            TensorPrimitives.Subtract(_squareAverage, _work, _work);
            TensorPrimitives.Sqrt(_work, _work);
        }
        else
        {
            TensorPrimitives.Sqrt(_squareAverage, _work);
        }
        TensorPrimitives.Add(_work, Eps, _work);
        TensorPrimitives.Divide(_g, _work, _work); // g / (√ṽ + ε)
        if (Momentum > 0)
        {
            TensorPrimitives.Multiply(_buffer, Momentum, _buffer);
            TensorPrimitives.Add(_buffer, _work, _buffer);
            TensorPrimitives.MultiplyAdd(_buffer, -learningRate, x, x);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(_work, -learningRate, x, x);
        }
    }
}

/// <summary><c>AdamRule</c> (decoupled: false) and <c>AdamWRule</c> (decoupled: true) through the old <c>AdamKernel</c>.</summary>
public sealed class ReferenceAdamRule : ReferenceUpdateRule
{
    private readonly double[] _g, _work;
    private readonly double _beta1, _beta2, _eps, _weightDecay;
    private readonly bool _amsgrad, _decoupled;

    public ReferenceAdamRule(int dimension, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupled)
        : base(dimension)
    {
        (_beta1, _beta2, _eps, _weightDecay, _amsgrad, _decoupled) = (beta1, beta2, eps, weightDecay, amsgrad, decoupled);
        M = new double[dimension];
        V = new double[dimension];
        VMax = new double[dimension];
        _g = new double[dimension];
        _work = new double[dimension];
    }

    public double[] M { get; }
    public double[] V { get; }
    public double[] VMax { get; }

    public override double[][] State => [M, V, VMax];

    protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double lr, int t)
    {
        if (_decoupled)
        {
            if (_weightDecay != 0) TensorPrimitives.Multiply(x, 1 - lr * _weightDecay, x);
            gradient.CopyTo(_g);
        }
        else if (_weightDecay != 0) TensorPrimitives.MultiplyAdd(x, _weightDecay, gradient, _g);
        else gradient.CopyTo(_g);

        TensorPrimitives.Multiply(M, _beta1, M);
        TensorPrimitives.MultiplyAdd(_g, 1 - _beta1, M, M);
        TensorPrimitives.Multiply(V, _beta2, V);
        TensorPrimitives.Multiply(_g, _g, _work);
        TensorPrimitives.MultiplyAdd(_work, 1 - _beta2, V, V);

        double biasCorrection1 = 1 - Math.Pow(_beta1, t);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(_beta2, t));
        double stepSize = lr / biasCorrection1;
        if (_amsgrad)
        {
            TensorPrimitives.Max(VMax, V, VMax);
            TensorPrimitives.Sqrt(VMax, _work);
        }
        else
        {
            TensorPrimitives.Sqrt(V, _work);
        }
        TensorPrimitives.Divide(_work, biasCorrection2Sqrt, _work);
        TensorPrimitives.Add(_work, _eps, _work);
        TensorPrimitives.Divide(M, _work, _work);
        TensorPrimitives.MultiplyAdd(_work, -stepSize, x, x);
    }
}
