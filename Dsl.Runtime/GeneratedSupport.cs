using System;

namespace OptDsl.Runtime;

/// <summary>Small helpers called by generated problem classes (argument checks, data layout, dense Hessians).</summary>
public static class GeneratedSupport
{
    /// <summary>A row-major copy of a 2-D array, so generated loops index one flat array.</summary>
    public static double[] RowMajor(double[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var flat = new double[data.Length];
        int columns = data.GetLength(1), k = 0;
        for (int i = 0; i < data.GetLength(0); i++)
            for (int j = 0; j < columns; j++)
                flat[k++] = data[i, j];
        return flat;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the .opt declaration when data holds NaN or an infinity.</summary>
    public static void RequireFinite(double[] data, string parameter, string declaration)
    {
        for (int k = 0; k < data.Length; k++)
        {
            if (!double.IsFinite(data[k]))
                throw new ArgumentException($"{declaration} holds {data[k]} at flat index {k}; data must be finite.", parameter);
        }
    }

    /// <summary>A Hessian-vector product callback.</summary>
    public delegate void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv);

    /// <summary>
    /// Fills a dense row-major Hessian column by column from exact Hessian-vector products with unit vectors,
    /// then symmetrizes it (the two triangles agree up to rounding).
    /// </summary>
    public static void DenseHessian(ReadOnlySpan<double> x, Span<double> hessian, int n, HessianVectorProduct product)
    {
        var unit = new double[n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            unit[j] = 1;
            product(x, unit, column);
            unit[j] = 0;
            for (int i = 0; i < n; i++) hessian[i * n + j] = column[i];
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double mean = 0.5 * (hessian[i * n + j] + hessian[j * n + i]);
                hessian[i * n + j] = mean;
                hessian[j * n + i] = mean;
            }
        }
    }
}

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
