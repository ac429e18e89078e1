using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptDsl.Compiler;
using OptDsl.Runtime;
using OptDsl.Tests.Generator;

namespace OptDsl.Tests.Compiler;

/// <summary>Compiles .opt sources with the OptDsl compiler, then the generated C# with Roslyn, and loads the result.</summary>
public static class GeneratedCode
{
    /// <summary>Generated C# for one .opt text; fails the test on any error diagnostic.</summary>
    public static IReadOnlyList<GeneratedSource> Generate(string path, string text, string? ns = "Generated.Tests")
    {
        var output = OptCompiler.Compile(path, text, ns);
        var errors = output.Diagnostics.Where(d => d.Level == DiagnosticLevel.Error).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("The .opt file has errors:\n" + string.Join("\n", errors));
        return output.Sources.ToList();
    }

    /// <summary>Compiles every file into one in-memory assembly (one Roslyn compilation keeps the suite fast).</summary>
    public static Assembly Build(IEnumerable<(string Path, string Text)> files, string? ns = "Generated.Tests")
    {
        var trees = files.SelectMany(f => Generate(f.Path, f.Text, ns))
            .Select(s => CSharpSyntaxTree.ParseText(s.Text, new CSharpParseOptions(LanguageVersion.Latest), path: s.HintName))
            .ToList();
        var compilation = CSharpCompilation.Create(
            "Generated" + Guid.NewGuid().ToString("N"),
            trees,
            CompilationReferences.Consumer,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (!result.Success || problems.Count > 0)
            throw new InvalidOperationException("The generated C# does not compile cleanly:\n" + string.Join("\n", problems));
        return Assembly.Load(stream.ToArray());
    }

    public static Assembly Build(string path, string text) => Build([(path, text)]);

    /// <summary>All .opt files under Compiler/Problems of the test output.</summary>
    public static IEnumerable<(string Path, string Text)> ProblemFiles() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Compiler", "Problems"), "*.opt")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (p, File.ReadAllText(p)));

    public static object Create(this Assembly assembly, string typeName, params object[] arguments)
    {
        var type = assembly.GetTypes().SingleOrDefault(t => t.Name == typeName)
            ?? throw new InvalidOperationException($"No generated type {typeName}.");
        return Activator.CreateInstance(type, arguments)!;
    }

    public static ISecondOrderProblem Problem(this Assembly assembly, string typeName, params object[] arguments) =>
        (ISecondOrderProblem)assembly.Create(typeName, arguments);

    /// <summary>Calls the generated <c>Solve(SolveOptions?)</c>.</summary>
    public static SolveResult Solve(object problem, SolveOptions? options = null) =>
        (SolveResult)problem.GetType().GetMethod("Solve", [typeof(SolveOptions)])!.Invoke(problem, [options])!;

    /// <summary>Calls the generated <c>Solve(ReadOnlySpan&lt;double&gt;, SolveOptions?)</c> through a start array.</summary>
    public static SolveResult SolveFrom(object problem, double[] start, SolveOptions? options = null)
    {
        var method = problem.GetType().GetMethod("Solve", [typeof(ReadOnlySpan<double>), typeof(SolveOptions)])!;
        var solve = method.CreateDelegate<SolveFromSpan>(problem);
        return solve(start, options);
    }

    private delegate SolveResult SolveFromSpan(ReadOnlySpan<double> start, SolveOptions? options);

    public static T Get<T>(object problem, string property) => (T)problem.GetType().GetProperty(property)!.GetValue(problem)!;

    public static void Set(object problem, string property, object value) => problem.GetType().GetProperty(property)!.SetValue(problem, value);
}
