using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>The neighbourhood a particle learns from in <see cref="ParticleSwarmSolver"/>.</summary>
public enum SwarmTopology
{
    /// <summary>gbest: every particle follows the best of the whole swarm.</summary>
    Global,
    /// <summary>lbest: each particle follows the best of itself and its two neighbours on a ring (slower to converge, harder to trap).</summary>
    Ring,
}

/// <summary>
/// Particle swarm optimization (<c>.opt</c> name <c>pso</c>; Kennedy &amp; Eberhart 1995) with the constants of Clerc's
/// Standard PSO (inertia w = 1/(2 ln 2) ≈ 0.721, both acceleration coefficients 0.5 + ln 2 ≈ 1.193, which are
/// Clerc &amp; Kennedy's 2002 constriction in inertia form) and a choice of topology (<see cref="SwarmTopology"/>):
/// vᵢ ← w·vᵢ + c·r₁ ⊙ (pᵢ − xᵢ) + c·r₂ ⊙ (lᵢ − xᵢ), xᵢ ← xᵢ + vᵢ, with r₁, r₂ uniform per coordinate, pᵢ the
/// particle's best and lᵢ its neighbourhood's best. A coordinate that leaves the box is put on the bound and its velocity
/// reversed at half speed (SPSO 2011). Needs finite bounds; particle 0 starts at the start point, the others uniformly
/// in the box with velocities (u − x)/2 for a uniform u. The swarm's natural end: the personal bests have gathered within
/// 1e-9 of each range around the best, or the best value has not improved by 1e-12 relative for 100 + 10n iterations;
/// then, up to <see cref="Restarts"/> times, a fresh swarm starts uniformly in the box (restart PSO), the best point of
/// all runs kept.
/// Each iteration evaluates the swarm at once (on <see cref="Parallelism"/> threads, with the same values).
/// </summary>
public sealed class ParticleSwarmSolver : DerivativeFreeSolver
{
    /// <summary><c>pso</c>.</summary>
    public override string Name => "pso";

    /// <summary>Swarm size (<c>particles</c>, default 40).</summary>
    public int Particles { get; set; } = 40;

    /// <summary>Inertia weight w (<c>inertia</c>, default 1/(2 ln 2)).</summary>
    public double Inertia { get; set; } = 1 / (2 * Math.Log(2));

    /// <summary>Acceleration toward the personal and neighbourhood bests (<c>acceleration</c>, default 0.5 + ln 2).</summary>
    public double Acceleration { get; set; } = 0.5 + Math.Log(2);

    /// <summary><c>topology</c>: <c>global</c> (default) or <c>ring</c>.</summary>
    public SwarmTopology Topology { get; set; } = SwarmTopology.Global;

    /// <summary>
    /// Fresh swarms after the first ends by its own rule (<c>restarts</c>, default 0): each starts uniformly in the box,
    /// the best point of all runs is kept, and the budget or the last run ends the solve.
    /// </summary>
    public int Restarts { get; set; }

    /// <inheritdoc cref="CmaesSolver.Parallelism"/>
    public int Parallelism { get; set; } = 1;


    private protected override void CheckSettings()
    {
        if (Particles < 2 || Particles > OptionLimits.MaxPopulation)
            throw new ArgumentException($"{Name}: Particles must lie in [2, {OptionLimits.MaxPopulation}] (got {Particles}).", nameof(Particles));
        if (!(Inertia >= 0 && Inertia < 1)) throw new ArgumentException($"{Name}: Inertia must lie in [0, 1) (got {Inertia}).", nameof(Inertia));
        Arguments.Positive(Acceleration, nameof(Acceleration), Name);
        if (Restarts < 0) throw new ArgumentException($"{Name}: Restarts must be ≥ 0 (got {Restarts}).", nameof(Restarts));
        SearchBox.CheckParallelism(Parallelism, Name);
    }

    private protected override SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length, s = Particles;
        var random = new Random(monitor.Options.Seed ?? 0);
        var position = new double[s][];
        var velocity = new double[s][];
        var bestPosition = new double[s][];
        var bestValue = new double[s];
        var values = new double[s];
        for (int i = 0; i < s; i++)
        {
            position[i] = new double[n];
            velocity[i] = new double[n];
            bestPosition[i] = new double[n];
        }
        var overall = (double[])x.Clone();
        double overallValue = double.NaN;
        var neighbour = new int[s];
        int patience = 100 + 10 * n;

