using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Search;

/// <summary>
/// The campaign behind docs/search.md: every function of the suite, every derivative-free method, many seeds; success rate
/// and COCO/BBOB's expected running time (evaluations over successful and failed runs, divided by the successes). Runs only
/// when OPTDSL_SEARCH_REPORT names a file (the table is written there); OPTDSL_SEARCH_SEEDS sets the seeds (default 20).
/// </summary>
public sealed class SearchCampaign
{
    /// <summary>The methods of the campaign, each with its budget per run.</summary>
    internal static readonly (string Name, Func<Solver<IObjectiveProblem>> Create, Func<int, int> Budget)[] Methods =
    [
        ("nelder_mead", () => new NelderMeadSolver { Restarts = 1000 }, n => 5000 * n),
        ("cmaes", () => new CmaesSolver { Restarts = 9 }, n => 20000 * n),
        ("pso", () => new ParticleSwarmSolver(), n => 20000 * n),
        ("pso, ring", () => new ParticleSwarmSolver { Topology = SwarmTopology.Ring }, n => 20000 * n),
        ("ga", () => new GeneticSolver { Generations = 100_000 }, n => 20000 * n),
        ("anneal", () => new AnnealingSolver { Reheats = 1000 }, n => 20000 * n),
        ("replica_exchange", () => new ReplicaExchangeSolver(), n => 20000 * n),
        ("bayes", () => new BayesSolver { Trials = 60 }, n => 60),
    ];

    /// <summary>Bayesian optimization runs on the functions of at most this many variables (its model costs the cube of its trials).</summary>
    private const int BayesMaxDimension = 3;

    [Fact]
    public void Campaign()
    {
        if (Environment.GetEnvironmentVariable("OPTDSL_SEARCH_REPORT") is not { Length: > 0 } path) return;
        int seeds = int.TryParse(Environment.GetEnvironmentVariable("OPTDSL_SEARCH_SEEDS"), out int s) ? s : 20;
        var text = new StringBuilder();
        text.Append("| function | n | f* |");
        foreach (var m in Methods) text.Append(CultureInfo.InvariantCulture, $" {m.Name}: success | ERT |");
        text.Append('\n').Append("|---|---:|---:|").Append(string.Concat(Methods.Select(_ => "---:|---:|"))).Append('\n');
        foreach (var name in GlobalFunction.Names)
        {
            var f = GlobalFunction.Load(name);
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {f.Dimension} | {f.Optimum:G10} |");
            foreach (var m in Methods)
            {
                if (m.Name == "bayes" && f.Dimension > BayesMaxDimension)
                {
                    text.Append(" – | – |");
                    continue;
                }
                int successes = 0;
                long evaluations = 0;
                for (int seed = 0; seed < seeds; seed++)
                {
                    var (r, toTarget) = f.Run(m.Create(), seed, m.Budget(f.Dimension));
                    if (toTarget > 0) { successes++; evaluations += toTarget; }
                    else evaluations += r.FunctionEvaluations;
                }
                string ert = successes == 0 ? "∞" : (evaluations / (double)successes).ToString("0", CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture, $" {successes}/{seeds} | {ert} |");
            }
            text.Append('\n');
            File.WriteAllText(path, text.ToString());
        }
    }
}
