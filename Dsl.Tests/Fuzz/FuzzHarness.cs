using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptDsl.Compiler;
using OptDsl.Runtime;
using OptDsl.Tests.Generator;

namespace OptDsl.Tests.Fuzz;

/// <summary>One thing wrong with an accepted input: a category (what kind of failure) and the specifics.</summary>
public sealed record Failure(string Category, string Detail);

/// <summary>A program after the .opt compiler: rejected (error diagnostics) or accepted with its generated C#.</summary>
public sealed class Prepared
{
    public required FuzzProgram Program;
    public required string Text;
    public List<OptDiagnostic> Errors = new();
    public List<SyntaxTree> Trees = new();
    public List<Failure> Failures = new();
    /// <summary>Declares something outside its unique namespace (no namespace, another first segment): compiled alone.</summary>
    public bool Isolated;
    /// <summary>The generated C# does not even parse: not compiled.</summary>
    public bool SyntaxErrors;
    public bool Accepted => Errors.Count == 0;
    /// <summary>How long OptCompiler.Compile took (the better of two runs when the first exceeds the limit).</summary>
    public TimeSpan CompileTime;
    /// <summary>Whether runtime checks ran on at least one problem at one point.</summary>
    public bool Executed;
    public int Inconclusive;
    public int NoFinitePoint;
    public int TimedOut;
    /// <summary>Time spent in the runtime checks of this program.</summary>
    public TimeSpan CheckTime;
}

/// <summary>
/// The checks of one fuzz input: compile the .opt, scan the generated C# for payloads, compile the C# with Roslyn (no
/// warnings allowed), load it, and compare every generated derivative with finite differences and every value with the
/// fuzzer's own reference evaluation.
/// </summary>
public static class FuzzHarness
{
    /// <summary>The strictest warning level (all warning waves; the .NET 10 SDK default is 10).</summary>
    public const int WarningLevel = 9999;

