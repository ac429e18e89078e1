using System;
using OptDsl.Runtime.Tuning;

namespace OptDsl.Tests.Worker;

/// <summary>
/// <c>Dsl.Tests.Worker SEARCH STORAGE STUDY HEARTBEAT_MS [ROWS]</c>: runs the search (grid, random, grid40, random40, band,
/// heavy40) on fixed synthetic data (ROWS training rows, 2,000 by default: more rows, longer trials) with the study kept in STORAGE under the name STUDY, printing one line per trial, then the study.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length is not (4 or 5))
        {
            Console.Error.WriteLine("usage: Dsl.Tests.Worker SEARCH STORAGE STUDY HEARTBEAT_MS [ROWS]");
            return 2;
        }
        int rows = args.Length == 5 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 2000;
        var (x, y) = Data(rows, 8, seed: 1);
        var (vx, vy) = Data(400, 8, seed: 2);
        var options = new TuneOptions
        {
            Storage = args[1],
            StudyName = args[2],
            Heartbeat = TimeSpan.FromMilliseconds(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)),
            Progress = new Lines(),
        };
        Study study = args[0] switch
        {
            "grid" => new WorkerGrid(d: 8).Run(x, y, vx, vy, options),
            "random" => new WorkerRandom(d: 8).Run(x, y, vx, vy, options),
            "grid40" => new WorkerGrid40(d: 8).Run(x, y, vx, vy, options),
            "random40" => new WorkerRandom40(d: 8).Run(x, y, vx, vy, options),
            "band" => new WorkerBand(d: 8).Run(x, y, vx, vy, options),
            "heavy40" => new WorkerHeavy40(d: 8).Run(x, y, vx, vy, options),
            _ => throw new ArgumentException($"no search '{args[0]}' (grid, random, grid40, random40, band, heavy40)"),
        };
        Console.WriteLine(study);
        return 0;
    }

    /// <summary>Rows of standard normal features, labels from a fixed linear rule with noise.</summary>
    private static (double[,] X, double[] Y) Data(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var x = new double[rows, columns];
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double z = 0;
            for (int j = 0; j < columns; j++)
            {
                x[i, j] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                z += (j % 2 == 0 ? 1 : -0.5) * x[i, j];
            }
            y[i] = z + 0.5 * (random.NextDouble() - 0.5) > 0 ? 1 : 0;
        }
        return (x, y);
    }

    private sealed class Lines : IProgress<Trial>
    {
        public void Report(Trial value) => Console.WriteLine(value);
    }
}
