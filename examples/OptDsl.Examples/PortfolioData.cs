using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CsvHelper;
using CsvHelper.Configuration;

namespace OptDsl.Examples;

/// <summary>Monthly returns of the stocks in data/stocks.csv over the months every stock has, with their mean and covariance.</summary>
public sealed record PortfolioData(string[] Symbols, string FirstMonth, string LastMonth, int Months, double[] Mean, double[,] Covariance)
{
    public static PortfolioData Load(string path)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { AllowComments = true, Comment = '#' };
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, config);
        var rows = csv.GetRecords<Price>().ToList();
        var symbols = rows.Select(r => r.symbol).Distinct().ToArray();
        var bySymbol = symbols.ToDictionary(s => s, s => rows.Where(r => r.symbol == s).ToDictionary(r => r.date, r => r.price));
        // The months every stock has a price for, in file order.
        var months = rows.Select(r => r.date).Distinct().Where(d => symbols.All(s => bySymbol[s].ContainsKey(d))).ToList();
        int t = months.Count - 1, n = symbols.Length;
        var returns = new double[t, n];
        for (int m = 0; m < t; m++)
            for (int k = 0; k < n; k++)
                returns[m, k] = bySymbol[symbols[k]][months[m + 1]] / bySymbol[symbols[k]][months[m]] - 1;
        var mean = Enumerable.Range(0, n).Select(k => Enumerable.Range(0, t).Average(m => returns[m, k])).ToArray();
        var covariance = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                covariance[i, j] = Enumerable.Range(0, t).Sum(m => (returns[m, i] - mean[i]) * (returns[m, j] - mean[j])) / (t - 1);
        return new PortfolioData(symbols, months[0], months[^1], t, mean, covariance);
    }

    /// <summary>
    /// The minimum-variance fully-invested portfolio over a subset of the stocks, in closed form: w = Σ⁻¹1 / 1ᵀΣ⁻¹1 on
    /// the subset (zero elsewhere). With no short selling this is the minimum-variance point when its weights are
    /// positive and no excluded stock has a smaller marginal variance (the KKT conditions).
    /// </summary>
    public double[] MinimumVarianceOn(IReadOnlyList<int> support)
    {
        int m = support.Count;
        var a = new double[m, m];
        var b = Enumerable.Repeat(1.0, m).ToArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                a[i, j] = Covariance[support[i], support[j]];
        // Gaussian elimination with partial pivoting on the small dense system.
        for (int c = 0; c < m; c++)
        {
            int p = Enumerable.Range(c, m - c).MaxBy(r => Math.Abs(a[r, c]));
            for (int k = 0; k < m; k++) (a[c, k], a[p, k]) = (a[p, k], a[c, k]);
            (b[c], b[p]) = (b[p], b[c]);
            for (int r = c + 1; r < m; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k < m; k++) a[r, k] -= f * a[c, k];
                b[r] -= f * b[c];
            }
        }
        var z = new double[m];
        for (int r = m - 1; r >= 0; r--)
        {
            double s = b[r];
            for (int k = r + 1; k < m; k++) s -= a[r, k] * z[k];
            z[r] = s / a[r, r];
        }
        double total = z.Sum();
        var w = new double[Symbols.Length];
        for (int i = 0; i < m; i++) w[support[i]] = z[i] / total;
        return w;
    }

    private sealed record Price(string symbol, string date, double price);
}
