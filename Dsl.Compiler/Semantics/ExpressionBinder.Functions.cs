using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

// Functions, norms and losses (docs/language.md "Functions"), with the stability rewrites the language allows.
internal sealed partial class ExpressionBinder
{
    private Value LowerCall(CallSyntax c, Scope scope)
    {
        var result = LowerCallCore(c, scope, out bool kinked);
        // A function with kinks makes the problem non-smooth only where it sees a decision variable: min(i + 1, m - i)
        // over data and indices is a constant as far as the derivatives go.
        if (kinked && DependsOnVariables(result, scope.Depth)) _c.NonSmooth.Add((c.Name, c.NameSpan));
        return result;
    }

    private static bool DependsOnVariables(Value v, int depth)
    {
        switch (v)
        {
            case ScalarValue s:
                return s.Expr.HasVar;
            case ArrayValue a:
                return Element(a, depth, out _).HasVar;
            default:
                return false;
        }
    }

    private Value LowerCallCore(CallSyntax c, Scope scope, out bool kinked)
    {
        kinked = false;
        bool unary = ElementaryFunctions.TryFind(c.Name, out var elementary);
        if (!unary && !OtherFunctions.ContainsKey(c.Name))
        {
            string hint = _c.Declared.ContainsKey(c.Name) ? $"; '{c.Name}' is a declared name: index it with [ ]" : SuggestFunction(c.Name);
            Report(Descriptors.UnknownFunction, c.NameSpan, c.Name, hint);
            return ErrorValue.Instance;
        }
        int arity = unary ? elementary.Arity : OtherFunctions[c.Name];
        if (c.Arguments.Count != arity)
        {
            Report(Descriptors.WrongArity, c.Span, c.Name, arity == 1 ? "1 argument" : $"{arity} arguments", c.Arguments.Count);
            return ErrorValue.Instance;
        }
        kinked = unary ? !elementary.IsSmooth : NonSmoothFunctions.Contains(c.Name);

        // Rewrites for numerical stability; the mathematical value is unchanged.
        if (c.Name == "log" && c.Arguments[0] is CallSyntax { Name: "sigmoid", Arguments.Count: 1 } sig)
            return Map(Lower(sig.Arguments[0], scope), z => Expr.Neg(Expr.Call(Func.Softplus, Expr.Neg(z))));
        if (c.Name == "bce" && c.Arguments[0] is CallSyntax { Name: "sigmoid", Arguments.Count: 1 } sig2)
            return LowerCall(c with { Name = "bce_logits", Arguments = [sig2.Arguments[0], c.Arguments[1]] }, scope);

        var args = new List<Value>();
        foreach (var a in c.Arguments)
        {
            var v = Lower(a, scope);
            if (v is ErrorValue) return v;
            args.Add(v);
        }

        if (unary) return Map(args[0], x => Expr.Call(elementary.Func, x));
        switch (c.Name)
        {
            case "sq": return Map(args[0], x => Expr.Pow(x, Expr.Const(2)));
            case "pow": return Elementwise(args[0], args[1], Expr.Pow, c.Span, "pow");
            case "min": return Elementwise(args[0], args[1], Expr.Min, c.Span, "min");
            case "max": return Elementwise(args[0], args[1], Expr.Max, c.Span, "max");
            case "dot":
                if (args[0].IsScalar || args[1].IsScalar)
                {
                    Report(Descriptors.ShapeMismatch, c.Span, "dot takes two arrays of equal shape");
                    return ErrorValue.Instance;
                }
                return SumOver(Elementwise(args[0], args[1], Expr.Mul, c.Span, "dot"), scope.Depth, x => x);
            case "norm": return SumOver(args[0], scope.Depth, x => Expr.Pow(x, Expr.Const(2))) is ScalarValue s ? new ScalarValue(Expr.Call(Func.Sqrt, s.Expr)) : ErrorValue.Instance;
            case "l1": return SumOver(args[0], scope.Depth, x => Expr.Call(Func.Abs, x));
            case "l2": return SumOver(args[0], scope.Depth, x => Expr.Pow(x, Expr.Const(2)));
            case "mse": return Loss(args[0], args[1], c, scope, (p, y) => Expr.Pow(Expr.Sub(p, y), Expr.Const(2)));
            case "mae": return Loss(args[0], args[1], c, scope, (p, y) => Expr.Call(Func.Abs, Expr.Sub(p, y)));
            case "bce":
                return Loss(args[0], args[1], c, scope, (p, y) => Expr.Neg(Expr.Add(
                    XLogY(y, p),
                    XLogY(Expr.Sub(Expr.One, y), Expr.Sub(Expr.One, p)))));
            case "bce_logits":
                return Loss(args[0], args[1], c, scope, (z, y) => Expr.Sub(Expr.Call(Func.Softplus, z), Expr.Mul(y, z)));
            case "hinge":
                return Loss(args[0], args[1], c, scope, (z, y) => Expr.Call(Func.Relu, Expr.Sub(Expr.One, Expr.Mul(y, z))));
            case "huber":
            {
                if (Scalar(args[2], c.Arguments[2], "The delta of huber") is not { } delta) return ErrorValue.Instance;
                return Loss(args[0], args[1], c, scope, (p, y) =>
                {
                    var r = Expr.Sub(p, y);
                    var abs = Expr.Call(Func.Abs, r);
                    return Expr.Select(Expr.Sub(delta, abs), Comparison.GreaterOrEqual,
                        Expr.Mul(Expr.Const(0.5), Expr.Pow(r, Expr.Const(2))),
                        Expr.Mul(delta, Expr.Sub(abs, Expr.Mul(Expr.Const(0.5), delta))));
                });
            }
            case "focal":
            {
                if (Scalar(args[2], c.Arguments[2], "The gamma of focal") is not { } gamma) return ErrorValue.Instance;
                if (Scalar(args[3], c.Arguments[3], "The alpha of focal") is not { } alpha) return ErrorValue.Instance;
                return Loss(args[0], args[1], c, scope, (p, y) => Expr.Neg(Expr.Add(
                    XLogY(Expr.Mul(Expr.Mul(alpha, y), Expr.Pow(Expr.Sub(Expr.One, p), gamma)), p),
                    XLogY(Expr.Mul(Expr.Mul(Expr.Sub(Expr.One, alpha), Expr.Sub(Expr.One, y)), Expr.Pow(p, gamma)), Expr.Sub(Expr.One, p)))));
            }
            case "cce":
                return ClassLoss(args[0], args[1], c, scope, (z, y, i) => Expr.Neg(Expr.Sum(i, XLogY(y(i), z(i)))));
            case "cce_logits":
                return ClassLoss(args[0], args[1], c, scope, (z, y, i) =>
                {
                    var lse = LogSumExp(i, z(i));
                    return Expr.Sum(i, Expr.Mul(y(i), Expr.Sub(lse, z(i))));
                });
        }
        throw new InvalidOperationException("Unhandled function " + c.Name);
    }

