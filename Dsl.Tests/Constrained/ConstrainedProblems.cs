using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptDsl.Compiler;
using OptDsl.Runtime;
using OptDsl.Tests.Compiler;
using OptDsl.Tests.Generator;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>
/// The constrained test problems: the Hock–Schittkowski .opt files of Constrained/Problems plus a few special cases
/// (<see cref="Special"/>), compiled once into one in-memory assembly. Until the compiler wires <c>ipm</c>/<c>auglag</c>
/// into <c>Solve</c> it reports OPT0900 for them but still generates the classes, so this goes through
/// <see cref="OptCompiler.Compile"/> directly and ignores OPT0900; the tests call the solvers themselves.
/// </summary>
public static class ConstrainedProblems
{
    /// <summary>Problems with known pathologies, and shapes the HS set does not cover (fixed variables, ranges, families).</summary>
    public const string Special = """
        // x >= 2 and x <= 1: no feasible point. The least-infeasible point (least sum of squared violations) is x = 1.5.
        problem Contradiction {
            var x = 0;
            minimize (x - 3)^2;
            subject to {
                low: x >= 2;
                high: x <= 1;
            }
            solver ipm;
        }
        // The unit disk and the half-plane x0 + x1 >= 4 do not meet.
        problem DiskAndPlane {
            var x[2] = [0.5, -0.5];
            minimize x[0] + x[1];
            subject to {
                disk: x[0]^2 + x[1]^2 <= 1;
                far: x[0] + x[1] >= 4;
            }
            solver ipm;
        }
        // min x s.t. x <= 1 (the bound x >= 0 removed): unbounded below.
        problem OpenBelow {
            var x = 0;
            minimize x;
            subject to {
                top: x <= 1;
            }
            solver ipm;
        }
        // Unbounded along the feasible line x0 = x1, with a nonlinear objective.
        problem Ray {
            var x[2] = [0.3, 0.1];
            minimize x[0] + x[1] + 0.1 * (x[0] - x[1])^2;
            subject to {
                line: x[0] - x[1] == 0;
            }
            solver ipm;
        }
        // NaN at the start (log of a negative number).
        problem LogAtStart {
            var x = -1;
            minimize x - log(x);
            subject to {
                cap: x <= 10;
            }
            solver ipm;
        }
        // f* = 1 at x = 1; a full Newton step from x = 5 lands where log is NaN.
        problem LogInside {
            var x = 5;
            minimize x - log(x);
            subject to {
                cap: x <= 10;
            }
            solver ipm;
        }
        // HS028 with its equality written twice: the constraint Jacobian is rank-deficient.
        problem Redundant {
            var x[3] = [-4, 1, 1];
            minimize (x[0] + x[1])^2 + (x[1] + x[2])^2;
            subject to {
                plane: x[0] + 2 * x[1] + 3 * x[2] == 1;
                again: 2 * x[0] + 4 * x[1] + 6 * x[2] == 2;
            }
            solver ipm;
        }
        // Two-sided rows, a fixed variable (x[2] = 0.5) and an indexed family.
        problem Ranges {
            var x[5] in [[-10, -10, 0.5, -10, -10], [10, 10, 0.5, 10, 10]] = [3, 3, 0.5, 0, 0];
            minimize (x[0] - 2)^2 + (x[1] - 3)^2 + x[0] * x[2] + sum(i in 3..5) (x[i] - i)^2;
            subject to {
                band: 1 <= x[0] + x[1] <= 2;
                spread: -0.5 <= x[0] - x[1] <= 0.5;
                order: forall(i in 0..2) x[i + 3] - x[i] <= 1;
            }
            solver ipm;
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(Build);

    public static Assembly Assembly => s_assembly.Value;

    /// <summary>The HS problem files of the test output, in name order.</summary>
    public static (string Path, string Text)[] HsFiles() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Constrained", "Problems"), "*.opt")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (p, File.ReadAllText(p)))
            .ToArray();

    private static Assembly Build()
    {
        var files = HsFiles().Append(("special.opt", Special));
        var trees = files.SelectMany(file =>
        {
            var output = OptCompiler.Compile(file.Item1, file.Item2, "Constrained.Tests");
            var errors = output.Diagnostics.Where(d => d.Level == DiagnosticLevel.Error && d.Id != "OPT0900").ToList();
            Assert.True(errors.Count == 0, $"{file.Item1}:\n" + string.Join("\n", errors));
            return output.Sources;
        }).Select(s => CSharpSyntaxTree.ParseText(s.Text, new CSharpParseOptions(LanguageVersion.Latest), path: s.HintName)).ToList();
        var compilation = CSharpCompilation.Create("Constrained" + Guid.NewGuid().ToString("N"), trees, CompilationReferences.Consumer,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(stream.ToArray());
    }

    /// <summary>A new instance of the generated class <paramref name="type"/>.</summary>
    public static IConstrainedProblem Problem(string type) => (IConstrainedProblem)Assembly.Create(type);

    /// <summary>The .opt start point (clipped into the bounds) of a generated problem.</summary>
    public static double[] Start(IConstrainedProblem problem) =>
        (double[])problem.GetType().GetMethod("StartPoint")!.Invoke(problem, null)!;

    /// <summary>The var bounds of a generated problem, or null.</summary>
    public static Bounds? Bounds(IConstrainedProblem problem) =>
        (Bounds?)problem.GetType().GetMethod("VariableBounds")!.Invoke(problem, null);
}
