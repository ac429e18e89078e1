using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptDsl.Generators;
using Xunit;

namespace OptDsl.Tests.Generator;

/// <summary>
/// The generator's cache: a C# edit recompiles no <c>.opt</c> file, an <c>.opt</c> edit recompiles that file
/// only, and no step's model holds a Roslyn object (which would defeat the cache and leak compilations).
/// </summary>
public sealed class GeneratorIncrementalTests
{
    private const string Rosenbrock = """
        problem Rosenbrock {
            var x[2] = [-1.2, 1.0];
            minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2;
            solver lbfgs(memory: 10, tolerance: 1e-10, max_iter: 500);
        }
        """;

    private const string Quadratic = """
        problem Quadratic {
            var x[3] = 1;
            minimize sum(i in 0..3) (x[i] - i)^2;
        }
        """;

    private const string UserCode = "namespace Consumer { public static class Program { public static int Main() => 0; } }";

    private readonly GeneratorDriverHarness _harness = new();

    /// <summary>Every step name the generator declares (the constants of <see cref="TrackingNames"/>).</summary>
    public static IReadOnlyList<string> AllTrackingNames { get; } =
        [.. typeof(TrackingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!)];

    [Fact]
    public void Every_tracking_name_names_a_step_that_runs()
    {
        var driver = _harness.CreateDriver([_harness.AdditionalText("rosenbrock.opt", Rosenbrock)]);
        var run = GeneratorDriverHarness.RunGenerators(ref driver, GeneratorDriverHarness.CreateCompilation([UserCode]));

        Assert.NotEmpty(AllTrackingNames);
        Assert.All(AllTrackingNames, name => Assert.True(run.Result.TrackedSteps.ContainsKey(name), $"No step is tracked as '{name}'."));
    }

