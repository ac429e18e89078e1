using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OptDsl.Runtime;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>
/// The broad Hock–Schittkowski set of issue 14 (Constrained/HockSchittkowski/*.opt, transcribed from two public sources
/// each, as every file's header says): each transcription is checked against its published solution, independently of
/// any solver: f(x*) is the published f* and x* satisfies every constraint and bound, to the precision x* is published
/// with. Every file's header holds "// optimum: f*" and "// x*: x1, x2, ...".
/// </summary>
public sealed class HockSchittkowskiTranscriptionTests
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Constrained", "HockSchittkowski");

    public static TheoryData<string> Files =>
        new(Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.opt").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray() : []);

    [Fact]
    public void The_folder_holds_the_transcriptions()
    {
        Assert.True(Directory.Exists(Folder) && Directory.GetFiles(Folder, "*.opt").Length > 0, $"no .opt files in {Folder}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void The_published_solution_is_feasible_and_has_the_published_value(string name)
    {
        string text = File.ReadAllText(Path.Combine(Folder, name + ".opt"));
        string Header(string key) => text.Split('\n').First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim();
        double optimum = double.Parse(Header("// optimum:"), CultureInfo.InvariantCulture);
        double[] x = Header("// x*:").Split(',').Select(v => double.Parse(v.Trim(), CultureInfo.InvariantCulture)).ToArray();
        string type = text.Split('\n').First(l => l.StartsWith("problem ", StringComparison.Ordinal)).Split(' ')[1];
        dynamic problem = GeneratedCode.Build(name + ".opt", text).Create(type);
        var objective = (IObjectiveProblem)problem;
        Assert.Equal(objective.Dimension, x.Length);

        double f = objective.Objective(x);
        Assert.True(Math.Abs(f - optimum) <= 1e-5 * (1 + Math.Abs(optimum)), $"{name}: f(x*) = {f:R}, published f* = {optimum:R}");

        // A problem with bounds only has no constraint rows (its class is not an IConstrainedProblem).
        if (objective is IConstrainedProblem constrained)
        {
            var c = new double[constrained.ConstraintCount];
            var lower = new double[c.Length];
            var upper = new double[c.Length];
            constrained.Constraints(x, c);
            constrained.ConstraintBounds(lower, upper);
            for (int k = 0; k < c.Length; k++)
            {
                double slack = 1e-5 * (1 + Math.Abs(c[k]));
                Assert.True(c[k] >= lower[k] - slack && c[k] <= upper[k] + slack, $"{name}: row {k} is {c[k]:R}, outside [{lower[k]}, {upper[k]}] at x*");
            }
        }
        Bounds? bounds = problem.VariableBounds();
        if (bounds is not null)
            for (int j = 0; j < x.Length; j++)
                Assert.True(x[j] >= bounds.Lower[j] - 1e-6 && x[j] <= bounds.Upper[j] + 1e-6, $"{name}: x*[{j}] = {x[j]} outside [{bounds.Lower[j]}, {bounds.Upper[j]}]");

        // From the published solution (feasible to its printed digits), neither constrained solver may call the problem
        // infeasible. (Where it goes is another matter: from x*, ipm's barrier path with μ₀ = 0.1 leads hs020 and hs057 to
        // their other local minima, as from the standard start.)
        if (objective is IConstrainedProblem rows)
        {
            var start = bounds is null ? x : x.Select((v, j) => Math.Clamp(v, bounds.Lower[j], bounds.Upper[j])).ToArray();
            foreach (var solver in new Solver<IConstrainedProblem>[] { new InteriorPointSolver(), new AugmentedLagrangianSolver() })
            {
                var r = solver.Minimize(rows, start, null, bounds);
                Assert.True(r.Status != SolveStatus.Infeasible, $"{name}: {r.Solver} from x*: {r.Message}");
            }
        }
    }
}
