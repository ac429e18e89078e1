using System;
using System.Globalization;

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

    /// <summary>
    /// The range check of a generated SIMD loop, made once before the loop instead of once per element: true when
    /// 0 ≤ <paramref name="first"/> ≤ <paramref name="last"/> &lt; <paramref name="length"/>. Only then do the lanes run
    /// (reading and writing elements first … last without bounds checks); otherwise the loop's scalar form does the work,
    /// with its bounds checks.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool InRange(int length, int first, int last) => (uint)first <= (uint)last && (uint)last < (uint)length;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the .opt declaration when data holds NaN or an infinity.</summary>
    public static void RequireFinite(double[] data, string parameter, string declaration)
    {
        for (int k = 0; k < data.Length; k++)
        {
            if (!double.IsFinite(data[k]))
                throw new ArgumentException($"{declaration} holds {data[k]} at flat index {k}; data must be finite.", parameter);
        }
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> when an entry of <paramref name="start"/> is NaN or infinite, naming the
    /// entry, the variable element it sets and the variable's .opt declaration:
    /// <c>start[3] is NaN: x[1] of var x (model.opt:5); a start point must be finite.</c>
    /// </summary>
    /// <param name="start">A start point of the problem's length.</param>
    /// <param name="layout">Where each variable lives in <paramref name="start"/>.</param>
    /// <param name="declarations">Each variable's declaration (<c>var x (model.opt:5)</c>), in declaration order.</param>
    public static void RequireFiniteStart(ReadOnlySpan<double> start, VariableLayout layout, params string[] declarations)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(declarations);
        for (int k = 0; k < start.Length; k++)
        {
            if (double.IsFinite(start[k])) continue;
            string where = layout.Locate(k) is { } v
                ? (v.Element.Length == 0 ? "" : $"{v.Name}[{string.Join(", ", v.Element)}] of ") + (v.Position < declarations.Length ? declarations[v.Position] : "var " + v.Name)
                : "no variable";
            throw new ArgumentException(
                $"start[{k}] is {start[k].ToString(CultureInfo.InvariantCulture)}: {where}; a start point must be finite.", nameof(start));
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
