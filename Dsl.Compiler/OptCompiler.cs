using System.Threading;

namespace OptDsl.Compiler;

/// <summary>One generated C# file.</summary>
public sealed record GeneratedSource(string HintName, string Text);

/// <summary>Everything the compiler produced for one <c>.opt</c> file: value-equatable, holds no Roslyn or ANTLR objects.</summary>
public sealed record CompileOutput(EquatableArray<GeneratedSource> Sources, EquatableArray<OptDiagnostic> Diagnostics);

/// <summary>The .opt compiler: text in, C# sources and diagnostics out. Never throws for bad input.</summary>
public static class OptCompiler
{
    /// <summary>Compiles one <c>.opt</c> file.</summary>
    /// <param name="path">The file's path, used in diagnostics and in comments of the generated code.</param>
    /// <param name="text">The file's content.</param>
    /// <param name="defaultNamespace">Namespace of generated classes when the file has no <c>namespace X;</c> line (the project's RootNamespace).</param>
    /// <param name="cancellationToken">Honoured between stages.</param>
    public static CompileOutput Compile(string path, string text, string? defaultNamespace, CancellationToken cancellationToken = default) =>
        CompilationPipeline.Run(path, text, defaultNamespace, cancellationToken);
}