    [Fact]
    public void Unrelated_csharp_edit_reuses_every_step()
    {
        var driver = _harness.CreateDriver(
        [
            _harness.AdditionalText("rosenbrock.opt", Rosenbrock),
            _harness.AdditionalText("Problems/quadratic.opt", Quadratic),
            _harness.AdditionalText("notes.txt", "not an optimization problem"),
        ]);
        var compilation = GeneratorDriverHarness.CreateCompilation([UserCode]);
        var first = GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Consumer { internal sealed class Unrelated { public int Value => 42; } }", GeneratorDriverHarness.ParseOptions));
        var second = GeneratorDriverHarness.RunGenerators(ref driver, edited);

        AssertAllStepsReused(second.Result);
        Assert.Equal(first.Sources, second.Sources);
        Assert.Equal(first.GeneratorDiagnostics.Select(d => d.ToString()), second.GeneratorDiagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Rerun_with_nothing_changed_reuses_every_step()
    {
        var driver = _harness.CreateDriver([_harness.AdditionalText("rosenbrock.opt", Rosenbrock)]);
        var compilation = GeneratorDriverHarness.CreateCompilation([UserCode]);
        GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        var second = GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        AssertAllStepsReused(second.Result);
    }

    [Fact]
    public void Editing_an_opt_file_recompiles_it()
    {
        var original = _harness.AdditionalText("rosenbrock.opt", Rosenbrock);
        var edited = _harness.AdditionalText("rosenbrock.opt", Rosenbrock.Replace("-1.2", "-1.5"));
        var driver = _harness.CreateDriver([original]);
        var compilation = GeneratorDriverHarness.CreateCompilation([UserCode]);
        GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        driver = driver.ReplaceAdditionalText(original, edited);
        var run = GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        Assert.Equal(IncrementalStepRunReason.Modified, SingleOutputReason(run.Result, TrackingNames.OptFiles));
        // The compile step ran again: its output is Modified when the edit changes what the compiler produces
        // (it will, once the compiler emits code), Unchanged when it does not; never Cached.
        var expected = Compile(original).Equals(Compile(edited)) ? IncrementalStepRunReason.Unchanged : IncrementalStepRunReason.Modified;
        Assert.Equal(expected, SingleOutputReason(run.Result, TrackingNames.Compiled));
    }

    [Fact]
    public void Editing_one_opt_file_leaves_the_other_cached()
    {
        var rosenbrock = _harness.AdditionalText("rosenbrock.opt", Rosenbrock);
        var quadratic = _harness.AdditionalText("quadratic.opt", Quadratic);
        var driver = _harness.CreateDriver([rosenbrock, quadratic]);
        var compilation = GeneratorDriverHarness.CreateCompilation([UserCode]);
        GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        driver = driver.ReplaceAdditionalText(quadratic, _harness.AdditionalText("quadratic.opt", Quadratic.Replace("= 1;", "= 2;")));
        var run = GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        var compiled = run.Result.TrackedSteps[TrackingNames.Compiled]
            .SelectMany(step => step.Outputs)
            .ToDictionary(output => ((OptFileResult)output.Value).DisplayPath, output => output.Reason);
        Assert.Equal(IncrementalStepRunReason.Cached, compiled["rosenbrock.opt"]);
        Assert.NotEqual(IncrementalStepRunReason.Cached, compiled["quadratic.opt"]);
    }

    [Fact]
    public void Editing_a_non_opt_additional_file_recompiles_nothing()
    {
        var notes = _harness.AdditionalText("notes.txt", "first");
        var driver = _harness.CreateDriver([_harness.AdditionalText("rosenbrock.opt", Rosenbrock), notes]);
        var compilation = GeneratorDriverHarness.CreateCompilation([UserCode]);
        GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        driver = driver.ReplaceAdditionalText(notes, _harness.AdditionalText("notes.txt", "second"));
        var run = GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        Assert.All(
            run.Result.TrackedSteps[TrackingNames.Compiled].SelectMany(step => step.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Changing_RootNamespace_recompiles()
    {
        var driver = _harness.CreateDriver([_harness.AdditionalText("rosenbrock.opt", Rosenbrock)]);
        var compilation = GeneratorDriverHarness.CreateCompilation([UserCode]);
        GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        driver = driver.WithUpdatedAnalyzerConfigOptions(
            TestAnalyzerConfigOptionsProvider.ForProject("Other.Namespace", GeneratorDriverHarness.DefaultProjectDir));
        var run = GeneratorDriverHarness.RunGenerators(ref driver, compilation);

        Assert.Equal(IncrementalStepRunReason.Modified, SingleOutputReason(run.Result, TrackingNames.Settings));
        Assert.NotEqual(IncrementalStepRunReason.Cached, SingleOutputReason(run.Result, TrackingNames.Compiled));
    }

    [Fact]
    public void Only_opt_files_reach_the_compiler_whatever_the_extension_case()
    {
        var driver = _harness.CreateDriver(
        [
            _harness.AdditionalText("a.opt", Rosenbrock),
            _harness.AdditionalText("B.OPT", Quadratic),
            _harness.AdditionalText("c.opt.txt", Rosenbrock),
            _harness.AdditionalText("d.options", Rosenbrock),
            _harness.AdditionalText("appsettings.json", "{}"),
        ]);
        var run = GeneratorDriverHarness.RunGenerators(ref driver, GeneratorDriverHarness.CreateCompilation([UserCode]));

        var compiled = run.Result.TrackedSteps[TrackingNames.Compiled]
            .SelectMany(step => step.Outputs)
            .Select(output => ((OptFileResult)output.Value).DisplayPath)
            .OrderBy(path => path, StringComparer.Ordinal);
        Assert.Equal(["B.OPT", "a.opt"], compiled);
    }

    [Fact]
    public void No_Roslyn_object_is_reachable_from_any_step_model()
    {
        var driver = _harness.CreateDriver(
        [
            _harness.AdditionalText("rosenbrock.opt", Rosenbrock),
            _harness.AdditionalText("broken.opt", "problem Broken { var x[2] = ; minimize x[0] +; }"),
            _harness.AdditionalText("notes.txt", "not an optimization problem"),
        ]);
        var run = GeneratorDriverHarness.RunGenerators(ref driver, GeneratorDriverHarness.CreateCompilation([UserCode]));

        // Our steps only: TrackedOutputSteps hold Roslyn's own record of what the output step added and reported.
        var roots = run.Result.TrackedSteps
            .Where(step => AllTrackingNames.Contains(step.Key))
            .SelectMany(step => step.Value.SelectMany((runStep, i) =>
                runStep.Outputs.Select((output, j) => (Path: $"{step.Key}[{i}].Outputs[{j}]", Value: (object?)output.Value))))
            .ToList();

        Assert.NotEmpty(roots);
        var types = ModelReachability.TypesReachableFrom(roots.Select(root => root.Value));
        Assert.Contains(typeof(OptFileResult), types);
        Assert.Empty(ModelReachability.FindForbidden(roots));
    }

    [Fact]
    public void Reachability_check_finds_Roslyn_objects_nested_in_a_model()
    {
        var model = new { Name = "m", Files = new List<object> { 1, new { Text = new InMemoryAdditionalText("/a.opt", "") } } };

        var found = ModelReachability.FindForbidden([("model", model)]);

        var violation = Assert.Single(found);
        Assert.StartsWith("model.<Files>i__Field[1].<Text>i__Field:", violation);
        Assert.EndsWith(nameof(InMemoryAdditionalText), violation);
    }

    private void AssertAllStepsReused(GeneratorRunResult result)
    {
        foreach (var name in AllTrackingNames)
        {
            var outputs = result.TrackedSteps[name].SelectMany(step => step.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, output => Assert.True(
                output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"Step '{name}' output {output.Value} was {output.Reason}."));
        }

        Assert.All(
            result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    private static IncrementalStepRunReason SingleOutputReason(GeneratorRunResult result, string stepName) =>
        Assert.Single(result.TrackedSteps[stepName].SelectMany(step => step.Outputs)).Reason;

    private OptFileResult Compile(InMemoryAdditionalText file) =>
        GuardedCompiler.Compile(
            new OptFileInput(file.Path, file.Text),
            new GeneratorSettings(_harness.RootNamespace, _harness.ProjectDir),
            CancellationToken.None);
}
