using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

/// <summary>
/// Binds declarations any block may have (dim, data, param, var; names of lets and named objectives): registers each
/// name once, checks shapes, sizes, bounds and starts, and records the symbols in the shared <see cref="BindingContext"/>.
/// </summary>
internal sealed class DeclarationBinder
{
    private readonly BindingContext _c;
    private readonly ExpressionBinder _expressions;
    private readonly HashSet<string> _dimsInProgress = new(StringComparer.Ordinal);

    public DeclarationBinder(BindingContext context, ExpressionBinder expressions)
    {
        _c = context;
        _expressions = expressions;
    }

    private void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) => _c.Report(d, span, args);

    private string TextOf(SourceSpan span) => _c.TextOf(span);

    /// <summary>
    /// Registers the name of a declaration any block may have (dim, data, param, var, let, named objective), reporting
    /// a duplicate. False for members that are not declarations of that kind: the block's binder handles them.
    /// </summary>
    public bool Register(MemberSyntax member)
    {
        switch (member)
        {
            case DimSyntax d: Declare(d.Name, d.NameSpan, member); return true;
            case DataSyntax d: Declare(d.Name, d.NameSpan, member); return true;
            case ParamSyntax p: Declare(p.Name, p.NameSpan, member); return true;
            case VarSyntax v: Declare(v.Name, v.NameSpan, member); return true;
            case LetSyntax l:
                if (Declare(l.Name, l.NameSpan, member)) _c.Lets[l.Name] = l;
                return true;
            case ObjectiveSyntax o:
                if (Declare(o.Name, o.NameSpan, member)) _c.Objectives[o.Name] = o;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Binds the registered dims, data, vars and params of <paramref name="members"/>, in dependency order, and returns
    /// the number of decision variables: the vars laid out one after another in x.
    /// </summary>
    public IntExpr BindAll(IReadOnlyList<MemberSyntax> members)
    {
        // Dims: fixed values first, then the ones bound by data lengths, then constructor arguments.
        foreach (var d in members.OfType<DimSyntax>()) BindDim(d);
        foreach (var d in members.OfType<DataSyntax>()) BindData(d);
        IntExpr offset = new IntConst(0);
        foreach (var v in members.OfType<VarSyntax>())
        {
            var symbol = BindVar(v, offset);
            if (symbol is null) continue;
            try
            {
                offset = IntExpr.Add(offset, symbol.Size);
            }
            catch (OverflowException)
            {
                offset = new IntConst(long.MaxValue);
            }
            if (!CheckTotal(offset, v.Span, $"The number of decision variables up to '{v.Name}'")) break;
        }
        // After vars, so a param that names one is reported as not constant rather than silently skipped.
        foreach (var p in members.OfType<ParamSyntax>()) BindParam(p);
        return offset;
    }

    /// <summary>True when <paramref name="member"/> is the declaration that owns <paramref name="name"/> (not a rejected duplicate).</summary>
    public bool IsDeclaration(string name, MemberSyntax member) => _c.Declared.TryGetValue(name, out var owner) && ReferenceEquals(owner, member);

    public bool Declare(string name, SourceSpan span, MemberSyntax member)
    {
        if (_c.Declared.TryGetValue(name, out var existing))
        {
            Report(Descriptors.DuplicateDeclaration, span, name, existing.Span.Line + 1);
            return false;
        }
        if (name is "pi" or "e" or "inf")
        {
            // Shadowing a constant is legal but surprising; the declaration wins.
        }
        _c.Declared[name] = member;
        return true;
    }
    // ---- Declarations --------------------------------------------------------------------------------------

    public void BindDim(DimSyntax d)
    {
        if (!IsDeclaration(d.Name, d) || _c.Dims.ContainsKey(d.Name)) return;
        _c.Bound.Add(d.Name);
        if (!_dimsInProgress.Add(d.Name))
        {
            Report(Descriptors.InvalidDim, d.Value!.Span, $"dim '{d.Name}' is defined in terms of itself");
            _c.Dims[d.Name] = new DimSymbol(d.Name, d.Span.Line + 1, null) { NameSpan = d.NameSpan };
            return;
        }
        try { BindDimValue(d); }
        finally { _dimsInProgress.Remove(d.Name); }
    }

    private void BindDimValue(DimSyntax d)
    {
        long? value = null;
        if (d.Value is not null)
        {
            var e = _expressions.LowerInt(d.Value, Scope.Root(), $"The value of dim '{d.Name}'");
            if (e is IntConst c)
            {
                if (c.Value < 0) Report(Descriptors.InvalidDim, d.Value.Span, $"dim '{d.Name}' = {c.Value} is negative");
                value = c.Value;
            }
            else if (e is not null)
            {
                Report(Descriptors.NotConstant, d.Value.Span, $"The value of dim '{d.Name}'");
            }
        }
        if (!_c.Dims.ContainsKey(d.Name)) _c.Dims[d.Name] = new DimSymbol(d.Name, d.Span.Line + 1, value) { NameSpan = d.NameSpan };
    }

    public void BindData(DataSyntax d)
    {
        if (!IsDeclaration(d.Name, d)) return;
        _c.Bound.Add(d.Name);
        if (d.Shape.Count > 2)
        {
            Report(Descriptors.ShapeMismatch, d.Span, $"data '{d.Name}' has {d.Shape.Count} dimensions; data is a scalar, a 1-D array or a 2-D array");
            return;
        }
        var shape = new List<IntExpr>();
        for (int axis = 0; axis < d.Shape.Count; axis++)
        {
            var e = _expressions.LowerInt(d.Shape[axis], Scope.Root(), $"The shape of data '{d.Name}'");
            if (e is null) return;
            if (e is IntConst { Value: <= 0 } c)
            {
                // The constructor refuses an empty data array; a constant extent that makes every one empty is known now.
                Report(Descriptors.ShapeMismatch, d.Shape[axis].Span, $"data '{d.Name}' has a dimension of size {c.Value}; a data array needs at least one element along each axis");
                return;
            }
            shape.Add(e);
            // A bare dim with no value is defined by the first data array that uses it.
            if (e is IntDim dim && _c.Dims.TryGetValue(dim.Name, out var symbol) && symbol.Fixed is null && symbol.BoundBy is null)
                symbol.BoundBy = (d.Name, axis);
        }
        if (SizeOf(shape, d.Span, $"data '{d.Name}'") is null) return;
        _c.Data[d.Name] = new DataSymbol(d.Name, d.Span.Line + 1, shape) { NameSpan = d.NameSpan };
    }

    public void BindParam(ParamSyntax p)
    {
        if (!IsDeclaration(p.Name, p)) return;
        try { BindParamValue(p); }
        finally { _c.Bound.Add(p.Name); } // after the default: a default that names its own param is reported, not skipped
    }

    private void BindParamValue(ParamSyntax p)
    {
        var value = _expressions.ConstantValue(p.Value, $"The default of param '{p.Name}'");
        if (value is { Length: 1 } && double.IsInfinity(value[0]))
            Report(Descriptors.ParamNotFinite, p.Value.Span, p.Name, value[0] > 0 ? "inf" : "-inf"); // the generated property refuses it too
        else if (value is { Length: 1 }) _c.Params[p.Name] = new ParamSymbol(p.Name, p.Span.Line + 1, value[0], TextOf(p.Value.Span)) { NameSpan = p.NameSpan };
        else if (value is not null) Report(Descriptors.ExpectedScalar, p.Value.Span, $"The default of param '{p.Name}'", $"[{value.Length}]");
    }

    public VarSymbol? BindVar(VarSyntax v, IntExpr offset)
    {
        if (!IsDeclaration(v.Name, v)) return null;
        try { return BindVarSymbol(v, offset); }
        finally { _c.Bound.Add(v.Name); } // after its bounds and start: one that names its own var is reported, not skipped
    }

    private VarSymbol? BindVarSymbol(VarSyntax v, IntExpr offset)
    {
        var shape = new List<IntExpr>();
        foreach (var s in v.Shape)
        {
            var e = _expressions.LowerInt(s, Scope.Root(), $"The shape of var '{v.Name}'");
            if (e is null) return null;
            if (e is IntConst { Value: <= 0 } c)
            {
                Report(Descriptors.ShapeMismatch, s.Span, $"var '{v.Name}' has a dimension of size {c.Value}");
                return null;
            }
            shape.Add(e);
        }
        var size = SizeOf(shape, v.Span, $"var '{v.Name}'");
        if (size is null) return null;
        var symbol = new VarSymbol(v.Name, v.Span.Line + 1, shape, offset, size)
        {
            NameSpan = v.NameSpan,
            Lower = v.Lower is null ? null : VarValues(v, v.Lower, size, "lower bound"),
            Upper = v.Upper is null ? null : VarValues(v, v.Upper, size, "upper bound"),
            Start = v.Start is null ? null : VarValues(v, v.Start, size, "start"),
        };
        if (symbol.Lower is not null && symbol.Upper is not null)
        {
            int n = Math.Max(symbol.Lower.Length, symbol.Upper.Length);
            for (int k = 0; k < n; k++)
            {
                double lo = symbol.Lower[symbol.Lower.Length == 1 ? 0 : k], hi = symbol.Upper[symbol.Upper.Length == 1 ? 0 : k];
                if (lo > hi)
                {
                    Report(Descriptors.InvalidVariableInit, v.Lower!.Span.To(v.Upper!.Span), $"The lower bound {Expr.Format(lo)} of '{v.Name}' exceeds its upper bound {Expr.Format(hi)}" + (n > 1 ? $" at element {k}" : ""));
                    break;
                }
            }
        }
        if (symbol.Start is not null && symbol.Start.Any(x => double.IsNaN(x) || double.IsInfinity(x)))
            Report(Descriptors.InvalidVariableInit, v.Start!.Span, $"The start of '{v.Name}' must be finite");
        _c.Vars[v.Name] = symbol;
        return symbol;
    }

    /// <summary>The largest number of elements a .NET array holds (<c>Array.MaxLength</c>).</summary>
    internal const long MaxArrayLength = 0x7FFFFFC7;

    /// <summary>The element count of <paramref name="shape"/>, or null (reported) when a constant count exceeds what an array holds.</summary>
    public IntExpr? SizeOf(IReadOnlyList<IntExpr> shape, SourceSpan span, string what)
    {
        try
        {
            var size = IndexSpace.OfShape(shape).Count;
            if (size is IntConst { Value: > MaxArrayLength } c)
            {
                Report(Descriptors.SizeTooLarge, span, $"{what} has {c.Value} elements; a .NET array holds at most {MaxArrayLength}");
                return null;
            }
            return size;
        }
        catch (OverflowException)
        {
            Report(Descriptors.SizeTooLarge, span, $"{what} has more elements than a 64-bit integer counts");
            return null;
        }
    }

    /// <summary>A count of rows or variables that adds up several blocks: reported (at <paramref name="span"/>) when a constant total is too large.</summary>
    public bool CheckTotal(IntExpr total, SourceSpan span, string what)
    {
        if (total is IntConst { Value: > MaxArrayLength } c)
        {
            Report(Descriptors.SizeTooLarge, span, $"{what} is {c.Value}; a .NET array holds at most {MaxArrayLength}");
            return false;
        }
        return true;
    }

    /// <summary>A scalar (broadcast) or a list with one value per element of the variable.</summary>
    private double[]? VarValues(VarSyntax v, ExprSyntax e, IntExpr size, string what)
    {
        var values = _expressions.ConstantValue(e, $"The {what} of '{v.Name}'");
        if (values is null || values.Length == 1) return values;
        if (size is not IntConst c)
        {
            Report(Descriptors.InvalidVariableInit, e.Span, $"The {what} of '{v.Name}' is a list, but its size depends on a runtime dim; use a scalar");
            return null;
        }
        if (values.Length != c.Value)
        {
            Report(Descriptors.InvalidVariableInit, e.Span, $"The {what} of '{v.Name}' has {values.Length} values but '{v.Name}' has {c.Value} elements");
            return null;
        }
        return values;
    }
}
