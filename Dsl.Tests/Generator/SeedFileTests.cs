using System.Linq;
using System.Threading;
using OptDsl.Compiler;
using Xunit;

namespace OptDsl.Tests.Generator;

/// <summary>The seed files are valid programs: otherwise the mutation tests would start from broken input.</summary>
public sealed class SeedFileTests
{
    [Theory]
    [MemberData(nameof(SeedFiles.Names), MemberType = typeof(SeedFiles))]
    public void Seed_parses_without_syntax_errors(string name)
    {
        var syntax = OptSyntax.Parse(SeedFiles.Get(name).Text);

        Assert.Empty(syntax.Errors);
        Assert.True(syntax.BlockCount > 0);
    }

    [Theory]
    [MemberData(nameof(SeedFiles.Names), MemberType = typeof(SeedFiles))]
    public void Seed_compiles_without_errors(string name)
    {
        var output = OptCompiler.Compile(name, SeedFiles.Get(name).Text, "Consumer", CancellationToken.None);

        // OPT0900 ("part of the language but not built yet") is allowed while the compiler grows.
        var errors = output.Diagnostics.Where(d => d.Level == DiagnosticLevel.Error && d.Id != "OPT0900").Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(SeedFiles.Names), MemberType = typeof(SeedFiles))]
    public void Seed_generates_csharp_that_compiles_against_the_runtime(string name)
    {
        var run = new GeneratorDriverHarness().Run(name, SeedFiles.Get(name).Text);

        Assert.Null(run.Exception);
        var errors = run.CompilationErrors.Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
