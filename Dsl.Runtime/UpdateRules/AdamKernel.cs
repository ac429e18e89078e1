using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>The state and step shared by <see cref="AdamRule"/> and <see cref="AdamWRule"/> (torch's single-tensor implementation).</summary>
internal sealed class AdamKernel
{
    private readonly double[] _g, _work;
    private readonly double _beta1, _beta2, _eps, _weightDecay;
    private readonly bool _amsgrad, _decoupled;

    /// <summary>Checks the coefficients (messages name <paramref name="rule"/> and the parameter) and allocates the buffers.</summary>
    public AdamKernel(string rule, int dimension, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupled)
    {
        Arguments.InUnitInterval(beta1, nameof(beta1), rule);
        Arguments.InUnitInterval(beta2, nameof(beta2), rule);
        Arguments.NonNegative(eps, nameof(eps), rule);
        Arguments.NonNegative(weightDecay, nameof(weightDecay), rule);
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

    public void Step(Span<double> x, ReadOnlySpan<double> gradient, double lr, int t)
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

    public void Reset()
    {
        Array.Clear(M);
        Array.Clear(V);
        Array.Clear(VMax);
    }
}
