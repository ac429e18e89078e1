using System;
using OptDsl.Runtime.Internal;
using static OptDsl.Runtime.UpdateKernels;

namespace OptDsl.Runtime;

/// <summary>The state and step shared by <see cref="AdamRule"/> and <see cref="AdamWRule"/> (torch's single-tensor implementation, one fused pass: <c>UpdateKernels.Adam</c>).</summary>
internal sealed class AdamKernel
{
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
    }

    public double[] M { get; }
    public double[] V { get; }
    public double[] VMax { get; }

    /// <summary>Step <paramref name="t"/> in one pass, then x ← clamp(x, lower, upper) unless the bounds are empty.</summary>
    public void Step(Span<double> x, ReadOnlySpan<double> gradient, double lr, int t, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        var c = new AdamConstants(_beta1, _beta2, _eps, _weightDecay, lr, t);
        var decay = _weightDecay == 0 ? DecayMode.None : _decoupled ? DecayMode.Decoupled : DecayMode.Coupled;
        switch (decay, _amsgrad, !lower.IsEmpty)
        {
            case (DecayMode.None, false, false): Adam<No, No, No, No>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.None, false, true): Adam<No, No, No, Yes>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.None, true, false): Adam<No, No, Yes, No>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.None, true, true): Adam<No, No, Yes, Yes>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Coupled, false, false): Adam<Yes, No, No, No>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Coupled, false, true): Adam<Yes, No, No, Yes>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Coupled, true, false): Adam<Yes, No, Yes, No>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Coupled, true, true): Adam<Yes, No, Yes, Yes>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Decoupled, false, false): Adam<No, Yes, No, No>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Decoupled, false, true): Adam<No, Yes, No, Yes>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Decoupled, true, false): Adam<No, Yes, Yes, No>(x, gradient, M, V, VMax, lower, upper, c); break;
            case (DecayMode.Decoupled, true, true): Adam<No, Yes, Yes, Yes>(x, gradient, M, V, VMax, lower, upper, c); break;
        }
    }

    private enum DecayMode
    {
        None,
        Coupled,
        Decoupled,
    }

    public void Reset()
    {
        Array.Clear(M);
        Array.Clear(V);
        Array.Clear(VMax);
    }
}
