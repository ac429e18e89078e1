using System;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using OptDsl.Compiler;

namespace OptDsl.Generators;

/// <summary>The generator's output step: adds one file's generated sources and reports its diagnostics.</summary>
internal static class SourceOutput
{
    public static void Emit(SourceProductionContext context, OptFileResult result)
    {
        var sources = result.Output.Sources;
        var hintNames = HintNames.For(result.DisplayPath, sources.Select(static s => s.HintName).ToArray());
        for (var i = 0; i < sources.Count; i++)
        {
            try
            {
                context.AddSource(hintNames[i], SourceText.From(sources[i].Text, Encoding.UTF8));
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
