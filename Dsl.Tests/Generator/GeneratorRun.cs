using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace OptDsl.Tests.Generator;

/// <summary>A generated file: the hint name the generator gave it and its text.</summary>
public sealed record GeneratedFile(string HintName, string Text);

/// <summary>The outcome of one generator run (see <see cref="GeneratorDriverHarness"/>).</summary>
public sealed class GeneratorRun
{
    private readonly Lazy<ImmutableArray<Diagnostic>> _compilationDiagnostics;

    public GeneratorRun(GeneratorDriver driver, GeneratorDriverRunResult runResult, ImmutableArray<Diagnostic> driverDiagnostics, Compilation outputCompilation)
    {
        Driver = driver;
        RunResult = runResult;
        GeneratorDiagnostics = driverDiagnostics;
        OutputCompilation = outputCompilation;
        Sources = [.. Result.GeneratedSources.Select(source => new GeneratedFile(source.HintName, source.SourceText.ToString()))];
        _compilationDiagnostics = new(() => OutputCompilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray());
    }

    /// <summary>The driver after this run: run it again to test incrementality.</summary>
    public GeneratorDriver Driver { get; }

    public GeneratorDriverRunResult RunResult { get; }

    /// <summary>The OptGenerator's result: its sources, diagnostics, exception and tracked steps.</summary>
    public GeneratorRunResult Result => RunResult.Results.Single();

    /// <summary>The generated files, in the order the generator added them.</summary>
    public IReadOnlyList<GeneratedFile> Sources { get; }

    /// <summary>Everything the generator reported: the OPT diagnostics, and CS8785 if it threw.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>The exception the generator threw (Roslyn turns it into CS8785), or null.</summary>
    public Exception? Exception => Result.Exception;

    /// <summary>The consumer compilation with the generated files added.</summary>
    public Compilation OutputCompilation { get; }

    /// <summary>Warnings and errors of the consumer compilation after generation (computed on first use).</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics => _compilationDiagnostics.Value;

    public IEnumerable<Diagnostic> CompilationErrors => CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The text of the one generated file whose hint name ends with <paramref name="hintNameSuffix"/> (e.g. "Rosenbrock.g.cs").</summary>
    public string Source(string hintNameSuffix)
    {
        var matches = Sources.Where(s => s.HintName.EndsWith(hintNameSuffix, StringComparison.Ordinal)).ToList();
        return matches.Count == 1
            ? matches[0].Text
            : throw new InvalidOperationException($"Expected one generated file ending with '{hintNameSuffix}', found {matches.Count}.\n{Describe()}");
    }

    /// <summary>A readable account of the run, for assertion messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"Generated files: {(Sources.Count == 0 ? "none" : string.Join(", ", Sources.Select(s => s.HintName)))}");
        foreach (var diagnostic in GeneratorDiagnostics)
        {
            text.AppendLine($"  generator: {diagnostic}");
        }

        if (Exception is not null)
        {
            text.AppendLine($"  exception: {Exception}");
        }

        return text.ToString();
    }
}
