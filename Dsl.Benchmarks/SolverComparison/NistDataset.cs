using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>
/// A NIST StRD nonlinear regression file (embedded from Data/nist/): the two starting points, the certified parameters
/// and residual sum of squares, and the observations. The same format as Dsl.Tests/Runtime/NistDataset.cs reads; only
/// what the benchmark needs.
/// </summary>
public sealed class NistDataset
{
    public required string Name { get; init; }
    public required double[] Start1 { get; init; }
    public required double[] Start2 { get; init; }
    public required double[] Certified { get; init; }
    public required double CertifiedResidualSumOfSquares { get; init; }
    public required double[] X { get; init; }
    public required double[] Y { get; init; }

    public double[] Start(int which) => (which == 1 ? Start1 : Start2).ToArray();

    private static readonly Regex LineRange = new(@"^\s*(?:File Format:)?\s*(Starting Values|Data)\s*\(lines\s+(\d+)\s+to\s+(\d+)\)");
    private static readonly Regex ParameterLine = new(@"^\s*b\d+\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+\S+\s*$");

    /// <summary>Reads the embedded file <c>nist/NAME.dat</c>.</summary>
    public static NistDataset Load(string name)
    {
        using var stream = typeof(NistDataset).Assembly.GetManifestResourceStream($"nist/{name}.dat")
            ?? throw new FileNotFoundException($"No embedded NIST file named {name}.dat (Dsl.Benchmarks/Data/nist/).");
        using var reader = new StreamReader(stream);
        return Parse(name, reader.ReadToEnd());
    }

    /// <summary>Parses the NIST format; the header's "(lines a to b)" ranges locate the starting values and the data.</summary>
    public static NistDataset Parse(string name, string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        (int From, int To)? starts = null, data = null;
        foreach (var line in lines.Take(20))
        {
            var match = LineRange.Match(line);
            if (!match.Success) continue;
            var range = (int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
            if (match.Groups[1].Value == "Starting Values") starts = range;
            else data = range;
        }
        if (starts is null || data is null) throw new FormatException($"{name}: not a NIST StRD nonlinear regression file (header incomplete).");

        var start1 = new List<double>();
        var start2 = new List<double>();
        var certified = new List<double>();
        for (int i = starts.Value.From - 1; i < starts.Value.To; i++)
        {
            var match = ParameterLine.Match(lines[i]);
            if (!match.Success) throw new FormatException($"{name}: line {i + 1} is not a parameter line: '{lines[i]}'.");
            start1.Add(Number(match.Groups[1].Value));
            start2.Add(Number(match.Groups[2].Value));
            certified.Add(Number(match.Groups[3].Value));
        }

        const string RssLabel = "Residual Sum of Squares:";
        string rssLine = lines.First(line => line.StartsWith(RssLabel, StringComparison.Ordinal));
        double rss = Number(rssLine[RssLabel.Length..].Trim());

        var x = new List<double>();
        var y = new List<double>();
        for (int i = data.Value.From - 1; i < data.Value.To && i < lines.Length; i++)
        {
            var parts = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) throw new FormatException($"{name}: line {i + 1} is not a data line: '{lines[i]}'.");
            y.Add(Number(parts[0]));
            x.Add(Number(parts[1]));
        }

        return new NistDataset
        {
            Name = name,
            Start1 = [.. start1],
            Start2 = [.. start2],
            Certified = [.. certified],
            CertifiedResidualSumOfSquares = rss,
            X = [.. x],
            Y = [.. y],
        };
    }

    /// <summary>Log relative error −log₁₀(|value − certified| / |certified|), capped at 11 (NIST certifies 11 digits).</summary>
    public static double LogRelativeError(double value, double certified)
    {
        if (!double.IsFinite(value)) return 0;
        double relative = Math.Abs(value - certified) / Math.Abs(certified);
        return relative == 0 ? 11 : Math.Clamp(-Math.Log10(relative), 0, 11);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
