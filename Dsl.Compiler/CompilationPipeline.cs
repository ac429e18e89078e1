using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using OptDsl.Compiler.Derivatives;
using OptDsl.Compiler.Emit;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Schedule;
using OptDsl.Compiler.Semantics;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler;

/// <summary>
/// The stages, in order: parse (text to <see cref="FileSyntax"/>), bind (names, shapes, lowering to IR:
/// <see cref="BoundProblem"/>), derive (symbolic derivatives: <see cref="DerivedProblem"/>), schedule (loops, locals:
/// <see cref="ProblemPlan"/>), print (C#). Names of the class's members and locals are chosen after binding.
/// </summary>
internal static class CompilationPipeline
{
    /// <summary>
    /// Stack for one file's compilation. Parse trees of long chains (a + b + ... over 10⁵ terms) and deep nesting are
    /// deep, and every stage walks them recursively: a dedicated thread with a large stack (reserved, committed only as
    /// used) keeps such files compiling, and EnsureSufficientExecutionStack turns anything deeper into OPT0026 instead
    /// of a stack overflow that would take the host compiler down.
    /// </summary>
    private const int StackSize = 256 * 1024 * 1024;

    public static CompileOutput Run(string path, string text, string? defaultNamespace, CancellationToken cancellationToken)
    {
        // Most files are shallow: compile them on the caller's thread (starting a thread costs as much as compiling a
        // small file). Deep ones, or any file whose compilation runs short of stack, go to the big-stack thread.
        if (!MayNeedDeepStack(text))
        {
            try
            {
                return RunOnThisThread(path, text, defaultNamespace, cancellationToken, retryOnDeepStack: true);
            }
            catch (RetryOnDeepStack)
            {
            }
        }
        return RunOnDeepStack(path, text, defaultNamespace, cancellationToken);
    }

