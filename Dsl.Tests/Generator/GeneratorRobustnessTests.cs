using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using OptDsl.Compiler;
using Xunit;

namespace OptDsl.Tests.Generator;

/// <summary>
/// "The generator never throws; every failure is a diagnostic" (docs/language.md), checked on thousands of
/// corrupted files derived from valid seeds: the compiler directly for all of them, the full Roslyn
/// driver for a few hundred. A failure message names the mutant and shows its text, so it can be replayed.
/// </summary>
public sealed class GeneratorRobustnessTests(MutantCorpus corpus) : IClassFixture<MutantCorpus>
{
    /// <summary>How many mutants also go through the whole generator driver (every n-th one).</summary>
    private const int DriverMutants = 300;

    /// <summary>How many accepted mutants have their generated C# compiled (the slow part).</summary>
    private const int CompiledMutants = 40;

    private static readonly HashSet<string> CatalogIds = [.. Descriptors.All.Select(d => d.Id)];

    [Fact]
    public void Corpus_is_large_and_varied()
    {
        Assert.Equal(MutantCorpus.Count, corpus.Mutants.Count);
        Assert.True(corpus.Seeds.Count >= 5, "Expected at least five seed files.");
        Assert.True(corpus.Mutants.Select(m => m.Text).Distinct().Count() > MutantCorpus.Count * 9 / 10, "Too many identical mutants.");
        Assert.True(corpus.Outcomes.Count(o => !o.Syntax.IsValid) > MutantCorpus.Count / 2, "Most mutants should be syntax errors.");
        Assert.True(corpus.Outcomes.Count(o => o.Syntax.IsValid) > 100, "Some mutants should still parse (semantic errors, odd values).");
    }

    [Fact]
    public void Compiler_never_throws_on_corrupted_files()
    {
        var failures = corpus.Outcomes.Where(o => o.Exception is not null).ToList();

        Assert.True(failures.Count == 0, Report($"{failures.Count} of {MutantCorpus.Count} mutants made OptCompiler.Compile throw", failures, o => o.Exception!.ToString()));
    }

    [Fact]
    public void No_mutant_triggers_an_internal_compiler_error()
    {
        // The compiler turns its own exceptions into OPT0999, so "never throws" alone would hide its crashes.
        var failures = corpus.Outcomes.Where(o => o.Output?.Diagnostics.Any(d => d.Id == Descriptors.InternalError.Id) == true).ToList();

        Assert.True(failures.Count == 0, Report(
            $"{failures.Count} of {MutantCorpus.Count} mutants hit an internal compiler error (OPT0999)",
            failures,
            o => string.Join("; ", o.Output!.Diagnostics.Where(d => d.Id == Descriptors.InternalError.Id))));
    }

    [Fact]
    public void Every_result_is_sources_or_OPT_diagnostics()
    {
        var problems = new List<(MutantOutcome Outcome, string Problem)>();
        foreach (var outcome in corpus.Outcomes.Where(o => o.Output is not null))
        {
            var output = outcome.Output!;
            foreach (var diagnostic in output.Diagnostics)
            {
                if (!CatalogIds.Contains(diagnostic.Id))
                {
                    problems.Add((outcome, $"diagnostic id '{diagnostic.Id}' is not in Descriptors.All"));
                }

                if (diagnostic.Path != MutantCorpus.PathOf(outcome.Mutant))
                {
                    problems.Add((outcome, $"diagnostic path '{diagnostic.Path}' is not the compiled file"));
                }

                if (string.IsNullOrWhiteSpace(diagnostic.Message))
                {
                    problems.Add((outcome, $"{diagnostic.Id} has an empty message"));
                }
            }

            foreach (var source in output.Sources)
            {
                if (string.IsNullOrWhiteSpace(source.HintName) || string.IsNullOrWhiteSpace(source.Text))
                {
                    problems.Add((outcome, $"generated source '{source.HintName}' has an empty name or text"));
                }
            }

            // A file that declares something (or does not parse) must produce something. Checked once the
            // compiler produces output for the seeds; an empty or comment-only file may produce nothing.
            var seedProducesOutput = corpus.SeedOutputs[outcome.Mutant.SeedName] is { } seed && (seed.Sources.Count > 0 || seed.Diagnostics.Count > 0);
            var declaresSomething = !outcome.Syntax.IsValid || outcome.Syntax.BlockCount > 0;
            if (seedProducesOutput && declaresSomething && output.Sources.Count == 0 && output.Diagnostics.Count == 0)
            {
                problems.Add((outcome, outcome.Syntax.IsValid ? "no sources and no diagnostics" : $"syntax error ({outcome.Syntax.Errors[0]}) but no diagnostics"));
            }

            if (!outcome.Syntax.IsValid && seedProducesOutput && !output.Diagnostics.Any(d => d.Level == DiagnosticLevel.Error))
            {
                problems.Add((outcome, $"syntax error ({outcome.Syntax.Errors[0]}) but no error diagnostic"));
            }
        }

        Assert.True(problems.Count == 0, Report($"{problems.Count} bad results", problems.Select(p => p.Outcome).ToList(), o => string.Join("; ", problems.Where(p => p.Outcome == o).Select(p => p.Problem))));
    }

