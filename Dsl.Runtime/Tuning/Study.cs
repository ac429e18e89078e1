using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace OptDsl.Runtime.Tuning;

/// <summary>A hyperparameter search and its trials, in the order they ran.</summary>
public class Study
{
    internal Study(string name, SearchSpace space, string search, IReadOnlyList<Trial> trials, bool cancelled)
    {
        Name = name;
        Space = space;
        Search = search;
        Trials = trials;
        Cancelled = cancelled;
        Best = BestOf(trials);
    }

    /// <summary>The complete trial with the lowest value, the earliest among equals; null when none completed.</summary>
    internal static Trial? BestOf(IReadOnlyList<Trial> trials) =>
        trials.Where(t => t.State == TrialState.Complete).OrderBy(t => t.Value).ThenBy(t => t.Number).FirstOrDefault();

    /// <summary>The tune block's name (the generated class).</summary>
    public string Name { get; }

    public SearchSpace Space { get; }

    /// <summary>The search as written: <c>random(trials: 30, seed: 1)</c>, with the pruner.</summary>
    public string Search { get; }

    public IReadOnlyList<Trial> Trials { get; }

    /// <summary>The complete trial with the lowest value (the earliest among equals), or null when none completed.</summary>
    public Trial? Best { get; }

    /// <summary>The search was cancelled before it had run every trial.</summary>
    public bool Cancelled { get; }

    public int Count(TrialState state) => Trials.Count(t => t.State == state);

    /// <summary>
    /// Writes the trials as CSV (RFC 4180, invariant culture, values round-trip): number, state, value, duration in
    /// seconds, epochs run, one column per hyperparameter, the per-epoch values separated by ';', and the message.
    /// </summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var header = new List<string> { "number", "state", "value", "duration_s", "epochs" };
        header.AddRange(Space.Dimensions.Select(d => d.Name));
        header.Add("epoch_values");
        header.Add("message");
        writer.Write(string.Join(",", header.Select(Quote)));
        writer.Write("\r\n");
        foreach (var t in Trials)
        {
            var cells = new List<string>
            {
                t.Number.ToString(CultureInfo.InvariantCulture),
                t.State.ToString(),
                Number(t.Value),
                t.Duration.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
                t.EpochValues.Count.ToString(CultureInfo.InvariantCulture),
            };
            cells.AddRange(t.ParameterValues.Select(Number));
            cells.Add(string.Join(";", t.EpochValues.Select(Number)));
            cells.Add(t.Message);
            writer.Write(string.Join(",", cells.Select(Quote)));
            writer.Write("\r\n");
        }
    }

    /// <summary>Writes <see cref="WriteCsv"/> to a file (UTF-8, no byte-order mark).</summary>
    public void SaveCsv(string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        WriteCsv(writer);
    }

    public override string ToString() =>
        $"{Name}: {Trials.Count} trials ({Count(TrialState.Complete)} complete, {Count(TrialState.Pruned)} pruned, {Count(TrialState.Failed)} failed)" +
        (Best is { } b ? $"; best {b}" : "; none complete");

    private static string Number(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";
}

/// <summary>A study of a model's hyperparameters, with the model of its best trial.</summary>
public sealed class Study<TModel> : Study where TModel : class
{
    internal Study(string name, SearchSpace space, string search, IReadOnlyList<Trial> trials, bool cancelled, TModel? bestModel)
        : base(name, space, search, trials, cancelled) => BestModel = bestModel;

    /// <summary>The model trained by the best trial (its weights as that training returned them), or null when none completed.</summary>
    public TModel? BestModel { get; }
}
