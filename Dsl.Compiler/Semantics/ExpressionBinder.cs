using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

// Lowering: .opt expressions to the scalar IR. Arrays are lowered lazily, element by element, so `A * x` becomes a
// sum inside whatever loop asks for its i-th element, and nothing over data or runtime dims is ever unrolled.
/// <summary>
/// Lowers .opt expressions to the scalar IR for any block: names (dims, data, params, vars, lets, named objectives and
/// indices in scope), operators, indexing and slices, reductions, functions; constant expressions; integer expressions
/// of shapes, ranges and indices with their range checks.
/// </summary>
internal sealed partial class ExpressionBinder
{
    private readonly BindingContext _c;
    private readonly HashSet<string> _letsInProgress = new(StringComparer.Ordinal);
    /// <summary>The scopes scalar lets are being lowered from (their use sites), for a hint when a let names an outer index.</summary>
    private readonly Stack<Scope> _useSites = new();
    private readonly Dictionary<(string Let, int Depth, EquatableArray<IntExpr> Indices), Value> _letValues = new();

    public ExpressionBinder(BindingContext context) => _c = context;

    /// <summary>Binds a dim used before its declaration was bound (dims are bound in dependency order).</summary>
    public DeclarationBinder Declarations { get; set; } = null!;

    /// <summary>The lets and named objectives lowered so far.</summary>
    public HashSet<string> LoweredLets => new(_letValues.Keys.Select(k => k.Let), StringComparer.Ordinal);

