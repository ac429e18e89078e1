using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using OptDsl.Compiler;

namespace OptDsl.Generators;

/// <summary>The generator's output step: adds one file's generated sources and reports its diagnostics.</summary>
internal static class SourceOutput
{
    /// <summary>Adds the sources of every file, with hint names unique across files (see <see cref="HintNames.ForAll"/>).</summary>
    public static void EmitAll(SourceProductionContext context, IReadOnlyList<OptFileResult> results)
    {
        var hintNames = HintNames.ForAll(results.Select(static r => (r.DisplayPath, (IReadOnlyList<string>)r.Output.Sources.Select(static s => s.HintName).ToArray())).ToArray());
        for (var i = 0; i < results.Count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            Emit(context, results[i], hintNames[i]);
        }
    }

    public static void Emit(SourceProductionContext context, OptFileResult result) =>
        Emit(context, result, HintNames.For(result.DisplayPath, result.Output.Sources.Select(static s => s.HintName).ToArray()));

    private static void Emit(SourceProductionContext context, OptFileResult result, IReadOnlyList<string> hintNames)
    {
        var sources = result.Output.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            try
            {
                context.AddSource(hintNames[i], SourceText.From(GeneratedFileReuse.TextToEmit(result, i), Encoding.UTF8));
            }
            catch (ArgumentException exception)
            {
                // An invalid or duplicate hint name: report it on the file instead of failing the generator.
                var diagnostic = Descriptors.InternalError.Create(result.DisplayPath, SourceSpan.None, GuardedCompiler.Describe(exception));
                context.ReportDiagnostic(DiagnosticMapping.ToDiagnostic(diagnostic, result.Path));
            }
        }

        foreach (var diagnostic in result.Output.Diagnostics)
        {
            context.ReportDiagnostic(DiagnosticMapping.ToDiagnostic(diagnostic, result.LocationPathOf(diagnostic)));
        }
    }
}
