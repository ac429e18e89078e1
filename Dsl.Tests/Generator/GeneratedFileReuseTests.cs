using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using OptDsl.Generators;
using Xunit;

namespace OptDsl.Tests.Generator;

/// <summary>
/// Reuse of an earlier build's generated sources (<see cref="GeneratedFileReuse"/>), as a build without the compiler
/// server does it: each run here is a new driver (a new csc), given the files the last run's csc wrote out.
/// </summary>
public sealed class GeneratedFileReuseTests
{
    private const string StampPrefix = "// OptDsl generated-file stamp: ";

    private const string TwoProblems = """
        problem Rosenbrock {
            var x[2] = [-1.2, 1.0];
            minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2;
        }

        problem Quadratic {
            var x[3] = 1;
            minimize sum(i in 0..3) (x[i] - i)^2;
        }
        """;

    /// <summary>Where csc writes the generator's files (EmitCompilerGeneratedFiles), as the next build passes them back.</summary>
    private const string EmittedFolder = "/src/Consumer/obj/Debug/net10.0/generated/OptDsl.Generators/OptDsl.Generators.OptGenerator/";

    private static readonly GeneratorDriverHarness Harness = new();

    [Fact]
    public void Without_the_property_generated_files_are_not_stamped()
    {
        var run = Run(reuse: false, TwoProblems);

        Assert.Equal(2, run.Sources.Count);
        Assert.All(run.Sources, source => Assert.DoesNotContain("OptDsl generated-file stamp", source.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void With_the_property_each_file_is_the_compiled_source_under_one_stamp_line_and_compiles()
    {
        var plain = Run(reuse: false, TwoProblems);
        var stamped = Run(reuse: true, TwoProblems);

        Assert.Empty(stamped.GeneratorDiagnostics);
        Assert.Empty(stamped.CompilationErrors);
        Assert.Equal(plain.Sources.Select(s => s.HintName), stamped.Sources.Select(s => s.HintName));
        for (var i = 0; i < plain.Sources.Count; i++)
        {
            var text = stamped.Sources[i].Text;
            Assert.StartsWith(StampPrefix, text, StringComparison.Ordinal);
            Assert.Equal(plain.Sources[i].Text, text[(text.IndexOf('\n') + 1)..]);
        }
    }

    [Fact]
    public void The_next_build_takes_an_unchanged_files_sources_from_the_written_files()
    {
        var first = Run(reuse: true, TwoProblems);
        // Proof that they are taken, not compiled again: a written file edited (its stamp's hash made to match) comes back as edited.
        var written = Written(first);
        written[0] = Edited(written[0], "// edited after the build\n");

        var second = Run(reuse: true, TwoProblems, written);

        Assert.Empty(second.GeneratorDiagnostics);
        Assert.Equal(written.Select(w => w.Text), second.Sources.Select(s => s.Text));
        Assert.Contains("// edited after the build", second.Sources[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Untouched_written_files_give_the_same_sources_as_compiling()
    {
        var first = Run(reuse: true, TwoProblems);
        var second = Run(reuse: true, TwoProblems, Written(first));

        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void A_changed_opt_file_is_compiled_again()
    {
        var first = Run(reuse: true, TwoProblems);
        var written = Written(first);
        written[0] = Edited(written[0], "// edited after the build\n");

        var changed = TwoProblems.Replace("-1.2", "-1.5");
        var second = Run(reuse: true, changed, written);

        Assert.Equal(Run(reuse: true, changed).Sources, second.Sources);
        Assert.Contains("-1.5", second.Sources[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_written_file_whose_text_no_longer_matches_its_stamp_is_not_used()
    {
        var first = Run(reuse: true, TwoProblems);
        var written = Written(first);
        // Edited without updating the stamp's hash, as a hand edit of the file would.
        written[0] = new InMemoryAdditionalText(written[0].Path, written[0].Text + "// hand edit\n");

        var second = Run(reuse: true, TwoProblems, written);

        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void A_file_whose_written_sources_are_incomplete_is_compiled_again()
    {
        var first = Run(reuse: true, TwoProblems);
        var written = Written(first);
        written[1] = Edited(written[1], "// edited after the build\n");

        var second = Run(reuse: true, TwoProblems, [written[1]]);

        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void Files_with_diagnostics_are_not_stamped_so_a_later_build_reports_them_again()
    {
        const string Unused = """
            problem Unused {
                var x[2] = 1;
                var y = 0;
                minimize (x[0] - 1)^2 + (x[1] - 2)^2;
            }
            """;
        var first = Run(reuse: true, Unused);
        Assert.Contains(first.GeneratorDiagnostics, d => d.Id == "OPT0025");
        Assert.All(first.Sources, source => Assert.False(source.Text.StartsWith(StampPrefix, StringComparison.Ordinal)));

        var second = Run(reuse: true, Unused, Written(first));
        Assert.Contains(second.GeneratorDiagnostics, d => d.Id == "OPT0025");
    }

    [Fact]
    public void Stamped_files_that_are_not_under_the_generators_output_folder_are_ignored()
    {
        var first = Run(reuse: true, TwoProblems);
        var elsewhere = Written(first).Select(w => Edited(new InMemoryAdditionalText(w.Path.Replace("OptDsl.Generators.OptGenerator", "Other"), w.Text), "// edited\n")).ToList();

        var second = Run(reuse: true, TwoProblems, elsewhere);

        Assert.Equal(first.Sources, second.Sources);
    }

    private static GeneratorRun Run(bool reuse, string opt, IEnumerable<InMemoryAdditionalText>? written = null)
    {
        var options = new Dictionary<string, string>
        {
            ["build_property.RootNamespace"] = GeneratorDriverHarness.DefaultRootNamespace,
            ["build_property.ProjectDir"] = GeneratorDriverHarness.DefaultProjectDir,
        };
        if (reuse)
        {
            options["build_property.OptDslReuseGeneratedFiles"] = "true";
        }

        GeneratorDriver driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            [new OptGenerator().AsSourceGenerator()],
            [Harness.AdditionalText("model.opt", opt), .. written ?? []],
            GeneratorDriverHarness.ParseOptions,
            new TestAnalyzerConfigOptionsProvider(options),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        return GeneratorDriverHarness.RunGenerators(ref driver, GeneratorDriverHarness.CreateCompilation([]));
    }

    /// <summary>The files csc would write for a run, at their paths under the output folder.</summary>
    private static List<InMemoryAdditionalText> Written(GeneratorRun run) =>
        [.. run.Sources.Select(source => new InMemoryAdditionalText(EmittedFolder + source.HintName, source.Text))];

    /// <summary>A written file with <paramref name="line"/> added to its source and its stamp's hash updated to match.</summary>
    private static InMemoryAdditionalText Edited(InMemoryAdditionalText file, string line)
    {
        var newline = file.Text.IndexOf('\n');
        var fields = file.Text[StampPrefix.Length..newline].Split(' ', 5);
        var body = line + file.Text[(newline + 1)..];
        fields[3] = GeneratedFileReuse.Hash(body);
        return new InMemoryAdditionalText(file.Path, StampPrefix + string.Join(' ', fields) + "\n" + body);
    }
}