    private void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) => _c.Report(d, span, args);

    private string TextOf(SourceSpan span) => _c.TextOf(span);

    /// <summary>Evaluates a constant expression: a number, or a list of numbers (nested lists are flattened).</summary>
    public double[]? ConstantValue(ExprSyntax e, string what)
    {
        if (e is ListSyntax list)
        {
            var all = new List<double>();
            foreach (var item in list.Items)
            {
                var v = ConstantValue(item, what);
                if (v is null) return null;
                all.AddRange(v);
            }
            return all.ToArray();
        }
        var value = Lower(e, Scope.Root());
        if (value is ErrorValue) return null;
        if (value is ScalarValue { Expr.IsConst: true } s) return [s.Expr.Value];
        Report(Descriptors.NotConstant, e.Span, what);
        return null;
    }
    /// <summary>True when the expression names a decision variable, directly or through the lets and objectives it uses.</summary>
    public bool NamesVariable(ExprSyntax e, HashSet<string>? visiting = null)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        bool Name(string name)
        {
            if (_c.Vars.ContainsKey(name) || _c.Declared.TryGetValue(name, out var d) && d is VarSyntax) return true;
            ExprSyntax? body = _c.Lets.TryGetValue(name, out var let) ? let.Value : _c.Objectives.TryGetValue(name, out var o) ? o.Value : null;
            if (body is null) return false;
            visiting ??= new HashSet<string>(StringComparer.Ordinal);
            if (!visiting.Add(name)) return false;
            return NamesVariable(body, visiting);
        }
        return e switch
        {
            NameSyntax n => Name(n.Name),
            IndexSyntax i => Name(i.Name) || i.Indices.Any(x => x is not null && NamesVariable(x, visiting)),
            UnarySyntax u => NamesVariable(u.Operand, visiting),
            BinarySyntax b => NamesVariable(b.Left, visiting) || NamesVariable(b.Right, visiting),
            CallSyntax call => call.Arguments.Any(a => NamesVariable(a, visiting)),
            ReductionSyntax r => NamesVariable(r.Body, visiting),
            ListSyntax l => l.Items.Any(x => NamesVariable(x, visiting)),
            _ => false,
        };
    }

    /// <summary>Functions that are not elementary (<see cref="ElementaryFunctions"/>), with their arity.</summary>
    private static readonly Dictionary<string, int> OtherFunctions = new(StringComparer.Ordinal)
    {
        ["sq"] = 1, ["min"] = 2, ["max"] = 2, ["pow"] = 2, ["dot"] = 2, ["norm"] = 1, ["l1"] = 1, ["l2"] = 1,
        ["mse"] = 2, ["mae"] = 2, ["huber"] = 3, ["bce"] = 2, ["bce_logits"] = 2, ["cce"] = 2, ["cce_logits"] = 2,
        ["hinge"] = 2, ["focal"] = 4,
    };

    /// <summary>Functions built from others (not elementary) whose value has kinks; elementary ones say so in their table entry.</summary>
    private static readonly HashSet<string> NonSmoothFunctions = new(StringComparer.Ordinal) { "min", "max", "l1", "mae", "hinge", "norm" };

    public Value Lower(ExprSyntax e, Scope scope)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        CompilerCancellation.Check();
        switch (e)
        {
            case NumberSyntax n:
                return new ScalarValue(Expr.Const(n.Value));
            case NameSyntax n:
                return LowerName(n.Name, n.Span, scope);
            case UnarySyntax u:
                return Map(Lower(u.Operand, scope), Expr.Neg);
            case BinarySyntax b:
                return NotNaN(LowerBinary(b, scope), b.Span);
            case CallSyntax c:
                return NotNaN(LowerCall(c, scope), c.Span);
            case IndexSyntax i:
                return LowerIndex(i, scope);
            case ReductionSyntax r:
                return LowerReduction(r, scope);
            case ListSyntax l:
                Report(Descriptors.WrongKindOfName, l.Span, "A list '[...]' is allowed only as a var's bounds or start");
                return ErrorValue.Instance;
            default:
                throw new InvalidOperationException("Unknown expression " + e.GetType().Name);
        }
    }

    /// <summary>
    /// A constant that folded to NaN (0/0, inf - inf, 0 * inf, log(-1)) is an error where it is written: folding keeps
    /// IEEE semantics, so it is never silently 0, and a NaN objective or default is never what was meant.
    /// </summary>
    private Value NotNaN(Value value, SourceSpan span)
    {
        if (value is ScalarValue { Expr: { IsConst: true } c } && double.IsNaN(c.Value))
        {
            Report(Descriptors.NotANumber, span, TextOf(span));
            return ErrorValue.Instance;
        }
        return value;
    }

    private Value LowerName(string name, SourceSpan span, Scope scope)
    {
        if (scope.TryGet(name, out var index)) return new ScalarValue(Expr.IndexValue(index));
        if (_c.Dims.TryGetValue(name, out var dim)) return new ScalarValue(dim.Fixed is { } f ? Expr.Const(f) : Expr.IndexValue(new IntDim(name)));
        if (_c.Params.TryGetValue(name, out _)) return new ScalarValue(Expr.Param(name));
        if (_c.Data.TryGetValue(name, out var data))
            return data.Shape.Count == 0 ? new ScalarValue(Expr.Data(name, Array.Empty<IntExpr>())) : new ArrayValue(data.Shape, (ix, _) => Expr.Data(name, ix));
        if (_c.Vars.TryGetValue(name, out var v))
            return v.Shape.Count == 0 ? new ScalarValue(Expr.Var(name, Array.Empty<IntExpr>())) : new ArrayValue(v.Shape, (ix, _) => Expr.Var(name, ix));
        if (_c.Lets.TryGetValue(name, out var let))
        {
            if (let.Indices.Count == 0)
            {
                _useSites.Push(scope);
                try { return LowerLetBody(let.Name, let.Value, Scope.Root(scope.Depth), []); }
                finally { _useSites.Pop(); }
            }
            return LetAsArray(let, scope);
        }
        if (_c.Objectives.TryGetValue(name, out var objective)) return LowerLetBody(objective.Name, objective.Value, Scope.Root(scope.Depth), []);
        if (_c.Declared.TryGetValue(name, out var declaration))
        {
            // Used before its declaration was bound: only constants (var bounds and starts, param defaults) are bound
            // before everything is declared, and neither a param (it changes at run time) nor a var is a constant.
            if (!_c.Bound.Contains(name))
            {
                string why = declaration switch
                {
                    ParamSyntax => $"param '{name}' can change at run time, so it cannot be used where a constant is needed: a var's bound or start, or a param's default",
                    VarSyntax => $"var '{name}' is a decision variable; a var's bound or start",
                    _ => $"'{name}' is used before it has a value, and a var's bound or start",
                };
                Report(Descriptors.NotConstant, span, why);
            }
            return ErrorValue.Instance; // declared but failed to bind: already reported
        }
        switch (name)
        {
            case "pi": return new ScalarValue(Expr.Const(Math.PI));
            case "e": return new ScalarValue(Expr.Const(Math.E));
            case "inf": return new ScalarValue(Expr.Const(double.PositiveInfinity));
        }
        Report(Descriptors.UnknownName, span, name, Suggest(name, scope));
        return ErrorValue.Instance;
    }

    /// <summary>A hint for the commonest slip: using a reduction's index after the term the reduction covers.</summary>
    private string ReductionScopeHint(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(_c.Text, @"\b(sum|prod|logsumexp)\s*\([^)]*\b" + System.Text.RegularExpressions.Regex.Escape(name) + @"\s+in\b")
            ? $"; a reduction covers only the term right after it (its body stops at '+' and '-'), so '{name}' is out of scope here: write sum({name} in ...) (a + b)"
            : "";

    private string Suggest(string name, Scope scope)
    {
        if (_useSites.Count > 0 && _useSites.Peek().TryGet(name, out _) && !scope.TryGet(name, out _))
            return $"; a let sees only its own indices, not the '{name}' of the expression that uses it: make it an indexed let (let t[{name} in lo..hi] = ...) and use t[{name}]";
        string scopeHint = ReductionScopeHint(name);
        if (scopeHint.Length > 0) return scopeHint;
        var candidates = _c.Declared.Keys.Concat(scope.Names).Concat(["pi", "e", "inf"]);
        var best = candidates.Select(c => (c, d: EditDistance(c, name))).Where(t => t.d <= Math.Max(1, name.Length / 3)).OrderBy(t => t.d).FirstOrDefault();
        return best.c is null ? "" : $"; did you mean '{best.c}'?";
    }

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>
    /// A let's body, lowered where it is used (lets are lexically scoped: only the let's own indices are visible). The
    /// result depends only on the let, the index values and the loop depth, so it is lowered once per such use and then
    /// reused: a chain of lets that each use the previous one several times (an Euler integration) lowers in linear time,
    /// not exponential, and its errors are reported once.
    /// </summary>
    public Value LowerLetBody(string name, ExprSyntax body, Scope scope, IReadOnlyList<IntExpr> indices)
    {
        var key = (name, scope.Depth, new EquatableArray<IntExpr>(indices));
        if (_letValues.TryGetValue(key, out var known)) return known;
        if (!_letsInProgress.Add(name))
        {
            Report(Descriptors.WrongKindOfName, body.Span, $"'{name}' is defined in terms of itself");
            return ErrorValue.Instance;
        }
        try
        {
            var value = Named(Lower(body, scope), name, indices);
            _letValues[key] = value;
            return value;
        }
        finally { _letsInProgress.Remove(name); }
    }

    /// <summary>
    /// <paramref name="value"/> with every element it yields known as the let or objective <paramref name="name"/> at
    /// <paramref name="indices"/> (and an array let's element positions): generated locals and comments take the name.
    /// </summary>
    private Value Named(Value value, string name, IReadOnlyList<IntExpr> indices)
    {
        switch (value)
        {
            case ScalarValue s:
                _c.NameValue(s.Expr, new ValueName(name, indices));
                return value;
            case ArrayValue a:
                return new ArrayValue(a.Shape, (ix, depth) =>
                {
                    var element = a.At(ix, depth);
                    _c.NameValue(element, new ValueName(name, indices.Concat(ix).ToList()));
                    return element;
                });
            default:
                return value;
        }
    }

    private Value LetElement(LetSyntax let, IReadOnlyList<IntExpr> indices, int depth)
    {
        var scope = Scope.Root(depth);
        for (int k = 0; k < let.Indices.Count; k++) scope = scope.With(let.Indices[k].Name, indices[k], isLoop: false);
        return LowerLetBody(let.Name, let.Value, scope, indices);
    }

    /// <summary>The index ranges of an indexed let (lowered once; null when one is in error, reported).</summary>
    private IReadOnlyList<(IntExpr Lo, IntExpr Hi)>? LetRanges(LetSyntax let)
    {
        if (_letRanges.TryGetValue(let.Name, out var known)) return known;
        List<(IntExpr Lo, IntExpr Hi)>? ranges = new();
        foreach (var b in let.Indices)
        {
            var lo = LowerInt(b.Lower, Scope.Root(), $"The range of '{let.Name}'");
            var hi = LowerInt(b.Upper, Scope.Root(), $"The range of '{let.Name}'");
            if (lo is null || hi is null || !CheckRange(b, lo, hi))
            {
                ranges = null;
                break;
            }
            ranges.Add((lo, hi));
        }
        _letRanges[let.Name] = ranges;
        return ranges;
    }

    /// <summary>An indexed let used whole (e.g. <c>l2(r)</c>): a zero-based array over its index ranges.</summary>
    public Value LetAsArray(LetSyntax let, Scope scope)
    {
        if (LetRanges(let) is not { } ranges) return ErrorValue.Instance;
        // Check the body once so errors surface even when the array is only used element-wise later.
        var probe = LetElement(let, ranges.Select(r => r.Lo).ToList(), scope.Depth);
        if (probe is ErrorValue) return probe;
        if (!probe.IsScalar)
        {
            Report(Descriptors.ExpectedScalar, let.Value.Span, $"The body of indexed let '{let.Name}'", Shapes.Describe(probe.Shape));
            return ErrorValue.Instance;
        }
        return new ArrayValue(ranges.Select(r => IntExpr.Count(r.Lo, r.Hi)).ToList(),
            (ix, depth) => ((ScalarValue)LetElement(let, ix.Select((k, a) => IntExpr.Add(k, ranges[a].Lo)).ToList(), depth)).Expr);
    }

    // ---- Indexing ------------------------------------------------------------------------------------------

    private Value LowerIndex(IndexSyntax e, Scope scope)
    {
        IReadOnlyList<IntExpr> shape;
        Func<IReadOnlyList<IntExpr>, int, Value> element;
        if (_c.Lets.TryGetValue(e.Name, out var let) && let.Indices.Count > 0)
        {
            if (e.Indices.Count != let.Indices.Count)
            {
                Report(Descriptors.WrongIndexCount, e.Span, e.Name, let.Indices.Count, e.Indices.Count);
                return ErrorValue.Instance;
            }
            if (e.Indices.Any(i => i is null))
            {
                Report(Descriptors.WrongKindOfName, e.Span, $"Slices ':' of the indexed let '{e.Name}' are not supported; index it or use it whole");
                return ErrorValue.Instance;
            }
            var ix = new List<IntExpr>();
            var ranges = LetRanges(let);
            if (ranges is null) return ErrorValue.Instance;
            for (int axis = 0; axis < e.Indices.Count; axis++)
            {
                var i = e.Indices[axis]!;
                var k = LowerInt(i, scope, $"An index of '{e.Name}'");
                if (k is null) return ErrorValue.Instance;
                var (lo, hi) = ranges[axis];
                if (k is IntConst c && IntExpr.Sub(c, lo) is IntConst { Value: < 0 } || k is IntConst c2 && IntExpr.Sub(hi, c2) is IntConst { Value: <= 0 })
                {
                    Report(Descriptors.IndexOutOfRange, i.Span, $"Index {k} is outside the range {lo}..{hi} of the indexed let '{e.Name}'");
                    return ErrorValue.Instance;
                }
                if (!CheckIndexRange(k, lo, hi, e.Name, axis, i.Span)) return ErrorValue.Instance;
                ix.Add(k);
            }
            var v = LetElement(let, ix, scope.Depth);
            if (v is not ErrorValue && !v.IsScalar)
            {
                Report(Descriptors.ExpectedScalar, let.Value.Span, $"The body of indexed let '{let.Name}'", Shapes.Describe(v.Shape));
                return ErrorValue.Instance;
            }
            return v;
        }

        var whole = LowerName(e.Name, e.NameSpan, scope);
        if (whole is ErrorValue) return whole;
        if (whole is not ArrayValue array)
        {
            Report(Descriptors.WrongIndexCount, e.Span, e.Name, 0, e.Indices.Count);
            return ErrorValue.Instance;
        }
        shape = array.Shape;
        element = (ix, depth) => new ScalarValue(array.At(ix, depth));
        if (e.Indices.Count != shape.Count)
        {
            Report(Descriptors.WrongIndexCount, e.Span, e.Name, shape.Count, e.Indices.Count);
            return ErrorValue.Instance;
        }

        var fixedIndices = new IntExpr?[shape.Count];
        for (int axis = 0; axis < shape.Count; axis++)
        {
            if (e.Indices[axis] is not { } ie) continue;
            var k = LowerInt(ie, scope, $"An index of '{e.Name}'");
            if (k is null) return ErrorValue.Instance;
            if (k is IntConst c && (c.Value < 0 || shape[axis] is IntConst size && c.Value >= size.Value))
            {
                Report(Descriptors.IndexOutOfRange, ie.Span, $"Index {c.Value} is out of range for dimension {axis} of '{e.Name}' (size {shape[axis]})");
                return ErrorValue.Instance;
            }
            if (!CheckIndexRange(k, IntExpr.Const(0), shape[axis], e.Name, axis, ie.Span)) return ErrorValue.Instance;
            fixedIndices[axis] = k;
        }
        var sliceAxes = Enumerable.Range(0, shape.Count).Where(a => fixedIndices[a] is null).ToList();
        if (sliceAxes.Count == 0) return element(fixedIndices!, scope.Depth);
        return new ArrayValue(sliceAxes.Select(a => shape[a]).ToList(), (ix, depth) =>
        {
            var full = new IntExpr[shape.Count];
            int next = 0;
            for (int a = 0; a < shape.Count; a++) full[a] = fixedIndices[a] ?? ix[next++];
            return array.At(full, depth);
        });
    }

    // ---- Reductions ----------------------------------------------------------------------------------------

    public IndexVar? BindIndex(IndexBindingSyntax b, Scope scope)
    {
        var lo = LowerInt(b.Lower, scope, $"The lower end of '{b.Name}'");
        var hi = LowerInt(b.Upper, scope, $"The upper end of '{b.Name}'");
        if (lo is null || hi is null) return null;
        if (!CheckRange(b, lo, hi)) return null;
        return new IndexVar(b.Name, lo, hi, scope.Depth);
    }

    /// <summary>
    /// A range whose ends are both constants must not be reversed: <c>5..2</c> is a slip, not an empty range (a range
    /// that is empty or reversed only for some runtime dims runs zero times).
    /// </summary>
    private bool CheckRange(IndexBindingSyntax b, IntExpr lo, IntExpr hi)
    {
        if (IntExpr.Sub(hi, lo) is IntConst { Value: < 0 })
        {
            Report(Descriptors.ReversedRange, b.Lower.Span.To(b.Upper.Span), b.Name, lo, hi);
            return false;
        }
        return true;
    }

    private Value LowerReduction(ReductionSyntax r, Scope scope)
    {
        var bound = new List<IndexVar>();
        var inner = scope;
        foreach (var b in r.Bindings)
        {
            var iv = BindIndex(b, inner);
            if (iv is null) return ErrorValue.Instance;
            bound.Add(iv);
            inner = inner.With(b.Name, new IntIndex(iv), isLoop: true);
        }
        var body = Lower(r.Body, inner);
        if (body is ErrorValue) return body;
        if (body is not ScalarValue s)
        {
            Report(Descriptors.ExpectedScalar, r.Body.Span, $"The body of '{r.Kind}'", Shapes.Describe(body.Shape));
            return ErrorValue.Instance;
        }
        var result = s.Expr;
        for (int k = bound.Count - 1; k >= 0; k--)
        {
            result = r.Kind switch
            {
                "sum" => Expr.Sum(bound[k], result),
                "prod" => Expr.Prod(bound[k], result),
                _ => LogSumExp(bound[k], result),
            };
        }
        return new ScalarValue(result);
    }

    /// <summary>
    /// logsumexp(i) e = M + log Σ exp(e − M) with M = max e, which never overflows; M's derivative is zero. Over a range
    /// that may be empty (j in 0..i at i = 0, or 0..k for a dim k = 0) it is −∞, the log of an empty sum; the sum is then
    /// kept away from 0 inside the log, so that no derivative multiplies 0 by 1/0 (an empty inner logsumexp has weight 0
    /// in an outer one, and its NaN would otherwise spread).
    /// </summary>
    private static Expr LogSumExp(IndexVar i, Expr body)
    {
        // M is used inside the sum over i and beside it: its own loop binds one level deeper, so the sum's body holds no
        // reduction over an index equal to i (Expr.Sum would rebase it into a second, separate max).
        var iMax = i with { Level = i.Level + 1 };
        // When every term is −∞ (each an empty inner logsumexp), e − M would be −∞ − (−∞) = NaN: M stays finite instead.
        var m = Expr.Max(Expr.MaxReduce(iMax, body.Substitute(new Dictionary<IndexVar, IntExpr> { [i] = new IntIndex(iMax) })), Expr.Const(-double.MaxValue));
        var sum = Expr.Sum(i, Expr.Call(Func.Exp, Expr.Sub(body, m)));
        if (IntExpr.Count(i.Lower, i.Upper) is IntConst { Value: > 0 }) return Expr.Add(m, Expr.Call(Func.Log, sum));
        var safeSum = Expr.Select(sum, Comparison.Greater, sum, Expr.One);
        return Expr.Select(sum, Comparison.Greater, Expr.Add(m, Expr.Call(Func.Log, safeSum)), Expr.Const(double.NegativeInfinity));
    }

    // ---- Operators -----------------------------------------------------------------------------------------

    private static Value Map(Value v, Func<Expr, Expr> f) => v switch
    {
        ScalarValue s => new ScalarValue(f(s.Expr)),
        ArrayValue a => new ArrayValue(a.Shape, (ix, d) => f(a.At(ix, d))),
        _ => v,
    };

    private Value LowerBinary(BinarySyntax b, Scope scope)
    {
        var left = Lower(b.Left, scope);
        var right = Lower(b.Right, scope);
        if (left is ErrorValue || right is ErrorValue) return ErrorValue.Instance;

        if (b.Op == '*' && left.Shape.Count == 2 && right.Shape.Count == 1)
        {
            var (a, x) = ((ArrayValue)left, (ArrayValue)right);
            if (!Shapes.Same([a.Shape[1]], x.Shape))
            {
                Report(Descriptors.ShapeMismatch, b.Span, $"Matrix-vector product of {Shapes.Describe(a.Shape)} by {Shapes.Describe(x.Shape)}: the inner sizes differ");
                return ErrorValue.Instance;
            }
            return new ArrayValue([a.Shape[0]], (ix, depth) =>
            {
                var j = new IndexVar("j", new IntConst(0), a.Shape[1], depth);
                var jj = new IntIndex(j);
                return Expr.Sum(j, Expr.Mul(a.At([ix[0], jj], depth + 1), x.At([jj], depth + 1)));
            });
        }

        Func<Expr, Expr, Expr> op = b.Op switch
        {
            '+' => Expr.Add,
            '-' => Expr.Sub,
            '*' => Expr.Mul,
            '/' => Expr.Div,
            _ => Expr.Pow,
        };
        if (b.Op == '^' && !right.IsScalar)
        {
            Report(Descriptors.ShapeMismatch, b.Right.Span, $"The exponent of '^' must be a scalar, not {Shapes.Describe(right.Shape)}");
            return ErrorValue.Instance;
        }
        return Elementwise(left, right, op, b.Span, $"'{b.Op}'");
    }

    private Value Elementwise(Value left, Value right, Func<Expr, Expr, Expr> op, SourceSpan span, string what)
    {
        switch (left, right)
        {
            case (ScalarValue l, ScalarValue r):
                return new ScalarValue(op(l.Expr, r.Expr));
            case (ScalarValue l, ArrayValue r):
                return new ArrayValue(r.Shape, (ix, d) => op(l.Expr, r.At(ix, d)));
            case (ArrayValue l, ScalarValue r):
                return new ArrayValue(l.Shape, (ix, d) => op(l.At(ix, d), r.Expr));
            case (ArrayValue l, ArrayValue r):
                if (!Shapes.Same(l.Shape, r.Shape))
                {
                    Report(Descriptors.ShapeMismatch, span, $"The operands of {what} have shapes {Shapes.Describe(l.Shape)} and {Shapes.Describe(r.Shape)}; elementwise operations need equal shapes (or a scalar)");
                    return ErrorValue.Instance;
                }
                return new ArrayValue(l.Shape, (ix, d) => op(l.At(ix, d), r.At(ix, d)));
            default:
                return ErrorValue.Instance;
        }
    }

    // ---- Integer expressions -------------------------------------------------------------------------------

    /// <summary>
    /// An integer expression (shape, range end, index). Generated code holds these in C# <c>int</c>s, so a constant
    /// outside int's range (or whose folding overflows) is reported here rather than becoming invalid C#.
    /// </summary>
    public IntExpr? LowerInt(ExprSyntax e, Scope scope, string what)
    {
        IntExpr? result;
        try
        {
            result = LowerIntCore(e, scope, what);
        }
        catch (OverflowException)
        {
            Report(Descriptors.SizeTooLarge, e.Span, $"{what} overflows a 64-bit integer");
            return null;
        }
        if (result is IntConst { Value: > int.MaxValue or < -int.MaxValue } c)
        {
            Report(Descriptors.SizeTooLarge, e.Span, $"{what} is {c.Value}, outside the range of a C# int (±{int.MaxValue})");
            return null;
        }
        return result;
    }

    private IntExpr? LowerIntCore(ExprSyntax e, Scope scope, string what)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (e)
        {
            case NumberSyntax n when Expr.IsInteger(n.Value):
                return new IntConst((long)n.Value);
            case NameSyntax n:
                if (scope.TryGet(n.Name, out var index)) return index;
                if (_c.Dims.TryGetValue(n.Name, out var dim)) return dim.Fixed is { } f ? new IntConst(f) : new IntDim(n.Name);
                if (_c.Vars.ContainsKey(n.Name))
                {
                    Report(Descriptors.VariableInIndex, n.Span, what, n.Name);
                    return null;
                }
                if (_c.Declared.TryGetValue(n.Name, out var member) && member is DimSyntax dimSyntax)
                {
                    // A dim used before its declaration (dim m = 2 * n; dim n = 3;) is bound now, in dependency order.
                    if (!_c.Dims.ContainsKey(n.Name)) Declarations.BindDim(dimSyntax);
                    if (_c.Dims.TryGetValue(n.Name, out var bound)) return bound.Fixed is { } value ? new IntConst(value) : new IntDim(n.Name);
                    return null; // failed dim, reported
                }
                if (!_c.Declared.ContainsKey(n.Name) && n.Name is not ("pi" or "e" or "inf"))
                {
                    Report(Descriptors.UnknownName, n.Span, n.Name, Suggest(n.Name, scope));
                    return null;
                }
                break;
            case UnarySyntax u:
                var operand = LowerIntCore(u.Operand, scope, what);
                return operand is null ? null : IntExpr.Neg(operand);
            case BinarySyntax { Op: '+' or '-' or '*' } b:
                var l = LowerIntCore(b.Left, scope, what);
                var r = LowerIntCore(b.Right, scope, what);
                if (l is null || r is null) return null;
                return b.Op switch { '+' => IntExpr.Add(l, r), '-' => IntExpr.Sub(l, r), _ => IntExpr.Mul(l, r) };
            case IndexSyntax i when _c.Vars.ContainsKey(i.Name):
                Report(Descriptors.VariableInIndex, i.Span, what, i.Name);
                return null;
        }
        Report(Descriptors.NotAnIntegerExpression, e.Span, what);
        return null;
    }
}