    /// <summary>Documentation comments are checked as with GenerateDocumentationFile=true.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        nullableContextOptions: NullableContextOptions.Enable,
        warningLevel: WarningLevel);

    // ---- Stage 1: the .opt compiler ------------------------------------------------------------------------------

    /// <summary>Every input compiles within this (the issue's bound: an IDE must never freeze on a file).</summary>
    public static readonly TimeSpan CompileTimeLimit = TimeSpan.FromSeconds(1);

    public static Prepared Prepare(FuzzProgram program)
    {
        string text = program.Text;
        var prepared = new Prepared { Program = program, Text = text };
        CompileOutput output;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            output = OptCompiler.Compile(program.Path, text, program.NamespaceArgument);
            prepared.CompileTime = clock.Elapsed;
            // A shared machine can stall a run: the shortest of up to three, the later ones warm, decides.
            for (int retry = 0; retry < 2 && prepared.CompileTime > CompileTimeLimit; retry++)
            {
                clock.Restart();
                OptCompiler.Compile(program.Path, text, program.NamespaceArgument);
                if (clock.Elapsed < prepared.CompileTime) prepared.CompileTime = clock.Elapsed;
            }
            if (prepared.CompileTime > CompileTimeLimit)
                prepared.Failures.Add(new Failure("the .opt compiler took over 1 s", $"{prepared.CompileTime.TotalMilliseconds:F0} ms for {text.Length} characters"));
        }
        catch (Exception ex)
        {
            prepared.Errors.Add(new OptDiagnostic("THROW", DiagnosticLevel.Error, ex.ToString(), program.Path, default));
            prepared.Failures.Add(new Failure("OptCompiler.Compile threw (it must never throw)", ex.GetType().Name + ": " + ex.Message));
            return prepared;
        }
        prepared.Errors.AddRange(output.Diagnostics.Where(d => d.Level == DiagnosticLevel.Error));
        foreach (var crash in prepared.Errors.Where(d => d.Id == "OPT0999"))
            prepared.Failures.Add(new Failure("OPT0999 internal compiler error", crash.Message));
        if (!prepared.Accepted) return prepared;

        var sources = output.Sources.ToList();
        if (sources.Count != program.Problems.Count)
            prepared.Failures.Add(new Failure("accepted, but not one class per problem", $"{sources.Count} sources for {program.Problems.Count} problems"));
        for (int k = 0; k < sources.Count; k++)
            prepared.Trees.Add(CSharpSyntaxTree.ParseText(sources[k].Text, ParseOptions, path: $"{program.Unique}/{k}.g.cs"));

        if (FindPayload(prepared.Trees) is { } payload)
        {
            prepared.Failures.Add(new Failure($"security: payload text became C# code (via {PayloadVector(program, payload.Tree, payload.Line)})",
                $"identifier '{payload.Identifier}' at {payload.Tree.FilePath}:{payload.Line + 1}: {FuzzProgram.Visible(payload.Tree.GetText().Lines[payload.Line].ToString().Trim())}"));
        }
        // Syntax errors need no compilation to be found (and such a program cannot run anyway).
        var syntax = prepared.Trees.SelectMany(t => t.GetDiagnostics()).FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
        if (syntax is not null && !prepared.Failures.Any(f => f.Category.StartsWith("security", StringComparison.Ordinal)))
        {
            prepared.Failures.Add(new Failure($"C# error {syntax.Id}", Describe(syntax)));
            prepared.SyntaxErrors = true;
        }
        prepared.Isolated = prepared.Trees.Any(t => !StaysInNamespace(t.GetRoot(), program.Unique));
        return prepared;
    }

    /// <summary>
    /// The security check: no payload identifier may be a C# identifier token (only comment or string text), except as a
    /// part of the name of a namespace declaration: a RootNamespace "X;System.IO.Directory.CreateDirectory(...)" made a
    /// valid namespace is X_System.IO.Directory.CreateDirectory____, whose parts are names, not code that runs.
    /// </summary>
    private static (SyntaxTree Tree, int Line, string Identifier)? FindPayload(IEnumerable<SyntaxTree> trees)
    {
        foreach (var tree in trees)
        {
            foreach (var token in tree.GetRoot().DescendantTokens(descendIntoTrivia: false))
            {
                if (!token.IsKind(SyntaxKind.IdentifierToken) || !OptProgramGenerator.PayloadIdentifiers.Contains(token.ValueText)) continue;
                if (token.Parent?.AncestorsAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BaseNamespaceDeclarationSyntax>().FirstOrDefault() is { } ns
                    && ns.Name.Span.Contains(token.Span)) continue;
                return (tree, tree.GetText().Lines.GetLineFromPosition(token.SpanStart).LineNumber, token.ValueText);
            }
        }
        return null;
    }

    /// <summary>Which input carried the payload: the file name, the namespace, or a comment (and where the comment landed).</summary>
    private static string PayloadVector(FuzzProgram program, SyntaxTree tree, int line)
    {
        bool Injects(FuzzProgram p)
        {
            var output = OptCompiler.Compile(p.Path, p.Text, p.NamespaceArgument);
            return FindPayload(output.Sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions))) is not null;
        }
        var copy = program.ShallowCopy();
        copy.Path = "p.opt";
        if (!Injects(copy)) return "the file name";
        copy = program.ShallowCopy();
        copy.NamespaceArgument = program.Unique;
        if (copy.NamespaceLine is not null) copy.NamespaceLine = [program.Unique];
        if (!Injects(copy)) return "the namespace";
        // A comment: the line comment it broke out of is the last comment line before the injected code.
        var lines = tree.GetText().Lines;
        for (int k = line - 1; k >= 0; k--)
        {
            string text = lines[k].ToString().TrimStart();
            if (text.StartsWith("/// <summary>param", StringComparison.Ordinal)) return "a comment in a param default, into its doc comment";
            if (text.StartsWith("/// <summary>The problem", StringComparison.Ordinal)) return "a comment in the objective, into the class doc comment";
            if (text.StartsWith("/// ", StringComparison.Ordinal)) return "a comment, into a doc comment";
            if (text.StartsWith("// ", StringComparison.Ordinal))
            {
                for (int j = k - 1; j >= 0; j--)
                {
                    string m = lines[j].ToString().TrimStart();
                    bool header = (m.StartsWith("public ", StringComparison.Ordinal) || m.StartsWith("double ", StringComparison.Ordinal) || m.StartsWith("void ", StringComparison.Ordinal))
                                  && m.Contains('(') && !m.TrimEnd().EndsWith(';');
                    if (header)
                    {
                        if (m.Contains(" Constraints(", StringComparison.Ordinal)) return "a comment in a constraint, into a line comment";
                        if (m.Contains(" Objective(", StringComparison.Ordinal)) return "a comment in the objective, into a line comment";
                        return "a comment, into a line comment";
                    }
                }
                return "a comment, into a line comment";
            }
        }
        return "a comment";
    }

    /// <summary>True when the tree declares nothing but one namespace whose first segment is the program's own.</summary>
    private static bool StaysInNamespace(SyntaxNode root, string unique)
    {
        if (root is not CompilationUnitSyntax unit) return false;
        var members = unit.Members;
        if (members.Count != 1 || members[0] is not BaseNamespaceDeclarationSyntax ns) return false;
        if (unit.ContainsDiagnostics) return false;
        NameSyntax name = ns.Name;
        while (name is QualifiedNameSyntax q) name = q.Left;
        return name is IdentifierNameSyntax id && id.Identifier.Text == unique;
    }

    // ---- Stage 2: Roslyn, many programs per compilation -----------------------------------------------------------

    /// <summary>Compiles the accepted programs in batches, records C# diagnostics, and runs the runtime checks.</summary>
    public static TimeSpan RoslynTime;
    public static int Compilations, CompiledTrees;

    public static void CompileAndCheck(IReadOnlyList<Prepared> batch, bool runtimeChecks = true)
    {
        var compilable = batch.Where(p => p.Accepted && !p.SyntaxErrors && p.Trees.Count > 0).ToList();
        var shared = compilable.Where(p => !p.Isolated).ToList();
        if (shared.Count > 0) CompileGroup(shared, runtimeChecks);
        foreach (var alone in compilable.Where(p => p.Isolated)) CompileGroup([alone], runtimeChecks);
    }

    /// <summary>An empty compilation over the references: compilations made from it share its bound references.</summary>
    private static readonly Lazy<CSharpCompilation> Template = new(() =>
    {
        var template = CSharpCompilation.Create("FuzzTemplate", [], CompilationReferences.Consumer, CompilationOptions);
        template.GetDiagnostics();
        return template;
    });

    private static void CompileGroup(List<Prepared> group, bool runtimeChecks)
    {
        var byUnique = group.ToDictionary(p => p.Program.Unique);
        var clean = group.ToList();
        for (int round = 0; round < 4 && clean.Count > 0; round++)
        {
            var roslyn = System.Diagnostics.Stopwatch.StartNew();
            var compilation = Template.Value.AddSyntaxTrees(clean.SelectMany(p => p.Trees)).WithAssemblyName("Fuzz" + Guid.NewGuid().ToString("N"));
            using var stream = new MemoryStream();
            // Without runtime checks only the diagnostics matter: no code generation.
            var result = runtimeChecks ? compilation.Emit(stream) : new DiagnosticsOnly(compilation.GetDiagnostics());
            RoslynTime += roslyn.Elapsed;
            Compilations++;
            CompiledTrees += compilation.SyntaxTrees.Count();
            var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            // Per program: its first error (later ones are mostly consequences), and each kind of warning once.
            var ordered = problems.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start);
            foreach (var d in ordered)
            {
                string? unique = d.Location.SourceTree?.FilePath.Split('/')[0];
                bool error = d.Severity == DiagnosticSeverity.Error;
                var failure = new Failure($"C# {(error ? "error" : "warning")} {d.Id}", Describe(d));
                if (unique is not null && byUnique.TryGetValue(unique, out var owner))
                {
                    // C# diagnostics in code a payload injected are consequences of the injection, reported as such.
                    if (owner.Failures.Any(f => f.Category.StartsWith("security", StringComparison.Ordinal))) continue;
                    bool seen = error ? owner.Failures.Any(f => f.Category.StartsWith("C# error", StringComparison.Ordinal)) : owner.Failures.Any(f => f.Category == failure.Category);
                    if (!seen) owner.Failures.Add(failure);
                }
                else
                {
                    failure = failure with { Category = "C# diagnostic outside any program" };
                    foreach (var p in clean) if (!p.Failures.Contains(failure)) p.Failures.Add(failure);
                }
            }
            if (result.Success)
            {
                if (runtimeChecks) RunAll(clean, compilation, stream.ToArray());
                return;
            }
            // Programs with errors cannot run; the others are compiled again without them.
            var failing = problems.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Location.SourceTree?.FilePath.Split('/')[0]).ToHashSet();
            if (failing.Contains(null)) return;
            clean = clean.Where(p => !failing.Contains(p.Program.Unique)).ToList();
        }
    }

    public static string Describe(Diagnostic d)
    {
        string where = "";
        if (d.Location.SourceTree is { } tree)
        {
            var line = tree.GetText().Lines.GetLineFromPosition(d.Location.SourceSpan.Start);
            where = $" at {tree.FilePath}:{line.LineNumber + 1}: {FuzzProgram.Visible(line.ToString().Trim())}";
        }
        return $"{d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}{where}";
    }

    private static void RunAll(List<Prepared> group, CSharpCompilation compilation, byte[] image)
    {
        var context = new AssemblyLoadContext("fuzz", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image));
            foreach (var p in group)
            {
                // A program whose payload became code is never run.
                if (p.Failures.Any(f => f.Category.StartsWith("security", StringComparison.Ordinal))) continue;
                for (int k = 0; k < p.Trees.Count && k < p.Program.Problems.Count; k++)
                {
                    var type = FindType(compilation, p.Trees[k], assembly);
                    if (type is null)
                    {
                        p.Failures.Add(new Failure("generated class not found", $"no class in {p.Trees[k].FilePath}"));
                        continue;
                    }
                    var problem = p.Program.Problems[k];
                    var rng = new Random(p.Program.Seed * 31 + k);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    try
                    {
                        var checker = new ProblemChecker(problem, rng, $"problem {problem.Name}");
                        checker.CheckType(type);
                        p.Failures.AddRange(checker.Failures);
                        p.Inconclusive += checker.Inconclusive;
                        p.NoFinitePoint += checker.NoFinitePoint;
                        p.Executed |= checker.Executed;
                        if (checker.TimedOut) p.TimedOut++;
                    }
                    catch (FuzzerBugException ex)
                    {
                        p.Failures.Add(new Failure("harness: reference evaluation failed (a fuzzer bug)", ex.Message));
                    }
                    p.CheckTime += clock.Elapsed;
                }
            }
        }
        finally
        {
            context.Unload();
        }
    }

    private static Type? FindType(CSharpCompilation compilation, SyntaxTree tree, Assembly assembly)
    {
        var declaration = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().FirstOrDefault();
        if (declaration is null) return null;
        var symbol = compilation.GetSemanticModel(tree).GetDeclaredSymbol(declaration);
        if (symbol is null) return null;
        var parts = new List<string>();
        for (var ns = symbol.ContainingNamespace; ns is not null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace) parts.Insert(0, ns.MetadataName);
        parts.Add(symbol.MetadataName);
        return assembly.GetType(string.Join(".", parts));
    }

    // ---- One program alone (the shrinker's predicate) ---------------------------------------------------------

    /// <summary>Every failure of one program, compiled on its own.</summary>
    public static Prepared RunOne(FuzzProgram program, bool runtimeChecks)
    {
        var prepared = Prepare(program);
        if (prepared.Accepted && !prepared.SyntaxErrors && prepared.Trees.Count > 0) CompileGroup([prepared], runtimeChecks);
        return prepared;
    }

    /// <summary>Whether a category is decided by compilation alone (no need to load and run the code).</summary>
    public static bool IsCompileCategory(string category) =>
        category.StartsWith("C# ", StringComparison.Ordinal) || category.StartsWith("OPT", StringComparison.Ordinal)
        || category.StartsWith("security", StringComparison.Ordinal) || category.StartsWith("accepted,", StringComparison.Ordinal)
        || category.StartsWith("OptCompiler", StringComparison.Ordinal);
}

/// <summary>The parts of an EmitResult the harness reads, for a compilation that is only diagnosed.</summary>
internal sealed class DiagnosticsOnly(System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics)
{
    public System.Collections.Immutable.ImmutableArray<Diagnostic> Diagnostics { get; } = diagnostics;
    public bool Success => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
    public static implicit operator DiagnosticsOnly(Microsoft.CodeAnalysis.Emit.EmitResult r) => new(r.Diagnostics) { Emitted = r.Success };
    public bool Emitted { get; init; }
}

public sealed class FuzzerBugException(string message, Exception? inner = null) : Exception(message, inner);
