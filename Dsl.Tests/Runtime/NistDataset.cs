using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace OptDsl.Tests.Runtime;

/// <summary>One parameter of a NIST StRD nonlinear regression problem.</summary>
public sealed record NistParameter(string Name, double Start1, double Start2, double Certified, double StandardDeviation);

/// <summary>
/// A NIST StRD nonlinear regression dataset read from its original text file: the model as printed, the two starting
/// points, the certified parameters and residual sum of squares, and the observations (y, x).
/// </summary>
public sealed class NistDataset
{
    public required string Name { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<NistParameter> Parameters { get; init; }
    public required double CertifiedResidualSumOfSquares { get; init; }
    public required double[] Y { get; init; }
    public required double[] X { get; init; }

    public double[] Start(int which) => Parameters.Select(p => which == 1 ? p.Start1 : p.Start2).ToArray();
    public double[] Certified => Parameters.Select(p => p.Certified).ToArray();

    /// <summary>The directory the test project copies the .dat files to.</summary>
    public static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "TestData", "nist");

    public static NistDataset Load(string name) => Parse(File.ReadAllText(Path.Combine(DataDirectory, name + ".dat")));

    private static readonly Regex LineRange = new(@"^\s*(?:File Format:)?\s*(Starting Values|Certified Values|Data)\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", RegexOptions.Compiled);
    private static readonly Regex ParameterLine = new(@"^\s*(b\d+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", RegexOptions.Compiled);

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Parses the NIST format. The header's "(lines a to b)" ranges locate the starting values and the data.</summary>
    public static NistDataset Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string? name = null;
        (int From, int To)? starts = null, data = null;
        foreach (var line in lines.Take(20))
        {
            if (line.StartsWith("Dataset Name:", StringComparison.Ordinal)) name = line["Dataset Name:".Length..].Trim().Split(' ')[0];
            var m = LineRange.Match(line);
            if (!m.Success) continue;
            var range = (int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
            if (m.Groups[1].Value == "Starting Values") starts = range;
            else if (m.Groups[1].Value == "Data") data = range;
        }
        if (name is null || starts is null || data is null) throw new FormatException("Not a NIST StRD nonlinear regression file: header incomplete.");

        // Model: the lines from "Model:" up to the table of starting values, keeping the equation (from "y =" on).
        int modelLine = Array.FindIndex(lines, l => l.StartsWith("Model:", StringComparison.Ordinal));
        var modelText = new List<string>();
        bool inEquation = false;
        for (int i = modelLine + 1; i < starts.Value.From - 2 && i < lines.Length; i++)
        {
            string t = lines[i].Trim();
            if (t.StartsWith("y =", StringComparison.Ordinal)) inEquation = true;
            if (inEquation && t.Length > 0) modelText.Add(t);
            else if (inEquation && t.Length == 0) break;
        }

        var parameters = new List<NistParameter>();
        for (int i = starts.Value.From - 1; i < starts.Value.To; i++)
        {
            var m = ParameterLine.Match(lines[i]);
            if (!m.Success) throw new FormatException($"Line {i + 1} is not a parameter line: '{lines[i]}'.");
            parameters.Add(new NistParameter(m.Groups[1].Value, Number(m.Groups[2].Value), Number(m.Groups[3].Value), Number(m.Groups[4].Value), Number(m.Groups[5].Value)));
        }

        string rssLine = lines.First(l => l.StartsWith("Residual Sum of Squares:", StringComparison.Ordinal));
        double rss = Number(rssLine["Residual Sum of Squares:".Length..].Trim());

        var y = new List<double>();
        var x = new List<double>();
        for (int i = data.Value.From - 1; i < data.Value.To && i < lines.Length; i++)
        {
            var parts = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) throw new FormatException($"Line {i + 1} is not a data line: '{lines[i]}'.");
            y.Add(Number(parts[0]));
            x.Add(Number(parts[1]));
        }

        return new NistDataset
        {
            Name = name,
            Model = string.Join(" ", modelText),
            Parameters = parameters,
            CertifiedResidualSumOfSquares = rss,
            Y = y.ToArray(),
            X = x.ToArray(),
        };
    }

    /// <summary>Log relative error −log₁₀(|value − certified| / |certified|), capped at 11 (the certified digits).</summary>
    public static double LogRelativeError(double value, double certified)
    {
        if (!double.IsFinite(value)) return 0;
        double relative = Math.Abs(value - certified) / Math.Abs(certified);
        return relative == 0 ? 11 : Math.Clamp(-Math.Log10(relative), 0, 11);
    }
}
