using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>How a hyperparameter's values are spread (<c>name in logrange(a, b)</c>, <c>range(a, b)</c>, <c>{v1, v2, ...}</c>).</summary>
public enum DimensionKind
{
    /// <summary><c>logrange(a, b)</c>: log-uniform on [a, b], 0 &lt; a &lt; b.</summary>
    LogRange,

    /// <summary><c>range(a, b)</c>: uniform on [a, b]; for an integer setting, the integers a to b, both included.</summary>
    Range,

    /// <summary><c>{v1, v2, ...}</c>: one of the listed values, each as likely.</summary>
    Choice,
}

/// <summary>One hyperparameter of a search: its name in the <c>.opt</c> file, its values, and whether it is an integer (a batch size, a number of epochs).</summary>
public sealed class TuneDimension
{
    private TuneDimension(string name, DimensionKind kind, double low, double high, bool isInteger, double[] values)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A dimension needs a name.", nameof(name));
        Name = name;
        Kind = kind;
        Low = low;
        High = high;
        IsInteger = isInteger;
        Values = values;
    }

    public string Name { get; }

    public DimensionKind Kind { get; }

    /// <summary>The lower end of a range (the smallest choice for <see cref="DimensionKind.Choice"/>).</summary>
    public double Low { get; }

    /// <summary>The upper end of a range (the largest choice).</summary>
    public double High { get; }

    /// <summary>The values are whole numbers (a batch size, a number of epochs).</summary>
    public bool IsInteger { get; }

    /// <summary>The choices, in the order written; empty for a range.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary><c>logrange(low, high)</c>: log-uniform; for an integer, log-uniform on [low − ½, high + ½] rounded (as Optuna's <c>suggest_int(log=True)</c>).</summary>
    public static TuneDimension LogRange(string name, double low, double high, bool isInteger = false)
    {
        if (!(low > 0) || !double.IsFinite(high) || !(low < high))
            throw new ArgumentException($"logrange of '{name}' needs 0 < low < high (got {low}, {high}).", nameof(low));
        if (isInteger && (low != Math.Floor(low) || high != Math.Floor(high)))
            throw new ArgumentException($"'{name}' is an integer: logrange needs whole ends (got {low}, {high}).", nameof(low));
        return new TuneDimension(name, DimensionKind.LogRange, low, high, isInteger, []);
    }

    /// <summary><c>range(low, high)</c>: uniform on [low, high]; for an integer, each of low, low + 1, ..., high.</summary>
    public static TuneDimension Range(string name, double low, double high, bool isInteger = false)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(low < high))
            throw new ArgumentException($"range of '{name}' needs finite low < high (got {low}, {high}).", nameof(low));
        if (isInteger && (low != Math.Floor(low) || high != Math.Floor(high)))
            throw new ArgumentException($"'{name}' is an integer: range needs whole ends (got {low}, {high}).", nameof(low));
        return new TuneDimension(name, DimensionKind.Range, low, high, isInteger, []);
    }

    /// <summary><c>{v1, v2, ...}</c>: distinct finite values.</summary>
    public static TuneDimension Choice(string name, IReadOnlyList<double> values, bool isInteger = false)
    {
        if (values is null || values.Count == 0) throw new ArgumentException($"The choices of '{name}' are empty.", nameof(values));
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException($"The choices of '{name}' must be finite.", nameof(values));
        if (values.Distinct().Count() != values.Count) throw new ArgumentException($"The choices of '{name}' repeat a value.", nameof(values));
        if (isInteger && values.Any(v => v != Math.Floor(v))) throw new ArgumentException($"'{name}' is an integer: its choices must be whole.", nameof(values));
        return new TuneDimension(name, DimensionKind.Choice, values.Min(), values.Max(), isInteger, values.ToArray());
    }

    /// <summary>A value drawn from the dimension.</summary>
    public double Sample(Random random)
    {
        switch (Kind)
        {
            case DimensionKind.Choice:
                return Values[random.Next(Values.Count)];
            case DimensionKind.Range when IsInteger:
                return Low + random.Next((int)(High - Low) + 1);
            case DimensionKind.Range:
                return Math.Min(High, Low + random.NextDouble() * (High - Low));
            default:
                double lo = IsInteger ? Low - 0.5 : Low, hi = IsInteger ? High + 0.5 : High;
                double v = Math.Exp(Math.Log(lo) + random.NextDouble() * (Math.Log(hi) - Math.Log(lo)));
                return IsInteger ? Math.Clamp(Math.Round(v), Low, High) : Math.Clamp(v, Low, High);
        }
    }

    /// <summary>The values a grid takes: the choices, or every integer of an integer range; null for a continuous range.</summary>
    public IReadOnlyList<double>? GridValues => Kind switch
    {
        DimensionKind.Choice => Values,
        DimensionKind.Range when IsInteger => Enumerable.Range(0, (int)(High - Low) + 1).Select(k => Low + k).ToArray(),
        _ => null,
    };

    /// <summary>The dimension as written in a tune block: <c>lr in logrange(0.0001, 0.1)</c>.</summary>
    public override string ToString() => Kind switch
    {
        DimensionKind.Choice => $"{Name} in {{{string.Join(", ", Values.Select(Format))}}}",
        DimensionKind.Range => $"{Name} in range({Format(Low)}, {Format(High)})",
        _ => $"{Name} in logrange({Format(Low)}, {Format(High)})",
    } + (IsInteger ? " (integer)" : "");

    internal static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>The hyperparameters of a search, in the order of the tune block.</summary>
public sealed class SearchSpace
{
    public SearchSpace(IReadOnlyList<TuneDimension> dimensions)
    {
        if (dimensions is null || dimensions.Count == 0) throw new ArgumentException("A search needs at least one hyperparameter.", nameof(dimensions));
        var duplicate = dimensions.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"'{duplicate.Key}' is searched twice.", nameof(dimensions));
        Dimensions = dimensions.ToArray();
    }

    public IReadOnlyList<TuneDimension> Dimensions { get; }

    /// <summary>The index of the hyperparameter called <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Dimensions.Count; i++)
            if (Dimensions[i].Name == name) return i;
        return -1;
    }

    /// <summary>One line per hyperparameter, as written: two searches over the same space describe it the same.</summary>
    public string Description => string.Join("; ", Dimensions.Select(d => d.ToString()));

    public override string ToString() => Description;
}
