using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace OptDsl.Runtime;

/// <summary>
/// The result of <see cref="ParetoSweep.Run"/>: the non-dominated points sorted by the first objective (ascending, ties
/// by the later objectives), the solves that were not used, and the payoff-table estimates of the ideal and nadir points.
/// </summary>
public sealed class ParetoFront
{
    internal ParetoFront(
        IReadOnlyList<string> objectiveNames,
        IReadOnlyList<bool> maximize,
        ParetoMethod method,
        IReadOnlyList<ParetoPoint> points,
        IReadOnlyList<ParetoFailure> failed,
        double[] ideal,
        double[] nadir,
        int solves,
        bool cancelled)
    {
        ObjectiveNames = objectiveNames;
        Maximize = maximize;
        Method = method;
        Points = points;
        Failed = failed;
        Ideal = ideal;
        Nadir = nadir;
        Solves = solves;
        Cancelled = cancelled;
    }

    /// <summary>The objectives' names.</summary>
    public IReadOnlyList<string> ObjectiveNames { get; }

    /// <summary>True for each maximized objective.</summary>
    public IReadOnlyList<bool> Maximize { get; }

    /// <summary>The method that produced the front.</summary>
    public ParetoMethod Method { get; }

    /// <summary>The non-dominated points, sorted by the first objective as written (ascending).</summary>
    public IReadOnlyList<ParetoPoint> Points { get; }

    /// <summary>Scalarized solves that did not converge (e.g. infeasible ε-levels); never thrown, recorded here.</summary>
    public IReadOnlyList<ParetoFailure> Failed { get; }

    /// <summary>Best value of each objective over the converged anchors, as written (NaN when its anchor failed and no other anchor converged).</summary>
    public IReadOnlyList<double> Ideal { get; }

    /// <summary>Worst value of each objective over the converged anchors (the payoff-table nadir estimate), as written.</summary>
    public IReadOnlyList<double> Nadir { get; }

    /// <summary>Number of scalarized solves run (anchors included).</summary>
    public int Solves { get; }

    /// <summary>True when <see cref="SolveOptions.CancellationToken"/> stopped the sweep; the points are those found until then.</summary>
    public bool Cancelled { get; }

    /// <summary>Number of points.</summary>
    public int Count => Points.Count;

    /// <summary>The values of objective <paramref name="k"/> over the points, in front order.</summary>
    public double[] ObjectiveColumn(int k)
    {
        if ((uint)k >= (uint)ObjectiveNames.Count) throw new ArgumentOutOfRangeException(nameof(k));
        var column = new double[Points.Count];
        for (int i = 0; i < column.Length; i++) column[i] = Points[i].Objectives[k];
        return column;
    }

    /// <summary>Writes the front as CSV (invariant culture, round-trip numbers): one column per objective, then x0, x1, ….</summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int dimension = Points.Count > 0 ? Points[0].X.Length : 0;
        var header = new List<string>();
        foreach (var name in ObjectiveNames) header.Add(CsvField(name));
        for (int j = 0; j < dimension; j++) header.Add("x" + j.ToString(CultureInfo.InvariantCulture));
        writer.Write(string.Join(",", header));
        writer.Write('\n');
        foreach (var point in Points)
        {
            var fields = new List<string>();
            foreach (double v in point.Objectives) fields.Add(v.ToString("R", CultureInfo.InvariantCulture));
            foreach (double v in point.X) fields.Add(v.ToString("R", CultureInfo.InvariantCulture));
            writer.Write(string.Join(",", fields));
            writer.Write('\n');
        }
    }

    /// <summary>The front as CSV (see <see cref="WriteCsv"/>).</summary>
    public string Csv()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(writer);
        return writer.ToString();
    }

    /// <summary>A table of the points (objectives as written; "(max)" marks maximized ones) and a summary line.</summary>
    public override string ToString()
    {
        var headers = new string[ObjectiveNames.Count];
        for (int k = 0; k < headers.Length; k++) headers[k] = ObjectiveNames[k] + (Maximize[k] ? " (max)" : "");
        var cells = new string[Points.Count][];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = new string[headers.Length];
            for (int k = 0; k < headers.Length; k++) cells[i][k] = Points[i].Objectives[k].ToString("G8", CultureInfo.InvariantCulture);
        }
        var widths = new int[headers.Length];
        for (int k = 0; k < headers.Length; k++)
        {
            widths[k] = headers[k].Length;
            foreach (var row in cells) widths[k] = Math.Max(widths[k], row[k].Length);
        }
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"Pareto front ({Method}): {Points.Count} points, {Solves} solves, {Failed.Count} not converged{(Cancelled ? ", cancelled" : "")}\n");
        sb.Append("   #");
        for (int k = 0; k < headers.Length; k++) sb.Append("  ").Append(headers[k].PadLeft(widths[k]));
        sb.Append('\n');
        for (int i = 0; i < cells.Length; i++)
        {
            sb.Append((i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(4));
            for (int k = 0; k < headers.Length; k++) sb.Append("  ").Append(cells[i][k].PadLeft(widths[k]));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string CsvField(string s) =>
        s.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
