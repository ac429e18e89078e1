using System;

namespace OptDsl.Runtime;

/// <summary>Elementary functions the generated code needs beyond <see cref="Math"/>, each accurate over its whole domain.</summary>
public static class OptMath
{
    /// <summary>log(1 + x), accurate for small x (Goldberg's correction).</summary>
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>1 / (1 + e^(−x)), without overflow for large |x|.</summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0) return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)), without overflow.</summary>
    public static double Softplus(double x) => Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>max(x, 0); NaN stays NaN.</summary>
    public static double Relu(double x) => x > 0 ? x : double.IsNaN(x) ? x : 0.0;

    /// <summary>sign(x) with sign(0) = 0 (the subgradient-0 convention); NaN stays NaN.</summary>
    public static double Sign(double x) => x > 0 ? 1.0 : x < 0 ? -1.0 : x;

    /// <summary>1 for x &gt; 0, else 0 (relu's derivative with relu'(0) = 0).</summary>
    public static double Step(double x) => x > 0 ? 1.0 : 0.0;
}
