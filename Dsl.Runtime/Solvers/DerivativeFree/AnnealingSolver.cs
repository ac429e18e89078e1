using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Simulated annealing (<c>.opt</c> name <c>anneal</c>; Kirkpatrick, Gelatt &amp; Vecchi 1983) with the Metropolis rule:
/// a move from f to f' is accepted with probability min(1, e^(−(f' − f)/T)).
/// <list type="bullet">
/// <item>Neighbourhood: every coordinate moves by a normal step of s·(its range), mirrored back into the box; s starts at
/// 0.1 and is adapted after each stage toward an acceptance rate of 0.44 (Lam &amp; Delosme's target), within
/// [1e-9, 0.5].</item>
/// <item>Cooling: geometric, T ← <see cref="Cooling"/>·T after each stage of 10·n moves (Kirkpatrick's schedule).</item>
/// <item>Initial temperature <see cref="Temperature"/>; by default the standard deviation of f over 10·n points drawn
/// uniformly in the box (those evaluations count), so that at first an average uphill move is accepted with
/// probability about e^(−1).</item>
/// <item>Reheating: when a stage ends with T below 1e-6 of the initial temperature, or the best value has not improved
/// for 20 stages, the search restarts from the best point with the temperature reheated to half its previous initial
/// value (each cycle colder, so each refines the last), and to the first initial temperature again once that has
/// been halved below 1e-9 of it (a new round of exploration from the best point); after <see cref="Reheats"/> reheats
/// that is the natural end.</item>
/// </list>
/// Needs finite bounds (the steps and the calibration are measured in each variable's range).
/// </summary>
public sealed class AnnealingSolver : DerivativeFreeSolver
{
    /// <summary><c>anneal</c>.</summary>
    public override string Name => "anneal";

    /// <summary>Initial temperature (<c>temperature</c>; NaN, the default, for the calibration above).</summary>
    public double Temperature { get; set; } = double.NaN;

    /// <summary>Factor of the temperature after each stage (<c>cooling</c>, default 0.9; 1 keeps it constant, and only stagnation then ends a cycle).</summary>
    public double Cooling { get; set; } = 0.9;

    /// <summary>Reheats before the natural end (<c>reheats</c>, default 4).</summary>
    public int Reheats { get; set; } = 4;


    private protected override void CheckSettings()
    {
        if (!double.IsNaN(Temperature)) Arguments.Positive(Temperature, nameof(Temperature), Name);
        if (!(Cooling > 0 && Cooling <= 1)) throw new ArgumentException($"{Name}: Cooling must lie in (0, 1] (got {Cooling}).", nameof(Cooling));
        if (Reheats < 0) throw new ArgumentException($"{Name}: Reheats must be ≥ 0 (got {Reheats}).", nameof(Reheats));
    }

    private protected override SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        var random = new Random(monitor.Options.Seed ?? 0);
        double f = SearchBox.Clean(monitor.Objective(problem, x));
        monitor.SetStart(double.IsFinite(f) ? f : 1, Vec.InfNorm(x));
        var best = (double[])x.Clone();
        double bestValue = f;

        double t0 = Temperature;
        if (double.IsNaN(t0))
        {
            if (SearchBox.CalibratedTemperature(problem, monitor, random, box, best, ref bestValue) is not { } calibrated)
                return monitor.Result(best, bestValue, double.NaN, SolveStatus.MaxEvaluations);
            t0 = calibrated;
        }

        var trial = new double[n];
        int stage = 0, reheats = 0, stagesWithoutGain = 0, stageLength = 10 * n;
        double temperature = t0, initial = t0, step = 0.1;
        while (true)
        {
            if (monitor.ShouldStop(out var status)) return monitor.Result(best, bestValue, double.NaN, status);
            int accepted = 0;
            double stageStart = bestValue;
            for (int k = 0; k < stageLength; k++)
            {
                if (monitor.EvaluationBudgetExhausted) return monitor.Result(best, bestValue, double.NaN, SolveStatus.MaxEvaluations);
                SearchBox.Neighbour(random, box, x, step, trial);
                double ft = SearchBox.Clean(monitor.Objective(problem, trial));
                if (SearchBox.Metropolis(random, ft, f, temperature))
                {
                    trial.AsSpan().CopyTo(x);
                    f = ft;
                    accepted++;
                    if (f < bestValue) { bestValue = f; x.AsSpan().CopyTo(best); }
                }
            }
            stage++;
            monitor.RecordIteration(bestValue, temperature);
            double rate = (double)accepted / stageLength;
            step = Math.Clamp(step * Math.Exp(2 * (rate - 0.44)), 1e-9, 0.5);
            stagesWithoutGain = stageStart - bestValue > 1e-12 * Math.Max(1, Math.Abs(bestValue)) ? 0 : stagesWithoutGain + 1;
            temperature *= Cooling;
            if (temperature >= 1e-6 * initial && stagesWithoutGain < 20) continue;
            if (reheats >= Reheats)
                return Finish(problem, best, bestValue, box, monitor,
                    $"annealing ended after {stage} stages and {reheats} reheat{(reheats == 1 ? "" : "s")}");
            reheats++;
            initial = initial * 0.5 < 1e-9 * t0 ? t0 : initial * 0.5;
            temperature = initial;
            stagesWithoutGain = 0;
            step = 0.1;
            best.AsSpan().CopyTo(x);
            f = bestValue;
        }
    }
}