    [Fact]
    public void Diagnostic_spans_lie_inside_the_file_and_agree_with_their_line_and_column()
    {
        var problems = new List<(MutantOutcome Outcome, string Problem)>();
        foreach (var outcome in corpus.Outcomes.Where(o => o.Output is not null))
        {
            var text = outcome.Mutant.Text;
            var lines = SourceText.From(text).Lines;
            // Roslyn also breaks lines at U+2028, U+2029, U+0085 and a lone '\r'; ANTLR only at '\n'. Compare positions only where both agree.
            var lineBreaksAgree = !text.Any(c => c is '\u2028' or '\u2029' or '\u0085') && !text.Replace("\r\n", "\n").Contains('\r');
            foreach (var diagnostic in outcome.Output!.Diagnostics.Where(d => d.Span != SourceSpan.None))
            {
                var span = diagnostic.Span;
                if (span.Start < 0 || span.Length < 0 || span.Start + span.Length > text.Length)
                {
                    problems.Add((outcome, $"{diagnostic.Id} span [{span.Start}, +{span.Length}) is outside the text (length {text.Length})"));
                    continue;
                }

                if (span.Line < 0 || span.Column < 0 || (span.EndLine, span.EndColumn).CompareTo((span.Line, span.Column)) < 0)
                {
                    problems.Add((outcome, $"{diagnostic.Id} line/column span {span.Line}:{span.Column}-{span.EndLine}:{span.EndColumn} is malformed"));
                    continue;
                }

                if (lineBreaksAgree)
                {
                    var position = lines.GetLinePosition(span.Start);
                    if (position.Line != span.Line || position.Character != span.Column)
                    {
                        problems.Add((outcome, $"{diagnostic.Id} at offset {span.Start} says {span.Line}:{span.Column} (zero-based), the text says {position.Line}:{position.Character}"));
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, Report($"{problems.Count} misplaced diagnostics", problems.Select(p => p.Outcome).Distinct().ToList(), o => string.Join("; ", problems.Where(p => p.Outcome == o).Select(p => p.Problem))));
    }

    [Fact]
    public void Generator_never_fails_on_corrupted_files()
    {
        var harness = new GeneratorDriverHarness(MutantCorpus.RootNamespace, MutantCorpus.ProjectDir);
        var compilation = GeneratorDriverHarness.CreateCompilation(["namespace Consumer { internal static class UserCode { } }"]);
        var problems = new List<(Mutant Mutant, string Problem)>();
        foreach (var mutant in DriverSample())
        {
            var driver = harness.CreateDriver([harness.AdditionalText(MutantCorpus.PathOf(mutant), mutant.Text)]);
            var run = GeneratorDriverHarness.RunGenerators(ref driver, compilation);
            if (run.Exception is not null)
            {
                problems.Add((mutant, "generator threw " + run.Exception));
            }

            foreach (var diagnostic in run.GeneratorDiagnostics)
            {
                if (!diagnostic.Id.StartsWith("OPT", StringComparison.Ordinal))
                {
                    problems.Add((mutant, $"non-OPT diagnostic {diagnostic}"));
                }
                else if (diagnostic.Location.GetLineSpan().Path != harness.PathOf(MutantCorpus.PathOf(mutant)))
                {
                    problems.Add((mutant, $"{diagnostic.Id} is located in '{diagnostic.Location.GetLineSpan().Path}', not the .opt file"));
                }
            }
        }

        Assert.True(problems.Count == 0, Report($"{problems.Count} generator failures (CS8785 is Roslyn's 'generator failed')", problems, p => p.Problem));
    }

    [Fact]
    public void Mutants_accepted_without_errors_generate_compilable_csharp()
    {
        var harness = new GeneratorDriverHarness(MutantCorpus.RootNamespace, MutantCorpus.ProjectDir);
        var accepted = corpus.Outcomes
            .Where(o => o.Output is { } output && output.Sources.Count > 0 && !output.Diagnostics.Any(d => d.Level == DiagnosticLevel.Error))
            .Take(CompiledMutants)
            .ToList();
        var problems = new List<(Mutant Mutant, string Problem)>();
        foreach (var outcome in accepted)
        {
            var run = harness.Run(MutantCorpus.PathOf(outcome.Mutant), outcome.Mutant.Text);
            var errors = run.CompilationErrors.Take(5).ToList();
            if (errors.Count > 0)
            {
                problems.Add((outcome.Mutant, string.Join("\n", errors)));
            }
        }

        Assert.True(problems.Count == 0, Report($"{problems.Count} of {accepted.Count} accepted mutants generated C# that does not compile", problems, p => p.Problem));
    }

    private IEnumerable<Mutant> DriverSample() =>
        corpus.Mutants.Where((_, i) => i % (MutantCorpus.Count / DriverMutants) == 0);

    private static string Report<T>(string headline, IReadOnlyList<T> failures, Func<T, string> describe) where T : notnull
    {
        var text = new StringBuilder(headline).AppendLine(". First ones:");
        foreach (var failure in failures.Take(5))
        {
            var mutant = failure switch
            {
                MutantOutcome outcome => outcome.Mutant,
                ValueTuple<Mutant, string> pair => pair.Item1,
                _ => null,
            };
            text.AppendLine(describe(failure));
            if (mutant is not null)
            {
                text.AppendLine(mutant.ToString());
            }
        }

        return text.ToString();
    }
}
