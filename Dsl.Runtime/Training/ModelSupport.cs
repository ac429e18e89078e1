using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OptDsl.Runtime.Training;

/// <summary>
/// Helpers called by generated <c>model</c> classes: rows of the data matrices as spans (a batch is never copied),
/// argument checks that name the row and column of bad data, matrix views of weights, and the random starts.
/// </summary>
public static class ModelSupport
{
    /// <summary>Row <paramref name="row"/> of a row-major matrix, without copying.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<double> Row(double[,] matrix, int row) => MemoryMarshal.CreateReadOnlySpan(ref matrix[row, 0], matrix.GetLength(1));

    /// <summary>
    /// Checks a matrix of samples (rows) against the model: not null, <paramref name="width"/> columns, at least one row,
    /// every value finite. Returns the row count. The exception names the argument, the row and the column.
    /// </summary>
    public static int RequireSamples(double[,]? matrix, int width, string parameter, string what)
    {
        ArgumentNullException.ThrowIfNull(matrix, parameter);
        if (matrix.GetLength(1) != width)
            throw new ArgumentException($"{parameter} has {matrix.GetLength(1)} columns, but {what} has {width} (one row per sample).", parameter);
        int rows = matrix.GetLength(0);
        if (rows == 0) throw new ArgumentException($"{parameter} has no rows (samples).", parameter);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < width; j++)
            {
                if (!double.IsFinite(matrix[i, j]))
                    throw new ArgumentException($"{parameter}[{i}, {j}] is {matrix[i, j].ToString(CultureInfo.InvariantCulture)} (row {i}, column {j}); {what} must be finite.", parameter);
            }
        }
        return rows;
    }

    /// <summary><see cref="RequireSamples(double[,], int, string, string)"/> for a scalar per sample.</summary>
    public static int RequireSamples(double[]? values, string parameter, string what)
    {
        ArgumentNullException.ThrowIfNull(values, parameter);
        if (values.Length == 0) throw new ArgumentException($"{parameter} has no samples.", parameter);
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{parameter}[{i}] is {values[i].ToString(CultureInfo.InvariantCulture)} (row {i}); {what} must be finite.", parameter);
        }
        return values.Length;
    }

    /// <summary>Throws when inputs and targets have different numbers of rows.</summary>
    public static void RequireSameRows(int inputs, int targets, string inputsParameter, string targetsParameter)
    {
        if (inputs != targets)
            throw new ArgumentException($"{inputsParameter} has {inputs} rows but {targetsParameter} has {targets}; each sample is one row of both.", targetsParameter);
    }

    /// <summary>Throws when a vector's length is not the model's.</summary>
    public static void RequireLength(int length, int expected, string parameter, string what)
    {
        if (length != expected) throw new ArgumentException($"{parameter} has length {length}, but {what} has {expected}.", parameter);
    }

    /// <summary>A copy of <paramref name="values"/> as a rows × columns matrix (row-major).</summary>
    public static double[,] ToMatrix(ReadOnlySpan<double> values, int rows, int columns)
    {
        var m = new double[rows, columns];
        if (values.Length > 0) values.CopyTo(MemoryMarshal.CreateSpan(ref m[0, 0], rows * columns));
        return m;
    }

    /// <summary>Copies a matrix of weights into <paramref name="destination"/> (row-major), checking its shape and values.</summary>
    public static void FromMatrix(double[,]? value, Span<double> destination, int rows, int columns, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.GetLength(0) != rows || value.GetLength(1) != columns)
            throw new ArgumentException($"{what} is {rows} × {columns}; the value given is {value.GetLength(0)} × {value.GetLength(1)}.", nameof(value));
        var flat = value.Length == 0 ? ReadOnlySpan<double>.Empty : MemoryMarshal.CreateReadOnlySpan(ref value[0, 0], value.Length);
        FromVector(flat, destination, what);
    }

    /// <summary>Copies weights into <paramref name="destination"/>, checking their length and that each is finite.</summary>
    public static void FromVector(ReadOnlySpan<double> value, Span<double> destination, string what)
    {
        if (value.Length != destination.Length)
            throw new ArgumentException($"{what} has {destination.Length} elements; the value given has {value.Length}.", nameof(value));
        for (int k = 0; k < value.Length; k++)
        {
            if (!double.IsFinite(value[k]))
                throw new ArgumentException($"{what}: element {k} of the value given is {value[k].ToString(CultureInfo.InvariantCulture)}; weights must be finite.", nameof(value));
        }
        value.CopyTo(destination);
    }

    /// <summary>Uniform draws in [low, high): low + (high − low)·U, U from <see cref="Random.NextDouble"/>.</summary>
    public static void Uniform(Span<double> destination, Random random, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int k = 0; k < destination.Length; k++) destination[k] = low + (high - low) * random.NextDouble();
    }

    /// <summary>
    /// Normal draws by the Box–Muller transform: mean + std·√(−2 ln U₁)·cos(2πU₂), with U₁ = 1 − NextDouble() in (0, 1]
    /// (two uniforms per value; deterministic for a seeded <paramref name="random"/>).
    /// </summary>
    public static void Normal(Span<double> destination, Random random, double mean, double std)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int k = 0; k < destination.Length; k++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            destination[k] = mean + std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }

    /// <summary>
    /// Glorot and Bengio's uniform start of a weight matrix W[fan_out, fan_in] (Keras' default, <c>glorot_uniform</c>):
    /// uniform in ±√(6 / (fan_in + fan_out)).
    /// </summary>
    public static void Glorot(Span<double> destination, Random random, int fanOut, int fanIn)
    {
        double limit = Math.Sqrt(6.0 / Math.Max(1, fanIn + fanOut));
        Uniform(destination, random, -limit, limit);
    }
}
