using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

/// <summary>
/// The value of one option (<c>name: value</c>) against its <see cref="OptionSpec"/>: a bool or choice word, or a
/// constant number in the kind's range (the runtime's own limits). Shared by solver, pareto, optimizer, schedule and
/// training-setting options.
/// </summary>
internal sealed class OptionBinder(BindingContext context, ExpressionBinder expressions)
{
    private readonly BindingContext _c = context;
    private readonly ExpressionBinder _expressions = expressions;

    /// <summary>The value (bool, string, int for counts, double otherwise), or null when it was reported.</summary>
    public object? Value(OptionSpec spec, OptionSyntax o)
    {
        if (o.Value is not ExprOptionValue { Value: var e })
        {
            _c.Report(Descriptors.InvalidOptionValue, o.Value.Span, spec.Name, "takes a single value");
            return null;
        }
        if (spec.Kind is OptionKind.Bool or OptionKind.Choice)
        {
            string? word = e is NameSyntax n ? n.Name : null;
            string[] allowed = spec.Kind == OptionKind.Bool ? ["true", "false"] : spec.Choices!;
            if (word is null || !allowed.Contains(word))
            {
                _c.Report(Descriptors.InvalidOptionValue, e.Span, spec.Name, $"must be one of: {string.Join(", ", allowed)}");
                return null;
            }
            return spec.Kind == OptionKind.Bool ? word == "true" : word;
        }
        var value = _expressions.Lower(e, Scope.Root());
        if (value is ErrorValue) return null;
        if (value is not ScalarValue { Expr.IsConst: true } s)
        {
            _c.Report(Descriptors.InvalidOptionValue, e.Span, spec.Name, "must be a constant number");
            return null;
        }
        double x = s.Expr.Value;
        // The runtime's own ranges (OptionLimits is compiled into both), so a value accepted here never throws at run time.
        string? problem = spec.Kind switch
        {
            OptionKind.PositiveReal when !Runtime.Internal.OptionLimits.IsPositive(x) => "must be a positive number",
            OptionKind.NonNegativeReal when !Runtime.Internal.OptionLimits.IsNonNegative(x) => "must be zero or positive",
            OptionKind.UnitInterval when !Runtime.Internal.OptionLimits.IsInUnitInterval(x) => "must lie in [0, 1)",
            OptionKind.Seconds when !Runtime.Internal.OptionLimits.IsSeconds(x) => $"must be a positive number of seconds, at most {Runtime.Internal.OptionLimits.MaxSeconds.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture)}",
            OptionKind.Count when !(x >= 0) || !Expr.IsInteger(x) || x > int.MaxValue => "must be a non-negative whole number",
            OptionKind.PositiveCount when !(x >= 1) || !Expr.IsInteger(x) || x > int.MaxValue => "must be a whole number of at least 1",
            OptionKind.Real when double.IsNaN(x) || double.IsInfinity(x) => "must be a finite number",
            _ when x > spec.Max => $"must be at most {spec.Max.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            _ when x < spec.Min => $"must be at least {spec.Min.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            _ => null,
        };
        if (problem is not null)
        {
            _c.Report(Descriptors.InvalidOptionValue, e.Span, spec.Name, problem);
            return null;
        }
        return spec.Kind is OptionKind.Count or OptionKind.PositiveCount ? (object)(int)x : x;
    }
}
