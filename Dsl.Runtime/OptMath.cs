using System;
using System.Runtime.CompilerServices;

namespace OptDsl.Runtime;

/// <summary>
/// Elementary functions the generated code needs beyond <see cref="Math"/>, each accurate over its whole domain. They are
/// inlined into the generated loops (a call in a loop makes the JIT spill the loop's registers around it).
/// </summary>
public static class OptMath
{
    /// <summary>log(1 + x), accurate for small x (Goldberg's correction).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>1 / (1 + e^(−x)), without overflow for large |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double x)
    {
        // e^(−|x|) is e^(−x) for x ≥ 0 and e^x below: 1 / (1 + e^(−x)) and e^x / (1 + e^x), one exp and no branch
        // around it, and the same value as computing either form on its own side.
        double e = Math.Exp(-Math.Abs(x));
        return (x >= 0 ? 1.0 : e) / (1.0 + e);
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)), without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softplus(double x) => Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>σ(x) from <paramref name="expNegAbs"/> = e^(−|x|): the value of <see cref="Sigmoid"/>, for generated code that also needs <see cref="SoftplusOfExp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SigmoidOfExp(double x, double expNegAbs) => (x >= 0 ? 1.0 : expNegAbs) / (1.0 + expNegAbs);

    /// <summary>softplus(x) from <paramref name="expNegAbs"/> = e^(−|x|): the value of <see cref="Softplus"/>, for generated code that also needs <see cref="SigmoidOfExp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SoftplusOfExp(double x, double expNegAbs) => Math.Max(x, 0.0) + Log1p(expNegAbs);

    /// <summary>max(x, 0); NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Relu(double x) => x > 0 ? x : double.IsNaN(x) ? x : 0.0;

    /// <summary>sign(x) with sign(0) = 0 (the subgradient-0 convention); NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sign(double x) => x > 0 ? 1.0 : x < 0 ? -1.0 : x;

    /// <summary>1 for x &gt; 0, else 0 (relu's derivative with relu'(0) = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Step(double x) => x > 0 ? 1.0 : 0.0;

    /// <summary>The error function erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt (<c>erf</c>), within 5 units in the last place (see <see cref="Internal.ErfFormula"/>).</summary>
    public static double Erf(double x) => Internal.ErfFormula.Erf(x);
}
