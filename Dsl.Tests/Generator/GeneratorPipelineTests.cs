using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using OptDsl.Compiler;
using OptDsl.Generators;
using Xunit;

namespace OptDsl.Tests.Generator;

/// <summary>
/// The generator's own duties around the compiler: what it passes in (project-relative path, RootNamespace),
/// how it names generated files, and that a failing compiler becomes OPT0999 instead of a crashed build.
/// </summary>
public sealed class GeneratorPipelineTests
{
    private const string ProjectDir = "/src/Consumer/";

    private static readonly GeneratorSettings Settings = new("Consumer.Models", ProjectDir);

    [Fact]
    public void Compiler_gets_the_project_relative_path_and_the_RootNamespace()
    {
        var calls = new List<(string Path, string Text, string? Namespace)>();

        GuardedCompiler.Compile(new OptFileInput("/src/Consumer/Problems/rosenbrock.opt", "problem P {}"), Settings, (path, text, ns, _) =>
        {
            calls.Add((path, text, ns));
            return Empty;
        }, CancellationToken.None);

        Assert.Equal(("Problems/rosenbrock.opt", "problem P {}", "Consumer.Models"), Assert.Single(calls));
    }

    [Theory]
    [InlineData("/src/Consumer/a.opt", "/src/Consumer/", "a.opt")]
    [InlineData("/src/Consumer/Deep/er/a.opt", "/src/Consumer", "Deep/er/a.opt")]
    [InlineData(@"C:\src\Consumer\Problems\a.opt", @"C:\src\Consumer\", "Problems/a.opt")]
    [InlineData(@"c:\SRC\consumer\a.opt", @"C:\src\Consumer\", "a.opt")]
    [InlineData("/elsewhere/shared/a.opt", "/src/Consumer/", "/elsewhere/shared/a.opt")]
    [InlineData("/src/Consumer2/a.opt", "/src/Consumer", "/src/Consumer2/a.opt")]
    [InlineData("/src/Consumer/a.opt", null, "/src/Consumer/a.opt")]
    public void Display_path_is_relative_to_the_project_folder_when_inside_it(string path, string? projectDir, string expected) =>
        Assert.Equal(expected, new GeneratorSettings(null, projectDir).DisplayPathOf(path));

    [Fact]
    public void Empty_RootNamespace_is_passed_as_null()
    {
        string? passed = "not called";

        GuardedCompiler.Compile(new OptFileInput("/p/a.opt", ""), new GeneratorSettings(null, null), (_, _, ns, _) =>
        {
            passed = ns;
            return Empty;
        }, CancellationToken.None);

        Assert.Null(passed);
        Assert.Null(GeneratorSettings.From(TestAnalyzerConfigOptionsProvider.ForProject("  ", "").GlobalOptions).RootNamespace);
    }

    [Fact]
    public void A_compiler_exception_becomes_OPT0999_on_the_file()
    {
        var result = GuardedCompiler.Compile(
            new OptFileInput("/src/Consumer/a.opt", "problem P {}"),
            Settings,
            (_, _, _, _) => throw new InvalidOperationException("stage 3 exploded\non two lines"),
            CancellationToken.None);

        Assert.Empty(result.Output.Sources);
        var diagnostic = Assert.Single(result.Output.Diagnostics);
        Assert.Equal("OPT0999", diagnostic.Id);
        Assert.Equal(DiagnosticLevel.Error, diagnostic.Level);
        Assert.Contains("System.InvalidOperationException: stage 3 exploded on two lines", diagnostic.Message);
        Assert.Equal("/src/Consumer/a.opt", result.LocationPathOf(diagnostic));
    }

    [Fact]
    public void Stack_overflow_guards_aside_any_exception_type_is_caught()
    {
        var result = GuardedCompiler.Compile(new OptFileInput("/src/Consumer/a.opt", "x"), Settings, (_, _, _, _) => throw new IndexOutOfRangeException(), CancellationToken.None);

        Assert.Equal("OPT0999", Assert.Single(result.Output.Diagnostics).Id);
    }

    [Fact]
    public void Requested_cancellation_propagates()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => GuardedCompiler.Compile(
            new OptFileInput("/src/Consumer/a.opt", "x"),
            Settings,
            (_, _, _, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                return Empty;
            },
            cancellation.Token));
    }

    [Fact]
    public void OperationCanceledException_without_cancellation_is_a_compiler_bug_reported_as_OPT0999()
    {
        var result = GuardedCompiler.Compile(new OptFileInput("/src/Consumer/a.opt", "x"), Settings, (_, _, _, _) => throw new OperationCanceledException(), CancellationToken.None);

        Assert.Equal("OPT0999", Assert.Single(result.Output.Diagnostics).Id);
    }

    [Fact]
    public void Unreadable_file_reports_OPT0999()
    {
        var result = GuardedCompiler.Compile(new OptFileInput("/src/Consumer/a.opt", null), Settings, (_, _, _, _) => throw new InvalidOperationException("not called"), CancellationToken.None);

        Assert.Contains("could not be read", Assert.Single(result.Output.Diagnostics).Message);
    }

    [Theory]
    [InlineData("Problems/rosenbrock.opt", "Rosenbrock.g.cs", "Problems/rosenbrock.opt/Rosenbrock.g.cs")]
    [InlineData("rosenbrock.opt", "Rosenbrock.g.cs", "rosenbrock.opt/Rosenbrock.g.cs")]
    [InlineData("/elsewhere/shared/a.opt", "A.g.cs", "elsewhere/shared/a.opt/A.g.cs")]
    [InlineData("../sibling/a.opt", "A", "__/sibling/a.opt/A.cs")]
    [InlineData(@"C:\work\my problems\a b.opt", "A.g.cs", "C_/work/my_problems/a_b.opt/A.g.cs")]
    [InlineData("./x/./y.opt", "Sub/Dir\\Name.g.cs", "x/y.opt/Sub_Dir_Name.g.cs")]
    [InlineData("é.opt", "λ.g.cs", "_.opt/_.g.cs")]
    public void Hint_name_is_the_file_path_then_the_compiler_name(string displayPath, string compilerHintName, string expected) =>
        Assert.Equal(expected, Assert.Single(HintNames.For(displayPath, [compilerHintName])));

    [Fact]
    public void Hint_names_repeated_by_the_compiler_are_made_unique()
    {
        var names = HintNames.For("a.opt", ["P.g.cs", "P.g.cs", "p.g.cs", ""]);

        Assert.Equal(["a.opt/P.g.cs", "a.opt/P.g_2.cs", "a.opt/p.g_3.cs", "a.opt/generated.cs"], names);
    }

    [Fact]
    public void Files_whose_paths_sanitize_to_one_name_or_differ_only_in_case_all_get_their_sources()
    {
        // Each file declares its own namespace, so the classes themselves do not clash; only the hint names could.
        string Problem(string ns) => $"namespace {ns}; problem P {{ var x; minimize (x - 1)^2; }}";
        var run = new GeneratorDriverHarness().Run(
        [
            new OptSource("a b.opt", Problem("N1")),
            new OptSource("a_b.opt", Problem("N2")),
            new OptSource("Case.opt", Problem("N3")),
            new OptSource("case.opt", Problem("N4")),
            new OptSource("CASE.OPT", Problem("N5")),
        ]);

        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        Assert.Equal(["CASE.OPT/P.g.cs", "Case.opt_2/P.g.cs", "a_b.opt/P.g.cs", "a_b.opt_2/P.g.cs", "case.opt_3/P.g.cs"],
            run.Sources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Two_files_declaring_the_same_class_both_get_their_sources_added()
    {
        var results = new[]
        {
            Result("/src/Consumer/a/model.opt", "a/model.opt", new GeneratedSource("Fit.g.cs", "namespace A { public sealed partial class Fit { } }")),
            Result("/src/Consumer/b/model.opt", "b/model.opt", new GeneratedSource("Fit.g.cs", "namespace B { public sealed partial class Fit { } }")),
        };

        var run = RunSourceOutput(results);

        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["a/model.opt/Fit.g.cs", "b/model.opt/Fit.g.cs"], run.Sources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void Compiler_diagnostics_are_reported_at_the_opt_file_with_their_severity()
    {
        var diagnostics = new EquatableArray<OptDiagnostic>(
        [
            Descriptors.UnknownName.Create("p.opt", new SourceSpan(30, 1, 2, 13, 2, 14), "y", ""),
            Descriptors.UnusedVariable.Create("p.opt", new SourceSpan(12, 1, 1, 8, 1, 9), "z"),
        ]);
        var result = new OptFileResult("/src/Consumer/p.opt", "p.opt", new CompileOutput(EquatableArray<GeneratedSource>.Empty, diagnostics));

        var run = RunSourceOutput([result]);

        Assert.Equal(
            ["/src/Consumer/p.opt(3,14): error OPT0002: The name 'y' is not declared",
             "/src/Consumer/p.opt(2,9): warning OPT0025: Decision variable 'z' does not appear in the objective or constraints"],
            run.GeneratorDiagnostics.Select(d => d.ToString()));
    }

    private static readonly CompileOutput Empty = new(EquatableArray<GeneratedSource>.Empty, EquatableArray<OptDiagnostic>.Empty);

    private static OptFileResult Result(string path, string displayPath, params GeneratedSource[] sources) =>
        new(path, displayPath, new CompileOutput(new EquatableArray<GeneratedSource>(sources), EquatableArray<OptDiagnostic>.Empty));

    /// <summary>Runs the generator's real output step on given compile results, inside a real Roslyn driver.</summary>
    private static GeneratorRun RunSourceOutput(IReadOnlyList<OptFileResult> results)
    {
        GeneratorDriver driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(new SourceOutputGenerator(results));
        return GeneratorDriverHarness.RunGenerators(ref driver, GeneratorDriverHarness.CreateCompilation([]));
    }

    private sealed class SourceOutputGenerator(IReadOnlyList<OptFileResult> results) : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(context.CompilationProvider, (spc, _) =>
            {
                foreach (var result in results)
                {
                    SourceOutput.Emit(spc, result);
                }
            });
    }
}
