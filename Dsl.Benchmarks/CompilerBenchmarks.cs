using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using OptDsl.Compiler;

namespace OptDsl.Benchmarks;

/// <summary>
/// Generator time per .opt file: <see cref="OptCompiler.Compile"/> (parse, bind, lower, differentiate, emit C#)
/// on each Problems/*.opt file, from text to generated sources. This is the work the source generator does
/// for a file when it changes; its results are cached per file in between.
/// </summary>
public class CompilerBenchmarks
{
    private string _text = "";

    /// <summary>The .opt file compiled.</summary>
    [ParamsSource(nameof(Files))]
    public string File { get; set; } = "";

    public static IEnumerable<string> Files => ProblemFiles.Names;

    [GlobalSetup]
    public void Setup()
    {
        _text = ProblemFiles.Read(File);
        var output = Compile();
        var errors = output.Diagnostics.Where(diagnostic => diagnostic.Level == DiagnosticLevel.Error).ToList();
        if (errors.Count > 0 || output.Sources.Count == 0)
            throw new InvalidOperationException($"{File} does not compile: {string.Join("; ", errors)}");
    }

    [Benchmark]
    public CompileOutput Compile() => OptCompiler.Compile("/src/Problems/" + File, _text, "OptDsl.Benchmarks");
}