        for (int run = 0; ; run++)
        {
            // A fresh swarm: particle 0 of the first run at the start point, every other particle uniform in the box.
            for (int i = 0; i < s; i++)
            {
                if (run == 0 && i == 0) x.AsSpan().CopyTo(position[0]);
                else SearchBox.Uniform(random, box, position[i]);
                for (int j = 0; j < n; j++)
                    velocity[i][j] = (box.Lower[j] + random.NextDouble() * (box.Upper[j] - box.Lower[j]) - position[i][j]) / 2;
            }
            if (monitor.RemainingEvaluations < s) return monitor.Result(overall, overallValue, double.NaN, SolveStatus.MaxEvaluations);
            SearchBox.Evaluate(problem, monitor, position, values, Parallelism);
            int best = 0;
            for (int i = 0; i < s; i++)
            {
                position[i].AsSpan().CopyTo(bestPosition[i]);
                bestValue[i] = values[i];
                if (values[i] < values[best]) best = i;
            }
            if (run == 0) monitor.SetStart(double.IsFinite(values[0]) ? values[0] : 1, Vec.InfNorm(x));
            int stagnation = 0;
            double previousBest = bestValue[best];
            string rule;
            while (true)
            {
                if (!(bestValue[best] >= overallValue))
                {
                    overallValue = bestValue[best];
                    bestPosition[best].AsSpan().CopyTo(overall);
                }
                double spread = SearchBox.Spread(bestPosition, bestPosition[best], box);
                monitor.RecordIteration(overallValue, spread);
                if (spread <= 1e-9)
                {
                    rule = $"the swarm's personal bests gathered within 1e-9 of each range ({monitor.Iterations} iterations";
                    break;
                }
                if (stagnation >= patience)
                {
                    rule = $"the best value did not improve for {patience} iterations ({monitor.Iterations} in all";
                    break;
                }
                if (monitor.ShouldStop(out var status)) return monitor.Result(overall, overallValue, double.NaN, status);
                if (monitor.RemainingEvaluations < s) return monitor.Result(overall, overallValue, double.NaN, SolveStatus.MaxEvaluations);

                for (int i = 0; i < s; i++)
                {
                    if (Topology == SwarmTopology.Global) neighbour[i] = best;
                    else
                    {
                        int left = (i + s - 1) % s, right = (i + 1) % s, l = i;
                        if (bestValue[left] < bestValue[l]) l = left;
                        if (bestValue[right] < bestValue[l]) l = right;
                        neighbour[i] = l;
                    }
                }
                for (int i = 0; i < s; i++)
                {
                    var p = position[i];
                    var v = velocity[i];
                    var own = bestPosition[i];
                    var social = bestPosition[neighbour[i]];
                    for (int j = 0; j < n; j++)
                    {
                        v[j] = Inertia * v[j] + Acceleration * random.NextDouble() * (own[j] - p[j]) + Acceleration * random.NextDouble() * (social[j] - p[j]);
                        p[j] += v[j];
                        if (p[j] < box.Lower[j]) { p[j] = box.Lower[j]; v[j] = -0.5 * v[j]; }
                        else if (p[j] > box.Upper[j]) { p[j] = box.Upper[j]; v[j] = -0.5 * v[j]; }
                    }
                }
                SearchBox.Evaluate(problem, monitor, position, values, Parallelism);
                for (int i = 0; i < s; i++)
                {
                    if (!(values[i] < bestValue[i])) continue;
                    bestValue[i] = values[i];
                    position[i].AsSpan().CopyTo(bestPosition[i]);
                    if (values[i] < bestValue[best]) best = i;
                }
                if (previousBest - bestValue[best] > 1e-12 * Math.Max(1, Math.Abs(bestValue[best]))) stagnation = 0;
                else stagnation++;
                previousBest = bestValue[best];
            }
            if (run >= Restarts)
                return Finish(problem, overall, overallValue, box, monitor,
                    rule + (run == 0 ? ")" : $", {run} restart{(run == 1 ? "" : "s")})"));
        }
    }
}
