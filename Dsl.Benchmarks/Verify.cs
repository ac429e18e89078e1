using System;

namespace OptDsl.Benchmarks;

/// <summary>
/// Correctness checks run once in each benchmark's [GlobalSetup], before anything is timed:
/// a benchmark of a wrong derivative is worthless, so a mismatch throws and BenchmarkDotNet reports the case as failed.
/// </summary>
public static class Verify
{
    /// <summary>The agreement demanded between generated and hand-written derivatives.</summary>
    public const double Tolerance = 1e-12;

    /// <summary>Throws unless ‖actual − expected‖∞ ≤ tolerance · max(‖expected‖∞, tiny): a norm-wise relative error.</summary>
    public static void Close(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, string what, double tolerance = Tolerance)
    {
        if (actual.Length != expected.Length)
            throw new InvalidOperationException($"{what}: length {actual.Length}, expected {expected.Length}.");
        double scale = 0.0, error = 0.0;
        int worst = -1;
        for (int k = 0; k < expected.Length; k++)
        {
            scale = Math.Max(scale, Math.Abs(expected[k]));
            double difference = Math.Abs(actual[k] - expected[k]);
            if (!(difference <= error))
            {
                error = difference;
                worst = k;
            }
        }
        double relative = error / Math.Max(scale, double.Epsilon);
        if (!(relative <= tolerance))
            throw new InvalidOperationException(
                $"{what}: relative error {relative:E3} > {tolerance:E0} (worst at index {worst}: {actual[worst]:R} vs {expected[worst]:R}).");
    }

    /// <summary>Throws unless |actual − expected| ≤ tolerance · |expected|.</summary>
    public static void Close(double actual, double expected, string what, double tolerance = Tolerance)
    {
        double relative = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), double.Epsilon);
        if (!(relative <= tolerance))
            throw new InvalidOperationException($"{what}: {actual:R} vs {expected:R}, relative error {relative:E3} > {tolerance:E0}.");
    }
}
