using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using OptDsl.Compiler;
using OptDsl.Generators;
using Xunit;

namespace OptDsl.Tests.Generator;

/// <summary>An <see cref="OptDiagnostic"/> becomes the Roslyn diagnostic that <c>dotnet build</c> and the IDE show.</summary>
public sealed class DiagnosticMappingTests
{
    private const string FilePath = "/src/Consumer/Problems/rosenbrock.opt";

    public static TheoryData<string> CatalogIds => [.. Descriptors.All.Select(descriptor => descriptor.Id)];

    [Theory]
    [MemberData(nameof(CatalogIds))]
    public void Every_catalog_id_has_a_Roslyn_descriptor_with_its_title_category_severity_and_help_link(string id)
    {
        var catalog = Descriptors.All.Single(d => d.Id == id);

        var descriptor = DiagnosticMapping.DescriptorFor(id, catalog.Level);

        Assert.Equal(id, descriptor.Id);
        Assert.Equal(catalog.Title, descriptor.Title.ToString());
        Assert.Equal("OptDsl", descriptor.Category);
        Assert.Equal(DiagnosticMapping.ToSeverity(catalog.Level), descriptor.DefaultSeverity);
        Assert.True(descriptor.IsEnabledByDefault);
        Assert.Equal($"https://github.com/optdsl/optdsl/blob/main/docs/diagnostics.md#{id.ToLowerInvariant()}", descriptor.HelpLinkUri);
        Assert.Same(descriptor, DiagnosticMapping.DescriptorFor(id, catalog.Level));
    }

    [Fact]
    public void Catalog_ids_are_unique_and_well_formed()
    {
        var ids = Descriptors.All.Select(d => d.Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^OPT[0-9]{4}$", id));
        Assert.Contains("OPT0999", ids);
    }

    [Fact]
    public void Every_descriptor_declared_is_in_the_catalog()
    {
        // A descriptor left out of Descriptors.All would reach the generator without a Roslyn descriptor (OPT0037 once did).
        var declared = typeof(Descriptors).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(OptDsl.Compiler.DiagnosticDescriptor)).Select(f => ((OptDsl.Compiler.DiagnosticDescriptor)f.GetValue(null)!).Id);
        Assert.Equal(declared.Order(), Descriptors.All.Select(d => d.Id).Order());
    }

    [Fact]
    public void Unknown_name_error_maps_to_OPT0002_error_at_its_line_and_column()
    {
        // "    minimize y + x[0];" on the fourth line: 'y' is at zero-based line 3, column 13, offset 62.
        var diagnostic = Descriptors.UnknownName.Create(FilePath, new SourceSpan(62, 1, 3, 13, 3, 14), "y", "");

        var roslyn = DiagnosticMapping.ToDiagnostic(diagnostic, FilePath);

        Assert.Equal("OPT0002", roslyn.Id);
        Assert.Equal(DiagnosticSeverity.Error, roslyn.Severity);
        Assert.Equal(0, roslyn.WarningLevel);
        Assert.Equal("The name 'y' is not declared", roslyn.GetMessage());
        var lineSpan = roslyn.Location.GetLineSpan();
        Assert.Equal(FilePath, lineSpan.Path);
        Assert.Equal(new LinePosition(3, 13), lineSpan.StartLinePosition);
        Assert.Equal(new LinePosition(3, 14), lineSpan.EndLinePosition);
        Assert.Equal(new TextSpan(62, 1), roslyn.Location.SourceSpan);
        Assert.Equal(LocationKind.ExternalFile, roslyn.Location.Kind);
        // What dotnet build prints: one-based line and column.
        Assert.Equal($"{FilePath}(4,14): error OPT0002: The name 'y' is not declared", roslyn.ToString());
    }

    [Fact]
    public void Warning_maps_to_a_warning()
    {
        var diagnostic = Descriptors.UnusedVariable.Create(FilePath, new SourceSpan(10, 3, 1, 8, 1, 11), "z");

        var roslyn = DiagnosticMapping.ToDiagnostic(diagnostic, FilePath);

        Assert.Equal("OPT0025", roslyn.Id);
        Assert.Equal(DiagnosticSeverity.Warning, roslyn.Severity);
        Assert.Equal(1, roslyn.WarningLevel);
        Assert.Equal($"{FilePath}(2,9): warning OPT0025: Decision variable 'z' does not appear in the objective or constraints", roslyn.ToString());
    }

