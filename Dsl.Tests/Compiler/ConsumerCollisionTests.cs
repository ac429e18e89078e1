using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptDsl.Compiler;
using OptDsl.Tests.Generator;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// Generated code names every framework and runtime type fully qualified (<c>global::System.Math</c>,
/// <c>global::OptDsl.Runtime.SolveResult</c>): a consumer whose own types are called <c>Math</c>, <c>Array</c>,
/// <c>Span</c>, <c>System</c>, <c>OptDsl</c> or <c>Runtime</c>, declared in the namespace of its .opt classes, still
/// builds cleanly. Every language feature's generated code is compiled beside such a consumer.
/// </summary>
public sealed class ConsumerCollisionTests
{
    private const string Namespace = "Consumer.App";

    /// <summary>Types a consumer may well declare, each shadowing a name generated code could otherwise bind to.</summary>
    private static readonly string[] ShadowingTypes =
    [
        "Math", "MathF", "Array", "Span", "ReadOnlySpan", "Memory", "System", "OptDsl", "Runtime", "Double", "Int32", "Int64",
        "String", "Object", "Exception", "ArgumentException", "ArgumentOutOfRangeException", "ArgumentNullException",
        "InvalidOperationException", "NotSupportedException", "Func", "Action", "Nullable", "GC", "Buffer", "BitConverter",
        "Collections", "Generic", "List", "IReadOnlyList", "IEnumerable", "Numerics", "Tensors", "TensorPrimitives",
        "Linq", "Enumerable", "CodeDom", "GeneratedCode", "GeneratedCodeAttribute", "Threading", "CancellationToken",
        "TimeSpan", "IProgress", "SolveResult", "SolveOptions", "SolveStatus", "GeneratedSupport", "OptMath",
        "IObjectiveProblem", "IGradientProblem", "ISecondOrderProblem", "IConstrainedProblem", "ILeastSquaresProblem", "IParetoProblem",
        "ParetoFront", "ParetoSweep", "VariableLayout", "Globalization", "CultureInfo", "Diagnostics", "Debug",
    ];

    private static readonly string[] GenericShadowingTypes =
    [
        "Span<T>", "ReadOnlySpan<T>", "Memory<T>", "List<T>", "IReadOnlyList<T>", "IEnumerable<T>", "IProgress<T>",
        "Func<T, TResult>", "Action<T>", "Nullable<T>", "Dictionary<TKey, TValue>",
    ];

    private static string ConsumerSource() =>
        $"namespace {Namespace}\n{{\n"
        + string.Concat(ShadowingTypes.Select(t => $"    internal sealed class {t} {{ }}\n"))
        // Generic names are looked up by arity: Span<double> is captured only by a generic Span<T>.
        + string.Concat(GenericShadowingTypes.Select(t => $"    internal sealed class {t} {{ }}\n"))
        + "}\n";

    [Fact]
    public void Every_feature_builds_beside_types_named_like_the_framework()
    {
        var generated = SnapshotTests.Features
            .SelectMany(f => OptCompiler.Compile(f.Key + ".opt", f.Value.Replace("\r\n", "\n"), Namespace).Sources)
            .Concat(GeneratedCode.ProblemFiles().SelectMany(f => OptCompiler.Compile(Path.GetFileName(f.Path), f.Text, Namespace + ".Problems").Sources))
            .ToList();
        Assert.True(generated.Count > SnapshotTests.Features.Count / 2, $"only {generated.Count} generated files");

        // The problem files' namespace gets the same shadowing types as the features'.
        string consumer = ConsumerSource() + ConsumerSource().Replace($"namespace {Namespace}", $"namespace {Namespace}.Problems");
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
        var trees = generated.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, path: s.HintName))
            .Append(CSharpSyntaxTree.ParseText(consumer, parse, path: "Consumer.cs"));
        var compilation = CSharpCompilation.Create("Consumer", trees, CompilationReferences.Consumer,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, warningLevel: 9999, nullableContextOptions: NullableContextOptions.Enable));

        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.True(result.Success && problems.Count == 0,
            $"{problems.Count} errors or warnings, e.g.:\n{string.Join("\n", problems.Take(20))}");
    }

    [Fact]
    public void The_consumer_types_do_shadow_unqualified_names()
    {
        // The check above only proves something if the consumer's types really capture simple names: code that writes
        // Math.Sqrt or Span<double> in that namespace does not compile.
        string unqualified = $"namespace {Namespace} {{ internal static class Probe {{ static double F(double x) => Math.Sqrt(x); static double G(double x) => System.Math.Abs(x); static void H(Span<double> s) {{ }} static void K() => H(new double[1]); }} }}";
        var compilation = CSharpCompilation.Create("Probe",
            [CSharpSyntaxTree.ParseText(ConsumerSource()), CSharpSyntaxTree.ParseText("global using System;\n" + unqualified)],
            CompilationReferences.Consumer, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToList();
        Assert.Equal(2, errors.Count(e => e == "CS0117")); // 'Math' has no 'Sqrt'; 'System' has no 'Math'
        Assert.Contains("CS1503", errors); // no conversion from the consumer's Span<double> (H's parameter) at the call below
    }
}
