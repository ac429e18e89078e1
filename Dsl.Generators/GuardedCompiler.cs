using System;
using System.Threading;
using OptDsl.Compiler;

namespace OptDsl.Generators;

/// <summary>
/// Runs <see cref="OptCompiler.Compile"/> for one file. The compiler is built never to throw, but a
/// generator that throws takes the whole build down with a bare CS8785, so any failure other than a
/// requested cancellation becomes an OPT0999 diagnostic on the file.
/// </summary>
internal static class GuardedCompiler
{
    public delegate CompileOutput CompileFunction(string path, string text, string? defaultNamespace, CancellationToken cancellationToken);

    public static OptFileResult Compile(OptFileInput file, GeneratorSettings settings, CancellationToken cancellationToken) =>
        Compile(file, settings, OptCompiler.Compile, cancellationToken);

    /// <summary>
    /// The sources an earlier build generated for this very input, when the settings allow reuse and they are all
    /// there (<see cref="GeneratedFileReuse"/>); else the file compiled. A result without diagnostics carries the key
    /// its files are stamped with.
    /// </summary>
    public static OptFileResult CompileOrReuse(OptFileInput file, GeneratorSettings settings, PreviousOutputs previous, CancellationToken cancellationToken)
    {
        var displayPath = settings.DisplayPathOf(file.Path);
        var key = GeneratedFileReuse.KeyOf(file, settings, displayPath);
        if (key is null)
        {
            return Compile(file, settings, cancellationToken);
        }

        if (GeneratedFileReuse.TryReuse(key, previous) is { } reused)
        {
            return new OptFileResult(file.Path, displayPath, reused, key);
        }

        var result = Compile(file, settings, cancellationToken);
        return result.Output.Diagnostics.Count == 0 ? new OptFileResult(result.Path, result.DisplayPath, result.Output, key) : result;
    }

    /// <summary>The same, with the compiler passed in (tests use it to make the compiler fail).</summary>
    public static OptFileResult Compile(OptFileInput file, GeneratorSettings settings, CompileFunction compile, CancellationToken cancellationToken)
    {
        var displayPath = settings.DisplayPathOf(file.Path);
        if (file.Text is null)
        {
            return Failed(file.Path, displayPath, "the file could not be read");
        }

        try
        {
            var output = compile(displayPath, file.Text, settings.RootNamespace, cancellationToken);
            return new OptFileResult(file.Path, displayPath, output);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            return Failed(file.Path, displayPath, Describe(exception));
        }
    }

    private static OptFileResult Failed(string path, string displayPath, string reason) =>
        new(path, displayPath, new CompileOutput(
            EquatableArray<GeneratedSource>.Empty,
            new EquatableArray<OptDiagnostic>(new[] { Descriptors.InternalError.Create(displayPath, SourceSpan.None, reason) })));

    /// <summary>"Type: message" on one line (the build log shows diagnostics one per line).</summary>
    internal static string Describe(Exception exception)
    {
        var message = exception.Message.Replace("\r", " ").Replace("\n", " ").Trim();
        return message.Length == 0 ? exception.GetType().FullName! : exception.GetType().FullName + ": " + message;
    }
}
