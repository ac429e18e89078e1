using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using OptDsl.Runtime.Training;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>The data helpers of training: scikit-learn's CSV files read with their published shapes and class counts,
/// located errors for bad data, the seeded split, standardization with the training part's statistics.</summary>
public sealed class LabeledDataTests
{
    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "sklearn", name);

    [Fact]
    public void Scikit_learns_data_sets_read_with_their_published_shapes_and_classes()
    {
        // load_breast_cancer: 569 samples, 30 features, 212 malignant (0) and 357 benign (1).
        var cancer = LabeledData.ReadCsv(DataFile("breast_cancer.csv"), skipRows: 1, classCount: 2);
        Assert.Equal((569, 30), (cancer.Count, cancer.FeatureCount));
        Assert.Equal(212, cancer.Labels.Count(l => l == 0));
        Assert.Equal(17.99, cancer.Features[0, 0]);

        // load_iris: 150 samples, 4 features, 50 per class.
        var iris = LabeledData.ReadCsv(DataFile("iris.csv"), skipRows: 1, classCount: 3);
        Assert.Equal((150, 4), (iris.Count, iris.FeatureCount));
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(50, iris.Labels.Count(l => l == c)));

        // load_digits: 1797 samples of 64 pixels (0 … 16), 10 classes.
        using var digitsFile = new GZipStream(File.OpenRead(DataFile("digits.csv.gz")), CompressionMode.Decompress);
        var digits = LabeledData.ReadCsv(new StreamReader(digitsFile), "digits.csv.gz", classCount: 10);
        Assert.Equal((1797, 64), (digits.Count, digits.FeatureCount));
        Assert.Equal(10, digits.Labels.Distinct().Count());
        Assert.True(digits.Features.Cast<double>().All(v => v >= 0 && v <= 16));
    }

    [Theory]
    [InlineData("1,2,0\n3,NaN,1\n", "line 2, column 2: 'NaN' is not a finite number")]
    [InlineData("1,2,0\n3,x,1\n", "line 2, column 2: 'x'")]
    [InlineData("1,2,0\n3,4\n", "line 2: 2 columns where the first row has 3")]
    [InlineData("1,2,0\n3,4,2\n", "line 2, column 3: the label 2 is not one of the classes 0 … 1")]
    [InlineData("1,2,0.5\n", "line 1, column 3: the label 0.5")]
    [InlineData("", "no rows of data")]
    public void Bad_data_names_its_line_and_column(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => LabeledData.ReadCsv(new StringReader(text), "bad.csv", classCount: 2));
        Assert.Contains("bad.csv", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_split_is_seeded_disjoint_and_complete()
    {
        var iris = LabeledData.ReadCsv(DataFile("iris.csv"), skipRows: 1, classCount: 3);
        var (training, validation) = iris.Split(0.2, seed: 3);
        Assert.Equal((120, 30), (training.Count, validation.Count));
        var again = iris.Split(0.2, seed: 3);
        Assert.Equal(validation.Features.Cast<double>(), again.Validation.Features.Cast<double>());
        Assert.NotEqual(validation.Features.Cast<double>(), iris.Split(0.2, seed: 4).Validation.Features.Cast<double>());
        // Every sample in exactly one part: compare the multisets of rows.
        string Row(LabeledData d, int r) => string.Join(",", Enumerable.Range(0, d.FeatureCount).Select(j => d.Features[r, j].ToString("R"))) + ";" + d.Labels[r];
        var all = Enumerable.Range(0, iris.Count).Select(r => Row(iris, r)).OrderBy(s => s, StringComparer.Ordinal);
        var parts = Enumerable.Range(0, training.Count).Select(r => Row(training, r)).Concat(Enumerable.Range(0, validation.Count).Select(r => Row(validation, r))).OrderBy(s => s, StringComparer.Ordinal);
        Assert.Equal(all, parts);
        Assert.Throws<ArgumentOutOfRangeException>(() => iris.Split(1.0, 1));
    }

    [Fact]
    public void Standardization_uses_the_training_parts_statistics_only()
    {
        var training = new double[,] { { 1, 5, 7 }, { 3, 5, 8 }, { 5, 5, 9 } };
        var other = new double[,] { { 7, 6, 7 } };
        var s = Standardizer.Fit(training);
        Assert.Equal(new[] { 3.0, 5, 8 }, s.Means);
        Assert.Equal(Math.Sqrt(8.0 / 3), s.Scales[0], 15);
        Assert.Equal(1.0, s.Scales[1]); // a constant feature is divided by 1
        var t = s.Transform(training);
        for (int j = 0; j < 3; j++)
        {
            var column = Enumerable.Range(0, 3).Select(i => t[i, j]).ToArray();
            Assert.Equal(0, column.Average(), 14);
            if (j != 1) Assert.Equal(1, Math.Sqrt(column.Select(v => v * v).Average()), 14);
        }
        var o = s.Transform(other);
        Assert.Equal((7 - 3) / Math.Sqrt(8.0 / 3), o[0, 0], 15);
        Assert.Equal(1.0, o[0, 1]);
        Assert.Throws<ArgumentException>(() => s.Transform(new double[1, 2]));
    }
}
