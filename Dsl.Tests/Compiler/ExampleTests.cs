using System;
using System.IO;
using System.Linq;
using OptDsl.Examples;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>The examples' own generated classes, checked against closed forms.</summary>
public sealed class ExampleTests
{
    private static string ExampleData(string file) =>
        Path.Combine(DiagnosticsTests.RepositoryRoot(), "examples", "OptDsl.Examples", "data", file);

    [Fact]
    public void Portfolio_front_is_monotone_and_starts_at_the_closed_form_minimum_variance_point()
    {
        var data = PortfolioData.Load(ExampleData("stocks.csv"));
        Assert.Equal(["MSFT", "AMZN", "IBM", "GOOG", "AAPL"], data.Symbols);
        Assert.Equal(67, data.Months);
        var front = new Portfolio(data.Mean, data.Covariance).ParetoFront();
        Assert.True(front.Count >= 20, front.ToString());
        var risk = front.ObjectiveColumn(0).ToArray();
        var gain = front.ObjectiveColumn(1).ToArray();
        for (int k = 1; k < front.Count; k++) Assert.True(risk[k] > risk[k - 1] && gain[k] > gain[k - 1], front.ToString());
        foreach (var p in front.Points)
        {
            Assert.Equal(1, p.X.Sum(), 7);                          // fully invested
            Assert.All(p.X, w => Assert.True(w >= -1e-9));          // no short selling
        }

        // The low end: the closed form Σ⁻¹1/1ᵀΣ⁻¹1 on the stocks it holds, and KKT for the ones it does not
        // (an excluded stock's marginal variance is no smaller than that of the held ones).
        var lowest = front.Points[0].X;
        var support = Enumerable.Range(0, 5).Where(k => lowest[k] > 1e-4).ToList();
        var closed = data.MinimumVarianceOn(support);
        Assert.All(closed, w => Assert.True(w >= 0));
        for (int k = 0; k < 5; k++) Assert.Equal(closed[k], lowest[k], 4);
        var marginal = Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, 5).Sum(j => data.Covariance[i, j] * closed[j])).ToArray();
        double held = marginal[support[0]];
        foreach (int k in support) Assert.Equal(held, marginal[k], 10);
        foreach (int k in Enumerable.Range(0, 5).Except(support)) Assert.True(marginal[k] >= held);

        // The high end: everything in the stock with the highest mean return.
        Assert.Equal(data.Mean.Max(), gain[^1], 6);
    }

    [Fact]
    public void Spring_chain_converges_and_sags_symmetrically()
    {
        var result = new SpringChain(200).Solve();
        Assert.True(result.Converged, result.ToString());
        var y = result.Get("y");
        for (int k = 0; k < 100; k++) Assert.Equal(y[k], y[199 - k], 5);
        Assert.True(y.Max() < 0);
        Assert.InRange(Array.IndexOf(y, y.Min()), 99, 100); // the middle of 200 masses
    }

    [Fact]
    public void Ultrasonic_decay_fit_reaches_the_nist_certified_values()
    {
        var lines = File.ReadAllLines(ExampleData("chwirut2.csv")).Where(l => l.Length > 0 && !l.StartsWith('#')).Skip(1)
            .Select(l => l.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var result = new UltrasonicDecay(lines.Select(r => r[0]).ToArray(), lines.Select(r => r[1]).ToArray()).Solve();
        Assert.True(result.Converged, result.ToString());
        double[] certified = [1.6657666537E-01, 5.1653291286E-03, 1.2150007096E-02];
        var b = result.Get("b");
        for (int k = 0; k < 3; k++)
            Assert.True(-Math.Log10(Math.Abs(b[k] - certified[k]) / certified[k]) >= 6, $"b{k + 1} = {b[k]:R}, certified {certified[k]:R}");
        Assert.Equal(5.1304802941E+02, result.Objective, 6);
    }

    [Fact]
    public void Soda_can_matches_its_closed_form()
    {
        var result = new SodaCan().Solve();
        Assert.True(result.Converged, result.ToString());
        double r = Math.Cbrt(330 / (2 * Math.PI));
        Assert.Equal(r, result.GetScalar("r"), 6);
        Assert.Equal(2 * r, result.GetScalar("h"), 6);
        Assert.Equal(-2 / r, result.Multipliers["holds"][0], 6);
        Assert.True(result.Kkt!.Max <= 1e-6, result.Kkt.ToString());
    }
}
