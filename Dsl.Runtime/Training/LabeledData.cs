using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using CsvHelper;
using CsvHelper.Configuration;

namespace OptDsl.Runtime.Training;

/// <summary>A data set for training: one row of features per sample and its label.</summary>
public sealed class LabeledData
{
    /// <param name="features">One row per sample.</param>
    /// <param name="labels">One label per row of <paramref name="features"/>.</param>
    public LabeledData(double[,] features, double[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.GetLength(0) != labels.Length)
            throw new ArgumentException($"{features.GetLength(0)} rows of features but {labels.Length} labels.", nameof(labels));
        Features = features;
        Labels = labels;
    }

    /// <summary>Rows are samples, columns features.</summary>
    public double[,] Features { get; }

    public double[] Labels { get; }

    public int Count => Labels.Length;

    public int FeatureCount => Features.GetLength(1);

    /// <summary>
    /// The labels as one-hot rows (a model's <c>target y[k]</c> for <c>cce</c>/<c>cce_logits</c>): row i has a 1 in column
    /// Labels[i]. Throws, naming the row, for a label that is not a whole number in 0 … <paramref name="classCount"/> − 1.
    /// </summary>
    public double[,] OneHotLabels(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var oneHot = new double[Labels.Length, classCount];
        for (int i = 0; i < Labels.Length; i++)
        {
            double label = Labels[i];
            if (!(label >= 0 && label < classCount && label == Math.Floor(label)))
                throw new InvalidDataException($"Label {label.ToString(System.Globalization.CultureInfo.InvariantCulture)} of row {i} is not a class in 0 … {classCount - 1}.");
            oneHot[i, (int)label] = 1;
        }
        return oneHot;
    }

    /// <summary>The rows <paramref name="rows"/> of this set, copied, in that order.</summary>
    public LabeledData Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var features = new double[rows.Count, FeatureCount];
        var labels = new double[rows.Count];
        for (int k = 0; k < rows.Count; k++)
        {
            int r = rows[k];
            if ((uint)r >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside the {Count} rows of the set.");
            for (int j = 0; j < FeatureCount; j++) features[k, j] = Features[r, j];
            labels[k] = Labels[r];
        }
        return new LabeledData(features, labels);
    }

    /// <summary>
    /// A seeded split: the rows permuted by Fisher–Yates with <see cref="Random"/>(<paramref name="seed"/>) (from the last
    /// position down), the first ⌊fraction·n⌉ of the permutation the validation part, the rest the training part; each
    /// part keeps the permutation's order.
    /// </summary>
    public (LabeledData Training, LabeledData Validation) Split(double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be between 0 and 1.");
        var order = new int[Count];
        for (int i = 0; i < Count; i++) order[i] = i;
        Trainer.Shuffle(order, new Random(seed));
        int validation = (int)Math.Round(validationFraction * Count, MidpointRounding.AwayFromZero);
        if (validation < 1 || validation >= Count)
            throw new ArgumentException($"A validation fraction of {validationFraction} of {Count} rows leaves {validation} for validation and {Count - validation} for training; both need at least one.", nameof(validationFraction));
        return (Select(order[validation..]), Select(order[..validation]));
    }

