using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using OptDsl.Compiler;

namespace OptDsl.Generators;

/// <summary>
/// Reuse of the sources an earlier build generated for an unchanged <c>.opt</c> file. A csc started for one build
/// (UseSharedCompilation=false), or a compiler server started anew, keeps nothing from the last build, so without
/// this it compiles every <c>.opt</c> file again, JIT and all (docs/benchmarks.md, "Generator time inside dotnet build").
/// <para>
/// When the build sets OptDslReuseGeneratedFiles (OptDsl.targets does by default), each generated file starts
/// with a stamp line: a key of everything the file's sources depend on (the generator's four assemblies, the file's
/// display path, the RootNamespace and the <c>.opt</c> text), the source's place among the file's sources, a hash of
/// its text and the compiler's hint name. csc writes the files out (EmitCompilerGeneratedFiles) and the next build
/// passes them back as additional files; a file whose key is unchanged and whose stamped sources are all there,
/// their hashes intact, gets them back without being compiled. Only files that compiled without any diagnostic
/// are stamped, so a reused file never loses a warning.
/// </para>
/// </summary>
internal static class GeneratedFileReuse
{
    private const string StampPrefix = "// OptDsl generated-file stamp: ";

    /// <summary>The folder (within the emitted files' folder) where csc writes this generator's sources.</summary>
    private const string EmittedFolder = "/OptDsl.Generators.OptGenerator/";

    /// <summary>The key of a file's sources: null when reuse is off.</summary>
    public static string? KeyOf(OptFileInput file, GeneratorSettings settings, string displayPath)
    {
        if (!settings.ReuseGeneratedFiles || file.Text is null)
        {
            return null;
        }

        var builder = new StringBuilder("optdsl-reuse-1\n");
        foreach (var assembly in GeneratorAssemblies.Value)
        {
            builder.Append(assembly).Append('\n');
        }

        builder.Append(displayPath).Append('\n').Append(settings.RootNamespace ?? "").Append('\n').Append(file.Text);
        return Hash(builder.ToString());
    }

    /// <summary>The sources stamped with <paramref name="key"/>, in order, if every one of them is there.</summary>
    public static CompileOutput? TryReuse(string key, PreviousOutputs previous)
    {
        GeneratedSource?[]? sources = null;
        foreach (var stamped in previous.Files)
        {
            if (!string.Equals(stamped.Key, key, StringComparison.Ordinal))
            {
                continue;
            }

            sources ??= new GeneratedSource?[stamped.Count];
            if (stamped.Count != sources.Length || sources[stamped.Index] is not null)
            {
                return null;
            }

            sources[stamped.Index] = new GeneratedSource(stamped.HintName, stamped.Text);
        }

        if (sources is null || sources.Any(static source => source is null))
        {
            return null;
        }

        return new CompileOutput(new EquatableArray<GeneratedSource>(sources!), EquatableArray<OptDiagnostic>.Empty);
    }

    /// <summary>The text csc is given for source <paramref name="index"/> of a file: stamped when the result has a key.</summary>
    public static string TextToEmit(OptFileResult result, int index)
    {
        var source = result.Output.Sources[index];
        if (result.ReuseKey is null)
        {
            return source.Text;
        }

        return string.Concat(
            StampPrefix, result.ReuseKey, " ", index.ToString(CultureInfo.InvariantCulture), " ",
            result.Output.Sources.Count.ToString(CultureInfo.InvariantCulture), " ", Hash(source.Text), " ", source.HintName, "\n", source.Text);
    }

    /// <summary>A source csc wrote in an earlier build, if <paramref name="file"/> is one, stamped and intact; else null (other files are not read).</summary>
    public static StampedSource? TryRead(AdditionalText file, CancellationToken cancellationToken)
    {
        var path = file.Path.Replace('\\', '/');
        if (path.IndexOf(EmittedFolder, StringComparison.Ordinal) < 0 || !path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var text = file.GetText(cancellationToken)?.ToString();
        if (text is null || !text.StartsWith(StampPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var newline = text.IndexOf('\n');
        if (newline < 0)
        {
            return null;
        }

        // key index count hash hintName
        var fields = text.Substring(StampPrefix.Length, newline - StampPrefix.Length).TrimEnd('\r').Split(new[] { ' ' }, 5);
        var body = text.Substring(newline + 1);
        if (fields.Length != 5
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || index >= count
            || !string.Equals(fields[3], Hash(body), StringComparison.Ordinal))
        {
            return null;
        }

        return new StampedSource(fields[0], index, count, fields[4], body);
    }

    /// <summary>The module version ids of the assemblies whose code decides what the generator writes.</summary>
    private static readonly Lazy<IReadOnlyList<string>> GeneratorAssemblies = new(static () =>
        new[] { typeof(GeneratedFileReuse), typeof(OptCompiler), typeof(OptDsl.Grammar.OptParser), typeof(Antlr4.Runtime.Lexer) }
            .Select(static type => type.Assembly.ManifestModule.ModuleVersionId.ToString("N"))
            .ToArray());

    internal static string Hash(string text)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var builder = new StringBuilder(32);
        for (var i = 0; i < 16; i++)
        {
            builder.Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}

/// <summary>One source an earlier build generated, read back from the file csc wrote: a plain value.</summary>
internal sealed class StampedSource : IEquatable<StampedSource>
{
    public StampedSource(string key, int index, int count, string hintName, string text)
    {
        Key = key;
        Index = index;
        Count = count;
        HintName = hintName;
        Text = text;
    }

    public string Key { get; }

    public int Index { get; }

    public int Count { get; }

    /// <summary>The hint name the compiler gave the source (the generator prefixes the file's path to it).</summary>
    public string HintName { get; }

    public string Text { get; }

    public bool Equals(StampedSource? other) =>
        other is not null && Index == other.Index && Count == other.Count
        && string.Equals(Key, other.Key, StringComparison.Ordinal)
        && string.Equals(HintName, other.HintName, StringComparison.Ordinal)
        && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as StampedSource);

    public override int GetHashCode() => unchecked((StringComparer.Ordinal.GetHashCode(Key) * 397) ^ Index);
}

/// <summary>Every stamped source of the earlier build: the model the compile step reads them from.</summary>
internal sealed class PreviousOutputs : IEquatable<PreviousOutputs>
{
    public PreviousOutputs(IEnumerable<StampedSource> files) => Files = new EquatableArray<StampedSource>(files);

    public EquatableArray<StampedSource> Files { get; }

    public bool Equals(PreviousOutputs? other) => other is not null && Files.Equals(other.Files);

    public override bool Equals(object? obj) => Equals(obj as PreviousOutputs);

    public override int GetHashCode() => Files.GetHashCode();
}
