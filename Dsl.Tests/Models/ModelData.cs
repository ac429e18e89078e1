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

    /// <summary>Breast cancer (569 × 30, binary): 80% training, 20% test (seed 42), standardized.</summary>
    public static (LabeledData Training, LabeledData Test) Cancer => s_cancer.Value;

    /// <summary>Digits (1797 × 64, 10 classes): 75% training, 25% test (seed 42), standardized.</summary>
    public static (LabeledData Training, LabeledData Test) Digits => s_digits.Value;
}