    /// <summary>
    /// A cheap over-estimate of how deep any stage may recurse: bracket depth plus the operators and reductions of the
    /// current statement (each may be a level of the parse tree: a long 'a + b + ...' chain is as deep as it is long).
    /// Too low only costs a retry (stages that run short of stack restart on the big stack); too high costs a thread.
    /// </summary>
    private static bool MayNeedDeepStack(string text)
    {
        int depth = 0, operators = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '(' or '[' or '{': depth++; break;
                case ')' or ']' or '}': depth = Math.Max(0, depth - 1); break;
                case ';': operators = 0; break;
                case '^' or '-' or '+' or '*' or '/': operators++; break;
                default:
                    if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_')
                    {
                        int start = i;
                        while (i + 1 < text.Length && text[i + 1] is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_') i++;
                        if (IsReduction(text, start, i + 1 - start)) operators++;
                    }
                    break;
            }
            if (depth + operators > 300) return true;
        }
        return false;
    }

    private static bool IsReduction(string text, int start, int length) =>
        IsWord(text, start, length, "sum") || IsWord(text, start, length, "prod") || IsWord(text, start, length, "logsumexp");

    private static bool IsWord(string text, int start, int length, string word) =>
        length == word.Length && string.CompareOrdinal(text, start, word, 0, length) == 0;

    private sealed class RetryOnDeepStack : Exception
    {
    }

    private static CompileOutput RunOnDeepStack(string path, string text, string? defaultNamespace, CancellationToken cancellationToken)
    {
        CompileOutput? output = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { output = RunOnThisThread(path, text, defaultNamespace, cancellationToken, retryOnDeepStack: false); }
            catch (Exception ex) { failure = ex; }
        }, StackSize) { IsBackground = true, Name = "OptDsl compiler" };
        thread.Start();
        thread.Join();
        if (failure is OperationCanceledException) throw new OperationCanceledException("Compilation cancelled", failure, cancellationToken);
        if (failure is not null)
            return new(EquatableArray<GeneratedSource>.Empty, new EquatableArray<OptDiagnostic>([Descriptors.InternalError.Create(path, SourceSpan.None, failure.GetType().Name + ": " + failure.Message)]));
        return output!;
    }

    private static CompileOutput RunOnThisThread(string path, string text, string? defaultNamespace, CancellationToken cancellationToken, bool retryOnDeepStack)
    {
        var diagnostics = new List<OptDiagnostic>();
        var sources = new List<GeneratedSource>();
        Expr.ResetInterning();
        using var cancellation = CompilerCancellation.Scope(cancellationToken);
        try
        {
            var (file, syntaxErrors) = Parse(path, text);
            diagnostics.AddRange(syntaxErrors);
            cancellationToken.ThrowIfCancellationRequested();
            if (file is null) return Output(sources, diagnostics);

            // The file's namespace line is .opt identifiers (a keyword is escaped); a RootNamespace may be any text
            // (a project "My-App"): both become valid C# namespaces.
            string? ns = file.Namespace ?? (string.IsNullOrWhiteSpace(defaultNamespace) ? null : defaultNamespace);
            if (ns is not null) ns = CSharpNames.Namespace(ns);
            string fileName = FileName(path);
            var types = new NameScope(ProblemNames.ReservedTypeNames(ns));
            var seen = new Dictionary<string, BlockSyntax>(StringComparer.Ordinal);
            var models = new Dictionary<string, (BoundModel Bound, ProblemNames Names)?>(StringComparer.Ordinal);
            var tunes = new List<TuneSyntax>();
            foreach (var block in file.Blocks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (seen.TryGetValue(block.Name, out var first))
                {
                    diagnostics.Add(Descriptors.DuplicateDeclaration.Create(path, block.NameSpan, block.Name, first.Span.Line + 1));
                    continue;
                }
                seen[block.Name] = block;
                switch (block)
                {
                    case ProblemSyntax problem:
                        var source = CompileProblem(path, text, fileName, ns, types, problem, diagnostics, retryOnDeepStack);
                        if (source is not null) sources.Add(new GeneratedSource($"{source.Value.ClassName}.g.cs", source.Value.Text));
                        break;
                    case ModelSyntax model:
                        var modelSource = CompileModel(path, text, fileName, ns, types, model, diagnostics, retryOnDeepStack, models);
                        if (modelSource is not null) sources.Add(new GeneratedSource($"{modelSource.Value.ClassName}.g.cs", modelSource.Value.Text));
                        break;
                    case TuneSyntax tune:
                        tunes.Add(tune);
                        break;
                }
            }
            // Tune blocks last: the model they search may come later in the file.
            foreach (var tune in tunes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tuneSource = CompileTune(path, fileName, ns, types, tune, models, seen, diagnostics, retryOnDeepStack);
                if (tuneSource is not null) sources.Add(new GeneratedSource($"{tuneSource.Value.ClassName}.g.cs", tuneSource.Value.Text));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InsufficientExecutionStackException) when (retryOnDeepStack)
        {
            throw new RetryOnDeepStack();
        }
        catch (InsufficientExecutionStackException)
        {
            diagnostics.Add(Descriptors.TooDeep.Create(path, SourceSpan.None));
        }
        catch (RetryOnDeepStack)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Never crash the host compiler: report where we were and what failed.
            diagnostics.Add(Descriptors.InternalError.Create(path, SourceSpan.None, ex.GetType().Name + ": " + ex.Message));
        }
        finally
        {
            Expr.ResetInterning();
        }
        return Output(sources, diagnostics);
    }

    /// <summary>The file's name without its folders ('/' or '\\' separated), as generated comments show it.</summary>
    private static string FileName(string path)
    {
        int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        return slash < 0 ? path : path.Substring(slash + 1);
    }

    private static (string ClassName, string Text)? CompileProblem(string path, string text, string fileName, string? ns, NameScope types,
        ProblemSyntax problem, List<OptDiagnostic> diagnostics, bool retryOnDeepStack) =>
        Guarded(path, problem.NameSpan, diagnostics, retryOnDeepStack, () =>
        {
            var bound = Bind(path, text, problem, diagnostics);
            if (bound is null) return null;
            var names = new ProblemNames(bound, types, path, diagnostics);
            var derived = Derive(bound);
            var plan = Schedule(derived, names);
            return (names.ClassName, Print(bound, plan, names, fileName, ns));
        });

    /// <summary>A model block: bound, its sample loss and penalty derived, its kernels scheduled, its class printed.</summary>
    private static (string ClassName, string Text)? CompileModel(string path, string text, string fileName, string? ns, NameScope types,
        ModelSyntax model, List<OptDiagnostic> diagnostics, bool retryOnDeepStack, Dictionary<string, (BoundModel Bound, ProblemNames Names)?> models) =>
        Guarded(path, model.NameSpan, diagnostics, retryOnDeepStack, () =>
        {
            models[model.Name] = null;
            var bound = new ModelBinder(path, text, diagnostics).Bind(model);
            if (bound is null) return null;
            var names = new ProblemNames(bound.Sample, types, path, diagnostics, model: true);
            models[model.Name] = (bound, names);
            var sample = Derive(bound.Sample);
            var penalty = bound.HasPenalty ? Derive(bound.Penalty) : null;
            var plan = ModelScheduler.Schedule(bound, sample, penalty, names);
            return (names.ClassName, ModelEmitter.Emit(bound, plan, names, fileName, ns));
        });

    /// <summary>
    /// A tune block: checked against its model (bound in this file; a model with errors has reported them, and its tune
    /// block is skipped), its class printed.
    /// </summary>
    private static (string ClassName, string Text)? CompileTune(string path, string fileName, string? ns, NameScope types, TuneSyntax tune,
        Dictionary<string, (BoundModel Bound, ProblemNames Names)?> models, Dictionary<string, BlockSyntax> blocks, List<OptDiagnostic> diagnostics,
        bool retryOnDeepStack) =>
        Guarded(path, tune.NameSpan, diagnostics, retryOnDeepStack, () =>
        {
            if (!models.TryGetValue(tune.Model, out var model) && blocks.TryGetValue(tune.Model, out var other))
            {
                diagnostics.Add(Descriptors.WrongKindOfName.Create(path, tune.ModelSpan, $"'{tune.Model}' is a {(other is ProblemSyntax ? "problem" : "tune block")}; a tune block searches a model"));
                return null;
            }
            if (model is null && !models.ContainsKey(tune.Model))
            {
                diagnostics.Add(Descriptors.UnknownName.Create(path, tune.ModelSpan, tune.Model, "; a tune block searches a model declared in the same file"));
                return null;
            }
            if (model is not { } compiled) return null;
            var bound = new TuneBinder(path, diagnostics).Bind(tune, compiled.Bound);
            if (bound is null) return null;
            string candidate = tune.Name.Any(char.IsUpper) ? tune.Name : CSharpNames.Pascal(tune.Name);
            string className = types.Claim(candidate, "Search");
            if (className != tune.Name)
                diagnostics.Add(Descriptors.Renamed.Create(path, tune.NameSpan,
                    $"tune '{tune.Name}' is the C# class '{className}' ({(tune.Name.Any(char.IsUpper) ? "its name is taken" : "C# reserves all-lowercase type names")})"));
            return (className, TuneEmitter.Emit(bound, compiled.Bound, compiled.Names, className, fileName, ns));
        });

    /// <summary>
    /// Compiles one block: a stack that runs short restarts the file on the big stack (or, already there, is OPT0026 at
    /// the block's name), and any other failure is OPT0999 there; the other blocks of the file still compile.
    /// </summary>
    private static (string ClassName, string Text)? Guarded(string path, SourceSpan nameSpan, List<OptDiagnostic> diagnostics, bool retryOnDeepStack,
        Func<(string ClassName, string Text)?> compile)
    {
        try
        {
            return compile();
        }
        catch (InsufficientExecutionStackException) when (retryOnDeepStack)
        {
            throw new RetryOnDeepStack();
        }
        catch (InsufficientExecutionStackException)
        {
            diagnostics.Add(Descriptors.TooDeep.Create(path, nameSpan));
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            diagnostics.Add(Descriptors.InternalError.Create(path, nameSpan, ex.GetType().Name + ": " + ex.Message));
            return null;
        }
    }

    /// <summary>Stage 1: the syntax tree of a file, or null (with the syntax errors) when it has none.</summary>
    internal static (FileSyntax? File, List<OptDiagnostic> Errors) Parse(string path, string text) => OptSyntax.Parse(path, text);

    /// <summary>Stage 2: one problem block bound and lowered to IR, or null when it has errors (reported into <paramref name="diagnostics"/>).</summary>
    internal static BoundProblem? Bind(string path, string text, ProblemSyntax problem, List<OptDiagnostic> diagnostics) =>
        new ProblemBinder(path, text, diagnostics).Bind(problem);

    /// <summary>Stage 3: every derivative the problem's class needs.</summary>
    internal static DerivedProblem Derive(BoundProblem bound) => Differentiation.Derive(bound);

    /// <summary>Stage 4: where and how each kernel computes (loops, fusion, hoisting, locals, vectorized calls).</summary>
    internal static ProblemPlan Schedule(DerivedProblem derived, ProblemNames names) => ProblemScheduler.Schedule(derived, names);

    /// <summary>Stage 5: the C# text of the problem's class.</summary>
    internal static string Print(BoundProblem bound, ProblemPlan plan, ProblemNames names, string fileName, string? ns) =>
        ProblemEmitter.Emit(bound, plan, names, fileName, ns);

    private static CompileOutput Output(List<GeneratedSource> sources, List<OptDiagnostic> diagnostics) =>
        new(new EquatableArray<GeneratedSource>(sources),
            new EquatableArray<OptDiagnostic>(diagnostics.OrderBy(d => d.Span.Start).ThenBy(d => d.Id)));
}
