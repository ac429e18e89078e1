namespace OptDsl.Generators;

/// <summary>Names of the generator's incremental steps, so tests can check what was cached.</summary>
internal static class TrackingNames
{
    /// <summary>Every additional file: its <see cref="OptFileInput"/> if it is an <c>.opt</c> file, else null (its text is not read).</summary>
    public const string AdditionalFiles = nameof(AdditionalFiles);

    /// <summary>The <c>.opt</c> files only.</summary>
    public const string OptFiles = nameof(OptFiles);

    /// <summary>The MSBuild properties the generator reads (<see cref="GeneratorSettings"/>).</summary>
    public const string Settings = nameof(Settings);

    /// <summary>The sources an earlier build generated and csc wrote out, read back when stamped (<see cref="GeneratedFileReuse"/>).</summary>
    public const string PreviousOutputs = nameof(PreviousOutputs);

    /// <summary>Each <c>.opt</c> file paired with the settings.</summary>
    public const string OptFilesWithSettings = nameof(OptFilesWithSettings);

    /// <summary>Each <c>.opt</c> file compiled to C# sources and diagnostics (<see cref="OptFileResult"/>).</summary>
    public const string Compiled = nameof(Compiled);
}