    /// <summary>
    /// Reads a CSV file of numbers: every row is one sample, the label in <paramref name="labelColumn"/> (−1: the last
    /// column), every other column a feature. Throws <see cref="InvalidDataException"/> naming the line and column of a
    /// field that is not a finite number, of a row of another width, or of a label outside 0 … classCount − 1 (when
    /// <paramref name="classCount"/> is given, labels must also be whole numbers).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="skipRows">Lines to skip at the start (a header; scikit-learn's files have one line of counts).</param>
    /// <param name="labelColumn">The label's column, from 0; −1 for the last.</param>
    /// <param name="classCount">For class labels: how many classes; null for real-valued targets.</param>
    public static LabeledData ReadCsv(string path, int skipRows = 0, int labelColumn = -1, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path);
        return ReadCsv(reader, Path.GetFileName(path), skipRows, labelColumn, classCount);
    }

    /// <summary>As <see cref="ReadCsv(string, int, int, int?)"/>, from a reader; <paramref name="name"/> names it in errors.</summary>
    public static LabeledData ReadCsv(TextReader reader, string name, int skipRows = 0, int labelColumn = -1, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (skipRows < 0) throw new ArgumentOutOfRangeException(nameof(skipRows), skipRows, "skipRows must be ≥ 0.");
        if (classCount is < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "classCount must be at least 1.");
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false, TrimOptions = TrimOptions.Trim };
        using var parser = new CsvParser(reader, configuration);
        var rows = new List<double[]>();
        int width = -1, label = -1;
        while (parser.Read())
        {
            int line = parser.RawRow;
            if (line <= skipRows) continue;
            var fields = parser.Record ?? [];
            if (fields.Length == 1 && fields[0].Length == 0) continue; // a blank line
            if (width < 0)
            {
                width = fields.Length;
                if (width < 2) throw new InvalidDataException($"{name}, line {line}: {width} column; a sample needs at least one feature and a label.");
                label = labelColumn < 0 ? width - 1 : labelColumn;
                if (label >= width) throw new InvalidDataException($"{name}, line {line}: the label column {labelColumn} is outside the {width} columns.");
            }
            else if (fields.Length != width)
            {
                throw new InvalidDataException($"{name}, line {line}: {fields.Length} columns where the first row has {width}.");
            }
            var values = new double[width];
            for (int c = 0; c < width; c++)
            {
                if (!double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new InvalidDataException($"{name}, line {line}, column {c + 1}: '{fields[c]}' is not a finite number.");
                values[c] = v;
            }
            if (classCount is { } k && (values[label] != Math.Floor(values[label]) || values[label] < 0 || values[label] >= k))
                throw new InvalidDataException($"{name}, line {line}, column {label + 1}: the label {values[label]} is not one of the classes 0 … {k - 1}.");
            rows.Add(values);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{name}: no rows of data.");
        var features = new double[rows.Count, width - 1];
        var labels = new double[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0, j = 0; c < width; c++)
            {
                if (c == label) labels[r] = rows[r][c];
                else features[r, j++] = rows[r][c];
            }
        }
        return new LabeledData(features, labels);
    }
}

/// <summary>
/// Standardization, as scikit-learn's <c>StandardScaler</c>: per feature, subtract the mean and divide by the standard
/// deviation (population form, n in the denominator; a constant feature is divided by 1), with the statistics of the
/// data it was fitted on only (the training part: fitting on the validation part too would leak it into training).
/// </summary>
public sealed class Standardizer
{
    private Standardizer(double[] means, double[] scales)
    {
        Means = means;
        Scales = scales;
    }

    /// <summary>Each feature's mean over the fitted rows.</summary>
    public IReadOnlyList<double> Means { get; }

    /// <summary>Each feature's standard deviation over the fitted rows (1 where it is 0).</summary>
    public IReadOnlyList<double> Scales { get; }

    /// <summary>The statistics of <paramref name="features"/> (rows are samples).</summary>
    public static Standardizer Fit(double[,] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = features.GetLength(0), d = features.GetLength(1);
        if (n < 1) throw new ArgumentException("No rows to fit on.", nameof(features));
        var means = new double[d];
        var scales = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += features[i, j];
            double mean = sum / n, squares = 0;
            for (int i = 0; i < n; i++) squares += (features[i, j] - mean) * (features[i, j] - mean);
            double std = Math.Sqrt(squares / n);
            means[j] = mean;
            scales[j] = std > 0 ? std : 1.0;
        }
        return new Standardizer(means, scales);
    }

    /// <summary>A standardized copy of <paramref name="features"/> (same number of columns as fitted).</summary>
    public double[,] Transform(double[,] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = features.GetLength(0), d = features.GetLength(1);
        if (d != Means.Count) throw new ArgumentException($"{d} features; the standardizer was fitted on {Means.Count}.", nameof(features));
        var result = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                result[i, j] = (features[i, j] - Means[j]) / Scales[j];
        return result;
    }

    /// <summary>The same set with standardized features.</summary>
    public LabeledData Transform(LabeledData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new LabeledData(Transform(data.Features), (double[])data.Labels.Clone());
    }
}