    [Fact]
    public void Info_maps_to_info()
    {
        var diagnostic = new OptDiagnostic("OPT0015", DiagnosticLevel.Info, "note", FilePath, new SourceSpan(0, 1, 0, 0, 0, 1));

        Assert.Equal(DiagnosticSeverity.Info, DiagnosticMapping.ToDiagnostic(diagnostic, FilePath).Severity);
    }

    [Fact]
    public void Severity_follows_the_diagnostic_not_the_catalog_default()
    {
        // OPT0015 is a warning in the catalog; the compiler may raise it to an error.
        var diagnostic = Descriptors.NonDifferentiable.Create(FilePath, new SourceSpan(5, 3, 0, 5, 0, 8), "abs", "lbfgs") with { Level = DiagnosticLevel.Error };

        var roslyn = DiagnosticMapping.ToDiagnostic(diagnostic, FilePath);

        Assert.Equal(DiagnosticSeverity.Error, roslyn.Severity);
        Assert.Equal(DiagnosticSeverity.Warning, roslyn.Descriptor.DefaultSeverity);
    }

    [Fact]
    public void Message_text_with_braces_is_shown_verbatim()
    {
        var diagnostic = Descriptors.SyntaxError.Create(FilePath, new SourceSpan(0, 1, 0, 0, 0, 1), "expected '{' or '{0}' here");

        Assert.Equal("expected '{' or '{0}' here", DiagnosticMapping.ToDiagnostic(diagnostic, FilePath).GetMessage());
    }

    [Fact]
    public void Id_outside_the_catalog_still_maps()
    {
        var diagnostic = new OptDiagnostic("OPT0777", DiagnosticLevel.Warning, "new kind", FilePath, new SourceSpan(0, 0, 0, 0, 0, 0));

        var roslyn = DiagnosticMapping.ToDiagnostic(diagnostic, FilePath);

        Assert.Equal("OPT0777", roslyn.Id);
        Assert.Equal(DiagnosticSeverity.Warning, roslyn.Severity);
        Assert.Equal("OptDsl", roslyn.Descriptor.Category);
    }

    [Theory]
    [InlineData(-5, -1, -2, -3, -4, -5)]
    [InlineData(10, 2, 4, 7, 3, 0)]
    [InlineData(0, int.MaxValue, 0, 0, 0, int.MaxValue)]
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, 0, 0)]
    public void Malformed_spans_are_clamped_not_thrown(int start, int length, int line, int column, int endLine, int endColumn)
    {
        var diagnostic = new OptDiagnostic("OPT0001", DiagnosticLevel.Error, "broken span", FilePath, new SourceSpan(start, length, line, column, endLine, endColumn));

        var lineSpan = DiagnosticMapping.ToDiagnostic(diagnostic, FilePath).Location.GetLineSpan();

        Assert.True(lineSpan.StartLinePosition <= lineSpan.EndLinePosition);
        Assert.True(lineSpan.StartLinePosition.Line >= 0 && lineSpan.StartLinePosition.Character >= 0);
    }

    [Fact]
    public void Diagnostics_named_by_display_path_are_reported_at_the_full_path()
    {
        var output = new CompileOutput(
            EquatableArray<GeneratedSource>.Empty,
            new EquatableArray<OptDiagnostic>([Descriptors.SyntaxError.Create("Problems/rosenbrock.opt", new SourceSpan(0, 1, 0, 0, 0, 1), "oops")]));
        var result = new OptFileResult(FilePath, "Problems/rosenbrock.opt", output);

        Assert.Equal(FilePath, result.LocationPathOf(output.Diagnostics[0]));
        Assert.Equal("/elsewhere/other.opt", result.LocationPathOf(output.Diagnostics[0] with { Path = "/elsewhere/other.opt" }));
    }
}
