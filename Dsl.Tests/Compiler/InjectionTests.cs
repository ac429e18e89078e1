using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptDsl.Compiler;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// A .opt file and its file name are data, never code. Each payload below once became C# (a line terminator that ends a
/// generated comment, a file name inside an interpolated string); now the generated code must compile cleanly and hold
/// the payload's code only inside comments and string literals.
/// </summary>
public sealed class InjectionTests
{
    private const string Marker = "CreateDirectory";

    /// <summary>Every C# line terminator besides \n, each a way out of a <c>//</c> or <c>///</c> comment.</summary>
    public static readonly TheoryData<string> LineTerminators = new() { "\u2028", "\u2029", "\u0085", "\r", "\n", "\r\n" };

    private static string Payload(string terminator) =>
        $"/* {terminator}System.IO.Directory.{Marker}(\"pwned\");{terminator}static int Evil() => 1;{terminator} */";

    private static void AssertNoExecutableTrace(string generated)
    {
        var root = CSharpSyntaxTree.ParseText(generated, new CSharpParseOptions(LanguageVersion.Latest)).GetRoot();
        var tokens = root.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken) && (t.ValueText == Marker || t.ValueText == "Evil")).ToList();
        Assert.True(tokens.Count == 0, $"the payload became code at {string.Join(", ", tokens.Select(t => t.GetLocation().GetLineSpan().StartLinePosition))}:\n{generated}");
        Assert.DoesNotContain(root.DescendantNodes(), n => n is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax m && m.Identifier.ValueText == "Evil");
    }

    private static string CompileClean(string path, string text, string? ns = "Injection")
    {
        var output = OptCompiler.Compile(path, text, ns);
        Assert.DoesNotContain(output.Diagnostics, d => d.Level == DiagnosticLevel.Error);
        string generated = string.Concat(output.Sources.Select(s => s.Text));
        AssertNoExecutableTrace(generated);
        GeneratedCode.Build([(path, text)], ns); // compiles with no warnings (CS1570 for broken XML docs included)
        return generated;
    }

    [Theory]
    [MemberData(nameof(LineTerminators))]
    public void A_comment_in_a_param_default_stays_in_the_xml_doc(string terminator) =>
        CompileClean("p.opt", $"problem P {{ param a = 2 {Payload(terminator)} * 1; var x; minimize a * x^2; }}");

    [Theory]
    [MemberData(nameof(LineTerminators))]
    public void A_comment_in_a_constraint_stays_in_the_generated_comment(string terminator) =>
        CompileClean("p.opt", $"problem P {{ var x[2]; minimize x[0]^2 + x[1]^2; subject to {{ x[0] + x[1] {Payload(terminator)} >= 1; }} solver ipm; }}");

    [Theory]
    [MemberData(nameof(LineTerminators))]
    public void A_comment_in_the_objective_stays_in_comments_and_docs(string terminator) =>
        CompileClean("p.opt", $"problem P {{ var x; minimize (x - 1) {Payload(terminator)} ^2; }}");

    [Fact]
    public void Bidirectional_overrides_in_copied_text_are_dropped_from_comments()
    {
        // "Trojan Source": U+202E reverses how the rest of the line is shown; generated comments must read as they compile.
        string generated = CompileClean("p.opt", "problem P { param a = 2 /* \u202E }; evil() { */ * 1; var x; minimize a * x^2; }");
        Assert.DoesNotContain('\u202E', generated);
    }

    public static readonly TheoryData<string> HostileFileNames = new()
    {
        "p{System.IO.Directory.CreateDirectory(nameof(System))}.opt",
        "p\"+System.IO.Directory.CreateDirectory(\"x\")+\".opt",
        "p\\\"); System.IO.Directory.CreateDirectory(\"x\"); //.opt",
        "a&b<c>d.opt",
        "line\u2028System.IO.Directory.CreateDirectory(\"x\");\u2028.opt",
        "line\nSystem.IO.Directory.CreateDirectory(\"x\");\n.opt",
        "crlf\r\nSystem.IO.Directory.CreateDirectory(\"x\");\r\n.opt",
        "*/ System.IO.Directory.CreateDirectory(\"x\"); /*.opt",
        "caf\u00e9 \ud83d\ude80 \u202Ertl.opt",
        "lone\ud800surrogate.opt",
    };

    [Theory]
    [MemberData(nameof(HostileFileNames))]
    public void A_file_name_is_text_in_every_context(string fileName)
    {
        const string text = """
            problem P {
                dim m;
                dim k;
                data y[m];
                data z[m];
                data c;
                var x;
                minimize sum(i in 0..m) (x - y[i] * z[i])^2 + c * x + k * x^2;
            }
            """;
        CompileClean(fileName, text);

        // The file name reaches the messages of the constructor's checks, as text.
        var assembly = GeneratedCode.Build([(fileName, text)], "Injection");
        var type = assembly.GetTypes().Single(t => t.Name == "P");
        string cwd = Directory.GetCurrentDirectory();
        var failure = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(type, new double[] { 1, 2 }, new double[] { 1 }, 0.5, 1));
        var error = Assert.IsType<ArgumentException>(failure.InnerException);
        Assert.Contains("data z (", error.Message);
        Assert.False(Directory.Exists(Path.Combine(cwd, "System")));
        Assert.False(Directory.Exists(Path.Combine(cwd, "x")));
        failure = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(type, new double[] { 1 }, new double[] { 1 }, double.NaN, 1));
        Assert.IsType<ArgumentException>(failure.InnerException);
    }

    [Theory]
    [InlineData("X;System.IO.Directory.CreateDirectory(\"x\");namespace Y")]
    [InlineData("A.B\u2028System.IO.Directory.CreateDirectory(\"x\");")]
    [InlineData("My-App")]
    public void A_hostile_root_namespace_becomes_a_valid_namespace(string rootNamespace) =>
        CompileClean("p.opt", "problem P { var x; minimize x^2; }", rootNamespace);
}