    /// <summary>
    /// w·log(p), taken as 0 where w = 0 (the limit, as scipy's xlogy): a label of 0 or 1 with a perfect prediction makes
    /// the other term 0·log 0, which would be NaN in value and derivatives.
    /// </summary>
    private static Expr XLogY(Expr w, Expr p) =>
        p is { Kind: ExprKind.Call, Func: Func.Sigmoid }
            // log σ(z) is −softplus(−z), finite everywhere: no guard needed (and none to block that rewrite).
            ? Expr.Mul(w, Expr.Call(Func.Log, p))
            // log's argument is 1 where w = 0 (value w·0 = 0), so no derivative of any order multiplies 0 by log 0 or 1/0.
            : Expr.Mul(w, Expr.Call(Func.Log, Expr.Select(w, Comparison.Equal, Expr.One, p)));

    /// <summary>Names from other languages that mean something the language writes another way.</summary>
    private static readonly Dictionary<string, string> ByMeaning = new(StringComparer.Ordinal)
    {
        ["log10"] = "log(x) / log(10)", ["log2"] = "log(x) / log(2)", ["ln"] = "log(x)", ["exp2"] = "2^x",
        ["expm1"] = "exp(x) - 1", ["square"] = "sq(x) or x^2", ["sqr"] = "sq(x) or x^2", ["fabs"] = "abs(x)",
        ["arctan"] = "atan(x)", ["logistic"] = "sigmoid(x)", ["expit"] = "sigmoid(x)", ["power"] = "pow(x, y) or x^y",
        ["cosh"] = "(exp(x) + exp(-x)) / 2", ["sinh"] = "(exp(x) - exp(-x)) / 2", ["hypot"] = "sqrt(a^2 + b^2)",
        ["log_sum_exp"] = "logsumexp(i in ...) (...)", ["softmax_cross_entropy"] = "cce_logits(logits, labels)",
    };

