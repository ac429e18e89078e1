using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace OptDsl.Tests.Generator;

/// <summary>
/// What the build hands the generator as MSBuild properties: the <c>build_property.*</c> global options
/// that <c>build/OptDsl.props</c> makes visible (RootNamespace, ProjectDir). No per-file options.
/// </summary>
public sealed class TestAnalyzerConfigOptionsProvider : AnalyzerConfigOptionsProvider
{
    public TestAnalyzerConfigOptionsProvider(IReadOnlyDictionary<string, string> globalOptions) =>
        GlobalOptions = new DictionaryAnalyzerConfigOptions(globalOptions);

    /// <summary>The options a project with this RootNamespace and ProjectDir gives the generator (a null leaves the property out).</summary>
    public static TestAnalyzerConfigOptionsProvider ForProject(string? rootNamespace, string? projectDir)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rootNamespace is not null)
        {
            options["build_property.RootNamespace"] = rootNamespace;
        }

        if (projectDir is not null)
        {
            options["build_property.ProjectDir"] = projectDir;
        }

        return new TestAnalyzerConfigOptionsProvider(options);
    }

    public override AnalyzerConfigOptions GlobalOptions { get; }

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => DictionaryAnalyzerConfigOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => DictionaryAnalyzerConfigOptions.Empty;

    private sealed class DictionaryAnalyzerConfigOptions(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly DictionaryAnalyzerConfigOptions Empty = new(ImmutableDictionary<string, string>.Empty);

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);

        public override IEnumerable<string> Keys => values.Keys;
    }
}
