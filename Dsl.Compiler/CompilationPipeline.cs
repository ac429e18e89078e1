using System.Threading;

namespace OptDsl.Compiler;

// Work in progress: the stages (parse, bind, differentiate, emit) are being wired in.
internal static class CompilationPipeline
{
    public static CompileOutput Run(string path, string text, string? defaultNamespace, CancellationToken cancellationToken) =>
        new(EquatableArray<GeneratedSource>.Empty, EquatableArray<OptDiagnostic>.Empty);
}
