using System;
using System.Threading.Tasks;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Replica exchange, or parallel tempering (<c>.opt</c> name <c>replica_exchange</c>; Swendsen &amp; Wang 1986, Geyer
/// 1991; see Earl &amp; Deem, "Parallel tempering: theory, applications, and new perspectives", 2005).
/// <list type="bullet">
/// <item>The ladder: <see cref="Replicas"/> Metropolis chains, the last at temperature 0 (a greedy chain that takes only
/// improvements and so refines whatever state the ladder hands down to it), the others at temperatures spaced
/// geometrically from <see cref="Temperature"/> down to 1e-8 of it. The top temperature defaults to the standard
/// deviation of f over 10·n points drawn uniformly in the box (those evaluations count).</item>
/// <item>A sweep: each chain makes n moves, each move a normal step of sᵣ·(range) on every coordinate, mirrored into
/// the box. Each chain's sᵣ adapts after every sweep toward an acceptance of 0.3.</item>
/// <item>Swaps: after each sweep, neighbouring chains (even pairs on even sweeps, odd pairs on odd sweeps) swap states
/// with probability min(1, e^((1/Tᵢ − 1/Tⱼ)(fᵢ − fⱼ))).</item>
/// <item>Seeds: every chain draws from its own generator, seeded from the solve's seed and the chain's index, so the
/// chains' moves can run on <see cref="Parallelism"/> threads with the same result.</item>
/// <item>The natural end: the best value has not improved by 1e-12 relative for 500 + 50·n sweeps (long enough for
/// the hot chains to find another basin and hand it down the ladder).</item>
/// </list>
/// Needs finite bounds.
/// </summary>
public sealed class ReplicaExchangeSolver : DerivativeFreeSolver
{
    /// <summary>The coldest positive temperature as a fraction of the hottest: low enough that its chain, at equilibrium, sits within the success tolerance of a minimum.</summary>
    private const double ColdestFraction = 1e-8;

    /// <summary><c>replica_exchange</c>.</summary>
    public override string Name => "replica_exchange";

    /// <summary>Chains in the ladder (<c>replicas</c>, default 8).</summary>
    public int Replicas { get; set; } = 8;

    /// <summary>The hottest chain's temperature (<c>temperature</c>; NaN, the default, for the calibration above).</summary>
    public double Temperature { get; set; } = double.NaN;

    /// <inheritdoc cref="CmaesSolver.Parallelism"/>
    public int Parallelism { get; set; } = 1;


    private protected override void CheckSettings()
    {
        if (Replicas < 2 || Replicas > OptionLimits.MaxPopulation)
            throw new ArgumentException($"{Name}: Replicas must lie in [2, {OptionLimits.MaxPopulation}] (got {Replicas}).", nameof(Replicas));
        if (!double.IsNaN(Temperature)) Arguments.Positive(Temperature, nameof(Temperature), Name);
        SearchBox.CheckParallelism(Parallelism, Name);
    }

    private protected override SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length, r = Replicas;
        int seed = monitor.Options.Seed ?? 0;
        var master = new Random(seed);
        double f0 = SearchBox.Clean(monitor.Objective(problem, x));
        monitor.SetStart(double.IsFinite(f0) ? f0 : 1, Vec.InfNorm(x));
        var best = (double[])x.Clone();
        double bestValue = f0;

        double top = Temperature;
        if (double.IsNaN(top))
        {
            if (SearchBox.CalibratedTemperature(problem, monitor, master, box, best, ref bestValue) is not { } calibrated)
                return monitor.Result(best, bestValue, double.NaN, SolveStatus.MaxEvaluations);
            top = calibrated;
        }

        var temperature = new double[r];
        var state = new double[r][];
        var value = new double[r];
        var step = new double[r];
        var accepted = new int[r];
        var chainBest = new double[r][];
        var chainBestValue = new double[r];
        var generators = new Random[r];
        for (int c = 0; c < r; c++)
        {
            temperature[c] = c == r - 1 ? 0 : r == 2 ? top : top * Math.Pow(ColdestFraction, (double)c / (r - 2));
            state[c] = (double[])x.Clone();
            value[c] = f0;
            step[c] = 0.1;
            chainBest[c] = (double[])x.Clone();
            generators[c] = new Random(unchecked(seed * 1_000_003 + c + 1));
        }
        int patience = 500 + 50 * n, stagnation = 0;
        for (int sweep = 0; ; sweep++)
        {
            if (monitor.ShouldStop(out var status)) return monitor.Result(best, bestValue, double.NaN, status);
            if (monitor.RemainingEvaluations < r * n) return monitor.Result(best, bestValue, double.NaN, SolveStatus.MaxEvaluations);
            void Chain(int c)
            {
                var random = generators[c];
                var trial = new double[n];
                accepted[c] = 0;
                chainBestValue[c] = double.PositiveInfinity;
                for (int m = 0; m < n; m++)
                {
                    SearchBox.Neighbour(random, box, state[c], step[c], trial);
                    double ft = SearchBox.Clean(problem.Objective(trial));
                    if (SearchBox.Metropolis(random, ft, value[c], temperature[c]))
                    {
                        trial.AsSpan().CopyTo(state[c]);
                        value[c] = ft;
                        accepted[c]++;
                    }
                    if (value[c] < chainBestValue[c]) { chainBestValue[c] = value[c]; state[c].AsSpan().CopyTo(chainBest[c]); }
                }
            }
            if (Parallelism == 1) for (int c = 0; c < r; c++) Chain(c);
            else Parallel.For(0, r, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, Chain);
            monitor.CountEvaluations(r * n);

            double before = bestValue;
            for (int c = 0; c < r; c++)
            {
                if (chainBestValue[c] < bestValue) { bestValue = chainBestValue[c]; chainBest[c].AsSpan().CopyTo(best); }
                step[c] = Math.Clamp(step[c] * Math.Exp(2 * ((double)accepted[c] / n - 0.3)), 1e-9, 0.5);
            }
            for (int c = sweep % 2; c + 1 < r; c += 2)
            {
                double exponent = (1 / temperature[c] - 1 / temperature[c + 1]) * (value[c] - value[c + 1]);
                if (exponent >= 0 || master.NextDouble() < Math.Exp(exponent))
                {
                    (state[c], state[c + 1]) = (state[c + 1], state[c]);
                    (value[c], value[c + 1]) = (value[c + 1], value[c]);
                }
            }
            monitor.RecordIteration(bestValue, step[r - 1]);
            stagnation = before - bestValue > 1e-12 * Math.Max(1, Math.Abs(bestValue)) ? 0 : stagnation + 1;
            if (stagnation >= patience)
                return Finish(problem, best, bestValue, box, monitor,
                    $"the best value did not improve for {patience} sweeps ({sweep + 1} in all)");
        }
    }
}
