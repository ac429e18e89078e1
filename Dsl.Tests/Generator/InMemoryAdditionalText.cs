using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace OptDsl.Tests.Generator;

/// <summary>An additional file (an <c>.opt</c> file, as MSBuild passes it to the compiler) held in memory.</summary>
public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

    public override string Path { get; } = path;

    public string Text { get; } = text;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;

    public override string ToString() => Path;
}
