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
/// when OPTDSL_SEARCH_REPORT names a file (the table is written there); OPTDSL_SEARCH_SEEDS sets the seeds (default 20);
/// OPTDSL_SEARCH_METHODS and OPTDSL_SEARCH_FUNCTIONS, comma-separated names, restrict the table to some methods or functions.
/// </summary>
public sealed class SearchCampaign
{
    /// <summary>
    /// The methods of the campaign, each with its budget per run; <c>SmoothOnly</c> rows polish with the gradient and run
    /// only on the functions without <c>abs</c> or <c>max</c>.
    /// </summary>
    internal static readonly (string Name, Func<Solver<IObjectiveProblem>> Create, Func<int, int> Budget, bool SmoothOnly)[] Methods =
    [
        ("nelder_mead", () => new NelderMeadSolver { Restarts = 1000 }, n => 5000 * n, false),
        ("cmaes", () => new CmaesSolver { Restarts = 9 }, n => 20000 * n, false),
        ("pso", () => new ParticleSwarmSolver { Restarts = 1000 }, n => 20000 * n, false),
        ("pso (ring)", () => new ParticleSwarmSolver { Topology = SwarmTopology.Ring, Restarts = 1000 }, n => 20000 * n, false),
        ("ga", () => new GeneticSolver { Generations = 100_000 }, n => 20000 * n, false),
        ("ga (polish)", () => new GeneticSolver { Polish = InnerSolver.Lbfgs }, n => 20000 * n, true),
        ("anneal", () => new AnnealingSolver { Reheats = 1000 }, n => 20000 * n, false),
        ("replica_exchange", () => new ReplicaExchangeSolver(), n => 100000 * n, false),
        ("bayes", () => new BayesSolver { Trials = 60 }, n => 60, false),
    ];

    /// <summary>Bayesian optimization runs on the functions of at most this many variables (its model costs the cube of its trials).</summary>
    private const int BayesMaxDimension = 3;

    [Fact]
    public void Campaign()
    {
        if (Environment.GetEnvironmentVariable("OPTDSL_SEARCH_REPORT") is not { Length: > 0 } path) return;
        int seeds = int.TryParse(Environment.GetEnvironmentVariable("OPTDSL_SEARCH_SEEDS"), out int s) ? s : 20;
        var methods = Methods.Where(m => Selected("OPTDSL_SEARCH_METHODS", m.Name)).ToArray();
        var text = new StringBuilder();
        text.Append("| function | n | f* |");
        foreach (var m in methods) text.Append(CultureInfo.InvariantCulture, $" {m.Name}: success | ERT |");
        text.Append('\n').Append("|---|---:|---:|").Append(string.Concat(methods.Select(_ => "---:|---:|"))).Append('\n');
        foreach (var name in GlobalFunction.Names.Where(f => Selected("OPTDSL_SEARCH_FUNCTIONS", f)))
        {
            var f = GlobalFunction.Load(name);
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {f.Dimension} | {f.Optimum:G10} |");
            foreach (var m in methods)
            {
                if ((m.Name == "bayes" && f.Dimension > BayesMaxDimension) || (m.SmoothOnly && !f.Smooth))
                {
                    text.Append(" – | – |");
                    continue;
                }
                int successes = 0;
                long evaluations = 0;
                for (int seed = 0; seed < seeds; seed++)
                {
                    var (_, toTarget, calls) = f.Run(m.Create(), seed, m.Budget(f.Dimension));
                    if (toTarget > 0) { successes++; evaluations += toTarget; }
                    else evaluations += calls;
                }
                string ert = successes == 0 ? "∞" : (evaluations / (double)successes).ToString("0", CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture, $" {successes}/{seeds} | {ert} |");
            }
            text.Append('\n');
            File.WriteAllText(path, text.ToString());
        }
    }

    /// <summary>True when the variable is unset or lists <paramref name="name"/> among its comma-separated names.</summary>
    private static bool Selected(string variable, string name) =>
        Environment.GetEnvironmentVariable(variable) is not { Length: > 0 } list
        || list.Split(',', StringSplitOptions.TrimEntries).Contains(name, StringComparer.Ordinal);
}
