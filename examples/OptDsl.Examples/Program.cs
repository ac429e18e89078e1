using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using CsvHelper;
using CsvHelper.Configuration;
using OptDsl.Runtime;
using OptDsl.Runtime.Training;
using OptDsl.Runtime.Tuning;

namespace OptDsl.Examples;

/// <summary>Runs the examples: each .opt file in this folder became a C# class at build time.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        int masses = args.Length > 0 && int.TryParse(args[0], out int n) && n > 0 ? n : 200;

        // 1. Rosenbrock.opt: a fixed-size problem, solved with the .opt's own solver line.
        Section("Rosenbrock (Rosenbrock.opt)");
        var rosenbrock = new Rosenbrock();
        var r1 = Timed(() => rosenbrock.Solve());
        Report(r1.Result, r1.Elapsed);
        Console.WriteLine($"  x = ({r1.Result.X[0]:F10}, {r1.Result.X[1]:F10})   expected (1, 1)");

        // 2. UltrasonicDecay.opt: least squares on a CSV (NIST StRD Chwirut2), Levenberg-Marquardt.
        Section("Ultrasonic decay fit (UltrasonicDecay.opt, data/chwirut2.csv)");
        var (distance, response) = ReadCsv(Path.Combine(AppContext.BaseDirectory, "data", "chwirut2.csv"));
        var decay = new UltrasonicDecay(distance, response);
        var r2 = Timed(() => decay.Solve());
        Report(r2.Result, r2.Elapsed);
        double[] certified = [1.6657666537E-01, 5.1653291286E-03, 1.2150007096E-02];
        var b = r2.Result.Get("b");
        Console.WriteLine($"  {decay.M} observations; residual sum of squares {r2.Result.Objective:E10} (certified 5.1304802941E+02)");
        for (int k = 0; k < 3; k++)
        {
            double digits = -Math.Log10(Math.Abs(b[k] - certified[k]) / Math.Abs(certified[k]));
            Console.WriteLine($"  b{k + 1} = {b[k],-22:E10} certified {certified[k]:E10}   agreeing digits {Math.Min(digits, 15):F1}");
        }

        // 3. SpringChain.opt: the size is a runtime dim, chosen here (pass a number to change it).
        Section($"Hanging spring chain with {masses} masses (SpringChain.opt, runtime dim n)");
        var chain = new SpringChain(masses) { Gravity = 9.81 };
        var r3 = Timed(() => chain.Solve());
        Report(r3.Result, r3.Elapsed);
        var y = r3.Result.Get("y");
        int lowest = Array.IndexOf(y, y.Min());
        Console.WriteLine($"  {chain.VariableCount} variables; lowest mass #{lowest} at height {y[lowest]:F6} (the chain sags symmetrically: " +
                          $"y[0] = {y[0]:F6}, y[n-1] = {y[^1]:F6})");

        // 4. SodaCan.opt: a constrained problem, solved by the interior-point method; multipliers come by label.
        Section("Least sheet metal for a 330 ml can (SodaCan.opt, subject to, ipm)");
        var can = new SodaCan();
        var r4 = Timed(() => can.Solve());
        Report(r4.Result, r4.Elapsed);
        double radius = r4.Result.GetScalar("r"), height = r4.Result.GetScalar("h");
        double exactRadius = Math.Cbrt(can.Volume / (2 * Math.PI));
        Console.WriteLine($"  r = {radius:F6} cm, h = {height:F6} cm (closed form r = {exactRadius:F6}, h = 2r = {2 * exactRadius:F6})");
        Console.WriteLine($"  multiplier of 'holds' = {r4.Result.Multipliers["holds"][0]:F6} (|λ| = dA/dV = 2/r = {2 / exactRadius:F6})");
        Console.WriteLine($"  KKT residuals: stationarity {r4.Result.Kkt!.Stationarity:E1}, feasibility {r4.Result.Kkt.PrimalFeasibility:E1}, complementarity {r4.Result.Kkt.Complementarity:E1}");

        // 4b. Cantilever.opt: physical units (mm, N, MPa) with no hand scaling; both constrained solvers scale automatically.
        Section("Lightest cantilever beam in mm, N and MPa (Cantilever.opt, ipm and auglag, automatic scaling)");
        var beam = new Cantilever();
        double exactHeight = Math.Pow(4 * 4 * beam.Load * Math.Pow(beam.Length, 3) / (beam.Modulus * beam.AllowableDeflection), 0.25);
        bool beamOk = true;
        foreach (var solver in new Solver<IConstrainedProblem>[] { new InteriorPointSolver(), new AugmentedLagrangianSolver() })
        {
            var rb = Timed(() => solver.Minimize(beam, beam.StartPoint(), null, beam.VariableBounds()));
            Report(rb.Result, rb.Elapsed);
            Console.WriteLine($"  b = {rb.Result.X[0]:F6} mm, h = {rb.Result.X[1]:F6} mm, area {rb.Result.Objective:F4} mm² (closed form b = {exactHeight / 4:F6}, h = {exactHeight:F6}, area {exactHeight * exactHeight / 4:F4})");
            if (rb.Result.Status != SolveStatus.Converged) Console.WriteLine($"  {rb.Result.Message}");
            beamOk &= rb.Result.Status == SolveStatus.Converged && Math.Abs(rb.Result.X[1] - exactHeight) <= 1e-6 * exactHeight;
        }

        // 5. Portfolio.opt: a Pareto front (risk against return) of five real stocks, plotted to an image.
        bool frontOk = RunPortfolio();

        // 6. Digits.opt: two models trained on scikit-learn's handwritten digits; learning curves plotted to an image.
        bool digitsOk = RunDigits();

        // 7. GlobalSearch.opt: a multimodal function searched without gradients, then polished; a kinked one left Unverified.
        Section("Global search: 6-D Rastrigin by CMA-ES, polished by L-BFGS (GlobalSearch.opt)");
        var rastrigin = new Rastrigin();
        var r7 = Timed(() => rastrigin.Solve());
        Report(r7.Result, r7.Elapsed);
        Console.WriteLine($"  f = {r7.Result.Objective:E3} at |x|∞ = {r7.Result.X.Max(Math.Abs):E3} (global minimum 0 at 0)");
        Section("Least summed axis distances by Nelder–Mead, a kinked objective (GlobalSearch.opt)");
        var median = new ManhattanMedian();
        var r8 = Timed(() => median.Solve());
        Report(r8.Result, r8.Elapsed);
        Console.WriteLine($"  p = ({r8.Result.X[0]:F6}, {r8.Result.X[1]:F6})   expected the coordinate-wise median (1, 2)");
        bool searchOk = r7.Result.Succeeded && r7.Result.Objective < 1e-9 && r8.Result.Status == SolveStatus.Unverified
            && Math.Abs(r8.Result.X[0] - 1) < 1e-6 && Math.Abs(r8.Result.X[1] - 2) < 1e-6;

        // 8. Tuning.opt: hyperparameters searched by TPE with median pruning; history and parallel coordinates plotted.
        bool tuningOk = RunTuning();

        return r1.Result.Converged && r2.Result.Converged && r3.Result.Converged && r4.Result.Converged && beamOk && frontOk && digitsOk && searchOk && tuningOk ? 0 : 1;
    }

    private static bool RunTuning()
    {
        Section("Hyperparameters of softmax regression on the digits: 40 trials of TPE with median pruning (Tuning.opt, tune)");
        // The digits example's split: the search judges trials on the validation part, never on the test part.
        var (all, training, validation, test) = LoadDigits();

        var watch = Stopwatch.StartNew();
        var study = new DigitsSearch(d: all.FeatureCount, k: 10).Run(training.Features, training.OneHotLabels(10), validation.Features, validation.OneHotLabels(10));
        var best = study.Best!;
        Console.WriteLine($"  {study.Trials.Count} trials in {watch.Elapsed.TotalSeconds:F1} s: {study.Count(TrialState.Complete)} complete, " +
                          $"{study.Count(TrialState.Pruned)} pruned ({study.Trials.Sum(t => t.EpochValues.Count)} epochs of {study.Trials.Count * 20})");
        Console.WriteLine($"  best: trial {best.Number}, validation loss {best.Value:F4} with lr = {best.Parameters["lr"]:G3}, lambda = {best.Parameters["lambda"]:G3}, batch = {best.Parameters["batch"]}");
        Console.WriteLine($"  its model's test accuracy: {Accuracy(study.BestModel!.Predict(test.Features), test.Labels):P1}");
        string csv = Path.GetFullPath("tuning-trials.csv");
        study.SaveCsv(csv);
        Console.WriteLine($"  trials: {csv}");

        // The optimization history: each trial's value (pruned ones at their last epoch) and the best so far.
        string history = Path.GetFullPath("tuning-history.png");
        var plot = new ScottPlot.Plot();
        foreach (var state in new[] { TrialState.Complete, TrialState.Pruned })
        {
            var trials = study.Trials.Where(t => t.State == state && double.IsFinite(t.Value)).ToList();
            var points = plot.Add.ScatterPoints(trials.Select(t => (double)t.Number).ToArray(), trials.Select(t => t.Value).ToArray());
            points.LegendText = state == TrialState.Complete ? "complete trial" : "pruned trial (last epoch)";
        }
        double running = double.PositiveInfinity;
        var bestSoFar = study.Trials.Select(t => running = t.State == TrialState.Complete ? Math.Min(running, t.Value) : running).ToArray();
        var line = plot.Add.ScatterLine(study.Trials.Select(t => (double)t.Number).ToArray(), bestSoFar.Select(v => double.IsFinite(v) ? v : double.NaN).ToArray());
        line.LegendText = "best so far";
        plot.Axes.SetLimitsY(0, Math.Min(2.5, study.Trials.Where(t => double.IsFinite(t.Value)).Max(t => t.Value) * 1.05));
        plot.Title("DigitsSearch: validation loss per trial (TPE, median pruning)");
        plot.XLabel("trial");
        plot.YLabel("validation cross-entropy (without the penalty)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(history, 900, 600);
        Console.WriteLine($"  plot: {history}");

        // Parallel coordinates: each complete trial a line across log10(lr), log10(lambda), log2(batch) and its value,
        // each axis scaled to its range; the better the trial, the darker its line.
        string parallel = Path.GetFullPath("tuning-parallel.png");
        var axes = new (string Name, Func<Trial, double> Value)[]
        {
            ("log10 lr", t => Math.Log10(t.Parameters["lr"])),
            ("log10 lambda", t => Math.Log10(t.Parameters["lambda"])),
            ("log2 batch", t => Math.Log2(t.Parameters["batch"])),
            ("validation loss", t => t.Value),
        };
        var complete = study.Trials.Where(t => t.State == TrialState.Complete).OrderByDescending(t => t.Value).ToList();
        var low = axes.Select(a => complete.Min(a.Value)).ToArray();
        var high = axes.Select(a => complete.Max(a.Value)).ToArray();
        var chart = new ScottPlot.Plot();
        double worst = complete[0].Value, top = complete[^1].Value;
        foreach (var t in complete)
        {
            double[] ys = axes.Select((a, i) => high[i] > low[i] ? (a.Value(t) - low[i]) / (high[i] - low[i]) : 0.5).ToArray();
            var trace = chart.Add.ScatterLine(Enumerable.Range(0, axes.Length).Select(i => (double)i).ToArray(), ys);
            double shade = worst > top ? (worst - t.Value) / (worst - top) : 1;
            trace.Color = ScottPlot.Color.FromARGB((uint)(0xFF000000 | (uint)(200 * (1 - shade)) << 16 | (uint)(200 * (1 - shade)) << 8 | 255u));
            trace.LineWidth = t == complete[^1] ? 3 : 1;
        }
        chart.Axes.Bottom.SetTicks(Enumerable.Range(0, axes.Length).Select(i => (double)i).ToArray(),
            axes.Select((a, i) => $"{a.Name}\n[{low[i]:G3}, {high[i]:G3}]").ToArray());
        chart.Title("DigitsSearch: complete trials in parallel coordinates (darker: lower validation loss)");
        chart.YLabel("position in the axis's range");
        chart.SavePng(parallel, 1000, 600);
        Console.WriteLine($"  plot: {parallel}");
        return study.Best is not null && study.BestModel is not null;
    }

    private static bool RunPortfolio()
    {
        var data = PortfolioData.Load(Path.Combine(AppContext.BaseDirectory, "data", "stocks.csv"));
        Section($"Mean-variance Pareto front of {string.Join(", ", data.Symbols)} (Portfolio.opt, pareto, ipm)");
        Console.WriteLine($"  {data.Months} monthly returns, {data.FirstMonth} to {data.LastMonth}; fully invested, no short selling");
        var portfolio = new Portfolio(data.Mean, data.Covariance);
        var watch = Stopwatch.StartNew();
        var front = portfolio.ParetoFront();
        Console.WriteLine($"  {front.Count} non-dominated points from {front.Solves} solves in {watch.Elapsed.TotalMilliseconds:F0} ms");
        Console.WriteLine($"  {"risk (σ, %/month)",18} {"return (%/month)",17}   weights ({string.Join(" ", data.Symbols)})");
        foreach (var p in front.Points)
            Console.WriteLine($"  {100 * Math.Sqrt(p.Objectives[0]),18:F3} {100 * p.Objectives[1],17:F3}   {string.Join(" ", p.X.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}");

        // The front rises: more return always costs more risk.
        var risk = front.ObjectiveColumn(0).ToArray();
        var gain = front.ObjectiveColumn(1).ToArray();
        bool monotone = Enumerable.Range(1, front.Count - 1).All(k => risk[k] > risk[k - 1] && gain[k] > gain[k - 1]);
        Console.WriteLine($"  monotone (risk and return increase together): {monotone}");

        // Its low end is the minimum-variance portfolio: the closed form on the stocks it holds.
        var lowest = front.Points[0].X;
        var support = Enumerable.Range(0, lowest.Length).Where(k => lowest[k] > 1e-4).ToList();
        var closed = data.MinimumVarianceOn(support);
        double gap = lowest.Zip(closed, (a, b) => Math.Abs(a - b)).Max();
        Console.WriteLine($"  minimum-variance point: closed form on {{{string.Join(", ", support.Select(k => data.Symbols[k]))}}} = ({string.Join(", ", closed.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}), largest weight difference {gap:E1}");

        string image = Path.GetFullPath("pareto-front.png");
        var plot = new ScottPlot.Plot();
        var line = plot.Add.Scatter(risk.Select(r => 100 * Math.Sqrt(r)).ToArray(), gain.Select(g => 100 * g).ToArray());
        line.LegendText = "Pareto front (no short selling)";
        for (int k = 0; k < data.Symbols.Length; k++)
        {
            var single = plot.Add.Marker(100 * Math.Sqrt(data.Covariance[k, k]), 100 * data.Mean[k]);
            var label = plot.Add.Text(data.Symbols[k], 100 * Math.Sqrt(data.Covariance[k, k]), 100 * data.Mean[k]);
            label.LabelFontSize = 14;
            single.Size = 8;
        }
        plot.Title("Mean-variance frontier, monthly returns Aug 2004 - Mar 2010");
        plot.XLabel("risk: standard deviation of the monthly return (%)");
        plot.YLabel("expected monthly return (%)");
        plot.Axes.Margins(0.08, 0.08);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(image, 900, 600);
        Console.WriteLine($"  plot: {image}");
        return monotone && gap < 1e-4;
    }

    /// <summary>
    /// scikit-learn's digits with a fixed split: 25% test; of the rest, 20% validation (early stopping and tuning watch it),
    /// 80% training; standardized with the statistics of the training part only.
    /// </summary>
    private static (LabeledData All, LabeledData Training, LabeledData Validation, LabeledData Test) LoadDigits()
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz")), CompressionMode.Decompress);
        var all = LabeledData.ReadCsv(new StreamReader(gz), "digits.csv.gz", classCount: 10);
        var (rest, test) = all.Split(0.25, seed: 42);
        var (training, validation) = rest.Split(0.2, seed: 7);
        var scaler = Standardizer.Fit(training.Features);
        return (all, scaler.Transform(training), scaler.Transform(validation), scaler.Transform(test));
    }

    private static bool RunDigits()
    {
        Section("Handwritten digits (Digits.opt: softmax regression by lbfgs, a hidden layer by adam)");
        var (all, training, validation, test) = LoadDigits();
        Console.WriteLine($"  {all.Count} digits of {all.FeatureCount} pixels: {training.Count} training, {validation.Count} validation, {test.Count} test");

        var softmax = new SoftmaxRegression(d: all.FeatureCount, k: 10);
        var watch = Stopwatch.StartNew();
        var linear = softmax.Fit(training.Features, training.OneHotLabels(10), validation.Features, validation.OneHotLabels(10));
        Console.WriteLine($"  softmax regression: {linear.StopReason} after {linear.Epochs.Count} lbfgs iterations, {watch.Elapsed.TotalMilliseconds:F0} ms; " +
                          $"test accuracy {Accuracy(softmax.Predict(test.Features), test.Labels):P1}");

        var network = new DigitsNetwork(d: all.FeatureCount, k: 10);
        watch.Restart();
        var report = network.Fit(training.Features, training.OneHotLabels(10), validation.Features, validation.OneHotLabels(10));
        Console.WriteLine($"  network (64 tanh units): {report.StopReason} after {report.Epochs.Count} epochs (best {report.BestEpoch}), {watch.Elapsed.TotalMilliseconds:F0} ms; " +
                          $"test accuracy {Accuracy(network.Predict(test.Features), test.Labels):P1}");
        foreach (var e in report.Epochs.Where(e => e.Epoch % 10 == 0 || e.Epoch == report.Epochs.Count))
            Console.WriteLine($"    epoch {e.Epoch,3}: training loss {e.TrainingLoss:F4}, validation loss {e.ValidationLoss:F4}, learning rate {e.LearningRate:E2}");

        string image = Path.GetFullPath("learning-curves.png");
        var plot = new ScottPlot.Plot();
        double[] epochs = report.Epochs.Select(e => (double)e.Epoch).ToArray();
        plot.Add.Scatter(epochs, report.Epochs.Select(e => e.TrainingLoss).ToArray()).LegendText = "training loss (mean over the epoch's batches)";
        plot.Add.Scatter(epochs, report.Epochs.Select(e => e.ValidationLoss).ToArray()).LegendText = "validation loss (after the epoch)";
        plot.Add.VerticalLine(report.BestEpoch).LegendText = $"best epoch ({report.BestEpoch}), restored";
        plot.Axes.SetLimitsY(0, Math.Max(0.5, report.Epochs.Max(e => Math.Max(e.TrainingLoss, e.ValidationLoss)) * 1.05));
        plot.Title("DigitsNetwork: cross-entropy per epoch (adam, cosine schedule, early stopping)");
        plot.XLabel("epoch");
        plot.YLabel("mean cross-entropy");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(image, 900, 600);
        Console.WriteLine($"  plot: {image}");
        return linear.StopReason == StopReason.Converged && report.StopReason is StopReason.EpochsDone or StopReason.EarlyStop;
    }

    /// <summary>The share of rows whose most probable class is the label.</summary>
    private static double Accuracy(double[,] probabilities, double[] labels) =>
        Enumerable.Range(0, labels.Length).Average(i => Enumerable.Range(0, probabilities.GetLength(1)).MaxBy(c => probabilities[i, c]) == (int)labels[i] ? 1.0 : 0.0);

    private static (double[] Distance, double[] Response) ReadCsv(string path)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { AllowComments = true, Comment = '#' };
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, config);
        var rows = csv.GetRecords<Observation>().ToList();
        return (rows.Select(r => r.metal_distance).ToArray(), rows.Select(r => r.ultrasonic_response).ToArray());
    }

    private sealed record Observation(double metal_distance, double ultrasonic_response);

    private static void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('-', title.Length));
    }

    private static (SolveResult Result, TimeSpan Elapsed) Timed(Func<SolveResult> solve)
    {
        var watch = Stopwatch.StartNew();
        var result = solve();
        return (result, watch.Elapsed);
    }

    private static void Report(SolveResult r, TimeSpan elapsed) =>
        Console.WriteLine($"  {r.Solver}: {r.Status} after {r.Iterations} iterations, {r.FunctionEvaluations} function and {r.GradientEvaluations} gradient evaluations, " +
                          $"{elapsed.TotalMilliseconds:F1} ms\n  f = {r.Objective:E12}, |gradient|∞ = {r.GradientNorm:E2}");
}