    private string SuggestFunction(string name)
    {
        if (ByMeaning.TryGetValue(name, out string? meaning)) return $"; write {meaning}";
        var best = ElementaryFunctions.CallableNames.Concat(OtherFunctions.Keys).Select(f => (f, d: EditDistance(f, name)))
            .Where(t => t.d <= Math.Max(1, name.Length / 3)).OrderBy(t => t.d).FirstOrDefault();
        return best.f is null ? "" : $"; did you mean '{best.f}'?";
    }

    private Expr? Scalar(Value v, ExprSyntax syntax, string what)
    {
        if (v is ScalarValue s) return s.Expr;
        Report(Descriptors.ExpectedScalar, syntax.Span, what, Shapes.Describe(v.Shape));
        return null;
    }

    /// <summary>The general element of <paramref name="a"/>: its value at one fresh loop per axis (i, j, k2, ...) from <paramref name="depth"/> on.</summary>
    private static Expr Element(ArrayValue a, int depth, out List<IndexVar> loops)
    {
        loops = a.Shape.Select((extent, axis) => new IndexVar(axis == 0 ? "i" : axis == 1 ? "j" : "k" + axis, new IntConst(0), extent, depth + axis)).ToList();
        return a.At(loops.Select(l => (IntExpr)new IntIndex(l)).ToList(), depth + loops.Count);
    }

    /// <summary>Σ over every element of an array (a scalar is its own sum), one loop per axis.</summary>
    private static Value SumOver(Value v, int depth, Func<Expr, Expr> f)
    {
        if (v is ScalarValue s) return new ScalarValue(f(s.Expr));
        if (v is not ArrayValue a) return v;
        var body = f(Element(a, depth, out var loops));
        for (int k = loops.Count - 1; k >= 0; k--) body = Expr.Sum(loops[k], body);
        return new ScalarValue(body);
    }

    /// <summary>An elementwise loss, averaged over the elements of arrays (a scalar pair is one element).</summary>
    private Value Loss(Value prediction, Value target, CallSyntax c, Scope scope, Func<Expr, Expr, Expr> f)
    {
        var pointwise = Elementwise(prediction, target, f, c.Span, c.Name);
        if (pointwise is not ArrayValue a) return pointwise;
        var total = (ScalarValue)SumOver(a, scope.Depth, x => x);
        return new ScalarValue(Expr.Div(total.Expr, Expr.IndexValue(IndexSpace.OfShape(a.Shape).Count)));
    }

    /// <summary>A loss over class vectors: one vector, or a matrix whose rows are samples (averaged).</summary>
    private Value ClassLoss(Value scores, Value target, CallSyntax c, Scope scope, Func<Func<IndexVar, Expr>, Func<IndexVar, Expr>, IndexVar, Expr> f)
    {
        if (scores is not ArrayValue z || target is not ArrayValue y || z.Shape.Count > 2 || !Shapes.Same(z.Shape, y.Shape))
        {
            Report(Descriptors.ShapeMismatch, c.Span, $"{c.Name} takes class vectors (or matrices with one sample per row) of equal shape; got {Shapes.Describe(scores.Shape)} and {Shapes.Describe(target.Shape)}");
            return ErrorValue.Instance;
        }
        int depth = scope.Depth;
        if (z.Shape.Count == 1)
        {
            var k = new IndexVar("k", new IntConst(0), z.Shape[0], depth);
            return new ScalarValue(f(iv => z.At([new IntIndex(iv)], depth + 1), iv => y.At([new IntIndex(iv)], depth + 1), k));
        }
        var row = new IndexVar("i", new IntConst(0), z.Shape[0], depth);
        var cls = new IndexVar("k", new IntConst(0), z.Shape[1], depth + 1);
        var perRow = f(iv => z.At([new IntIndex(row), new IntIndex(iv)], depth + 2), iv => y.At([new IntIndex(row), new IntIndex(iv)], depth + 2), cls);
        return new ScalarValue(Expr.Div(Expr.Sum(row, perRow), Expr.IndexValue(z.Shape[0])));
    }
}
