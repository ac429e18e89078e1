using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptDsl.Generators;

namespace OptDsl.Tests.Generator;

/// <summary>An <c>.opt</c> file given to the generator: a path (relative to the harness's project folder, or absolute) and its text.</summary>
public sealed record OptSource(string Path, string Text);

/// <summary>
/// Runs <see cref="OptGenerator"/> the way a build does, in memory: a C# compilation referencing .NET 10 and
/// OptDsl.Runtime, the <c>.opt</c> files as additional texts, and the MSBuild properties RootNamespace and ProjectDir.
/// <code>
/// var run = new GeneratorDriverHarness().Run("rosenbrock.opt", text);
/// Assert.Empty(run.GeneratorDiagnostics);
/// Assert.Empty(run.CompilationErrors);          // the generated C# compiles
/// Snapshot.Match(run.Source("Rosenbrock.g.cs"));
/// </code>
/// For incrementality tests, <see cref="CreateDriver"/> and <see cref="RunGenerators"/> expose the driver itself.
/// </summary>
public sealed class GeneratorDriverHarness
{
    public const string DefaultRootNamespace = "Consumer";

    /// <summary>A rooted path that is the same on every machine, so generated comments and snapshots are stable.</summary>
    public const string DefaultProjectDir = "/src/Consumer/";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public GeneratorDriverHarness(string? rootNamespace = DefaultRootNamespace, string? projectDir = DefaultProjectDir)
    {
        RootNamespace = rootNamespace;
        ProjectDir = projectDir;
    }

    /// <summary>The project's RootNamespace (null: the property is absent).</summary>
    public string? RootNamespace { get; }

    /// <summary>The project's folder, ending in '/' (null: the property is absent).</summary>
    public string? ProjectDir { get; }

    /// <summary>The options provider a project with <see cref="RootNamespace"/> and <see cref="ProjectDir"/> gives the generator.</summary>
    public TestAnalyzerConfigOptionsProvider OptionsProvider => TestAnalyzerConfigOptionsProvider.ForProject(RootNamespace, ProjectDir);

    /// <summary>The absolute path of a project file: <paramref name="path"/> itself if rooted, else under <see cref="ProjectDir"/>.</summary>
    public string PathOf(string path) =>
        path.StartsWith('/') || System.IO.Path.IsPathRooted(path) || ProjectDir is null ? path : ProjectDir.TrimEnd('/') + "/" + path;

    /// <summary>One <c>.opt</c> file as the additional text MSBuild would pass.</summary>
    public InMemoryAdditionalText AdditionalText(string path, string text) => new(PathOf(path), text);

    /// <summary>Runs the generator once on one <c>.opt</c> file.</summary>
    public GeneratorRun Run(string optPath, string optText, params string[] csharpSources) =>
        Run([new OptSource(optPath, optText)], csharpSources);

    /// <summary>Runs the generator once on several <c>.opt</c> files, with optional hand-written C# in the same compilation.</summary>
    public GeneratorRun Run(IEnumerable<OptSource> optFiles, IEnumerable<string>? csharpSources = null)
    {
        var driver = CreateDriver(optFiles.Select(file => (AdditionalText)AdditionalText(file.Path, file.Text)));
        return RunGenerators(ref driver, CreateCompilation(csharpSources ?? []));
    }

    /// <summary>A consumer compilation (a class library, nullable enabled) of the given C# sources.</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<string> csharpSources) =>
        CSharpCompilation.Create(
            "Consumer",
            csharpSources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"/src/Consumer/Source{i}.cs")),
            CompilationReferences.Consumer,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                deterministic: true));

    /// <summary>A driver for <see cref="OptGenerator"/> with step tracking on, over these additional files (any extension).</summary>
    public GeneratorDriver CreateDriver(IEnumerable<AdditionalText> additionalTexts) =>
        CSharpGeneratorDriver.Create(
            [new OptGenerator().AsSourceGenerator()],
            additionalTexts,
            ParseOptions,
            OptionsProvider,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs <paramref name="driver"/> on <paramref name="compilation"/> and advances it (drivers are immutable), as an IDE edit or a rebuild does.</summary>
    public static GeneratorRun RunGenerators(ref GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var outputCompilation, out var diagnostics);
        return new GeneratorRun(driver, driver.GetRunResult(), diagnostics, outputCompilation);
    }
}
