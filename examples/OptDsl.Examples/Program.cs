using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CsvHelper;
using CsvHelper.Configuration;
using OptDsl.Runtime;

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

        return r1.Result.Converged && r2.Result.Converged && r3.Result.Converged && r4.Result.Converged ? 0 : 1;
    }

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
