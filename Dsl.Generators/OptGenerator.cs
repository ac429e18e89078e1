using System.Linq;
using Microsoft.CodeAnalysis;

namespace OptDsl.Generators;

/// <summary>
/// Compiles every <c>.opt</c> additional file of a project into C#.
/// The pipeline is per file: read the text, pair it with the project's settings, compile (the result,
/// sources and diagnostics, is a plain value and is cached), then add the sources and report the diagnostics.
/// Across builds, an unchanged file's sources from the last build are reused instead of compiled again
/// (<see cref="GeneratedFileReuse"/>).
/// Editing one <c>.opt</c> file recompiles that file only; editing C# recompiles nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class OptGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Filter and read in one step, so no step's output holds an AdditionalText (which has no value equality).
        var files = context.AdditionalTextsProvider
            .Select(static (file, cancellationToken) => OptFileInput.TryRead(file, cancellationToken))
            .WithTrackingName(TrackingNames.AdditionalFiles)
            .Where(static file => file is not null)
            .WithTrackingName(TrackingNames.OptFiles);

        var settings = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => GeneratorSettings.From(options.GlobalOptions))
            .WithTrackingName(TrackingNames.Settings);

        // What an earlier build generated, as csc wrote it out (when OptDsl.targets passes those files back): an unchanged
        // file's sources are reused instead of compiled again.
        var previous = context.AdditionalTextsProvider
            .Select(static (file, cancellationToken) => GeneratedFileReuse.TryRead(file, cancellationToken))
            .Where(static file => file is not null)
            .Collect()
            .Select(static (files, _) => new PreviousOutputs(files.Select(static file => file!)))
            .WithTrackingName(TrackingNames.PreviousOutputs);

        var compiled = files
            .Combine(settings)
            .WithTrackingName(TrackingNames.OptFilesWithSettings)
            .Combine(previous)
            .Select(static (pair, cancellationToken) => GuardedCompiler.CompileOrReuse(pair.Left.Left!, pair.Left.Right, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Compiled);

        // One output step over every file, so hint names can be made unique across files (two paths may sanitize to one
        // name). Compiling stays per file and cached; only adding the sources runs again when one file changes.
        context.RegisterSourceOutput(compiled.Collect(), static (context, results) => SourceOutput.EmitAll(context, results));
    }
}
