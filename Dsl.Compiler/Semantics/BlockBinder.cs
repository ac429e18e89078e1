using System.Collections.Generic;

namespace OptDsl.Compiler.Semantics;

/// <summary>
/// What the binders of the block kinds (<see cref="ProblemBinder"/>, <see cref="ModelBinder"/>) share: one block's
/// binding context and the declaration, expression and option binders over it.
/// </summary>
internal abstract class BlockBinder
{
    protected readonly BindingContext _c;
    protected readonly DeclarationBinder _declarations;
    protected readonly ExpressionBinder _expressions;
    protected readonly OptionBinder _options;

    /// <summary>The number of diagnostics before this block's: its own errors are the ones after.</summary>
    protected int _errorsAtStart;

    protected BlockBinder(string path, string text, List<OptDiagnostic> diagnostics)
    {
        _c = new BindingContext(path, text, diagnostics);
        _expressions = new ExpressionBinder(_c);
        _declarations = new DeclarationBinder(_c, _expressions);
        _expressions.Declarations = _declarations;
        _options = new OptionBinder(_c, _expressions);
    }

    protected void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) => _c.Report(d, span, args);

    /// <summary>True the first time an option name is seen in <paramref name="seen"/>; a repeat is OPT0003 at its name.</summary>
    protected bool Unique(Dictionary<string, Syntax.OptionSyntax> seen, Syntax.OptionSyntax option)
    {
        if (seen.TryGetValue(option.Name, out var earlier))
        {
            Report(Descriptors.DuplicateDeclaration, option.NameSpan, option.Name, earlier.Span.Line + 1);
            return false;
        }
        seen[option.Name] = option;
        return true;
    }
}
