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
