using System;
using System.IO;
using System.IO.Compression;
using OptDsl.Runtime.Training;

namespace OptDsl.Tests.Models;

/// <summary>scikit-learn's data sets as the model tests use them: fixed seeded splits, standardized with the training part's statistics.</summary>
internal static class ModelData
{
    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "sklearn", name);

    private static readonly Lazy<(LabeledData Training, LabeledData Test)> s_cancer = new(() =>
    {
        var all = LabeledData.ReadCsv(File("breast_cancer.csv"), skipRows: 1, classCount: 2);
        var (training, test) = all.Split(0.2, seed: 42);
        var scaler = Standardizer.Fit(training.Features);
        return (scaler.Transform(training), scaler.Transform(test));
    });

    private static readonly Lazy<(LabeledData Training, LabeledData Test)> s_digits = new(() =>
    {
        using var gz = new GZipStream(System.IO.File.OpenRead(File("digits.csv.gz")), CompressionMode.Decompress);
        var all = LabeledData.ReadCsv(new StreamReader(gz), "digits.csv.gz", classCount: 10);
        var (training, test) = all.Split(0.25, seed: 42);
        var scaler = Standardizer.Fit(training.Features);
        return (scaler.Transform(training), scaler.Transform(test));
    });

    /// <summary>
    /// Fits a generated model on breast cancer's training part for 2 and for 12 epochs (after a warm-up fit each: JIT and
    /// tiering) and asserts that the twelve allocate more than the two only by the report's list, which is sized for every
    /// epoch up front (an EpochInfo is 48 bytes). The least of three fits is taken, as in the runtime's allocation tests.
    /// </summary>
    public static void AssertNoAllocationPerEpoch(dynamic model)
    {
        var data = Cancer.Training;
        long Allocated(int epochs)
        {
            model.TrainingOptions = ((TrainingOptions)model.TrainingOptions) with { Epochs = epochs };
            model.Fit(data.Features, data.Labels);
            long least = long.MaxValue;
            for (int k = 0; k < 3; k++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                model.Fit(data.Features, data.Labels);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return least;
        }
        long two = Allocated(2), twelve = Allocated(12);
        int entry = System.Runtime.CompilerServices.Unsafe.SizeOf<EpochInfo>();
        Xunit.Assert.True(twelve - two <= 10 * entry + 64, $"2 epochs: {two} B, 12 epochs: {twelve} B ({entry} B per EpochInfo)");
    }

    /// <summary>Breast cancer (569 × 30, binary): 80% training, 20% test (seed 42), standardized.</summary>
    public static (LabeledData Training, LabeledData Test) Cancer => s_cancer.Value;

    /// <summary>Digits (1797 × 64, 10 classes): 75% training, 25% test (seed 42), standardized.</summary>
    public static (LabeledData Training, LabeledData Test) Digits => s_digits.Value;
}
