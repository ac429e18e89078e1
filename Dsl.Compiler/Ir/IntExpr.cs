using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Compiler.Ir;

/// <summary>
/// A loop index bound by a reduction, a <c>forall</c> or an indexed let. Identity is structural: name, range and
/// nesting level. Two binders alive at once always differ in level, so equal index variables are interchangeable,
/// and two sums over the same range at the same level can share one loop.
/// </summary>
public sealed record IndexVar(string Name, IntExpr Lower, IntExpr Upper, int Level)
{
    /// <summary>The .opt name (generated comments and dumps read like the source; loops are nested, so context disambiguates).</summary>
    public override string ToString() => Name;
}

/// <summary>An integer expression of literals, runtime dims and index variables with + - *: shapes, ranges, indices.</summary>
public abstract record IntExpr
{
    public abstract IEnumerable<IndexVar> FreeIndices();

    public abstract bool IsConstant { get; }

    public static IntExpr Const(long value) => new IntConst(value);

    public static IntExpr Add(IntExpr a, IntExpr b) => (a, b) switch
    {
        (IntConst x, IntConst y) => new IntConst(checked(x.Value + y.Value)),
        (IntConst { Value: 0 }, _) => b,
        (_, IntConst { Value: 0 }) => a,
        (IntBinary { Op: '+', Right: IntConst c1 } ab, IntConst c2) => Add(ab.Left, Const(checked(c1.Value + c2.Value))),
        (IntBinary { Op: '-', Right: IntConst c1 } ab, IntConst c2) => Add(ab.Left, Const(checked(c2.Value - c1.Value))),
        (_, IntConst { Value: < 0 } c) => new IntBinary('-', a, Const(-c.Value)),
        (IntConst, _) => new IntBinary('+', b, a),
        _ => new IntBinary('+', a, b),
    };

    public static IntExpr Sub(IntExpr a, IntExpr b) => (a, b) switch
    {
        (IntConst x, IntConst y) => new IntConst(checked(x.Value - y.Value)),
        (_, IntConst c) => Add(a, Const(checked(-c.Value))),
        _ when a == b => Const(0),
        (IntBinary { Op: '+' } ab, _) when ab.Right == b => ab.Left,
        (IntBinary { Op: '+' } ab, _) when ab.Left == b => ab.Right,
        _ => new IntBinary('-', a, b),
    };

    public static IntExpr Mul(IntExpr a, IntExpr b) => (a, b) switch
    {
        (IntConst x, IntConst y) => new IntConst(checked(x.Value * y.Value)),
        (IntConst { Value: 0 }, _) or (_, IntConst { Value: 0 }) => Const(0),
        (IntConst { Value: 1 }, _) => b,
        (_, IntConst { Value: 1 }) => a,
        (_, IntConst) => new IntBinary('*', b, a),
        _ => new IntBinary('*', a, b),
    };

    public static IntExpr Neg(IntExpr a) => Sub(Const(0), a);

    /// <summary>
    /// The number of iterations of <c>lo..hi</c>: hi − lo, or 0 for a reversed range (a loop over it runs zero times).
    /// The clamp is written only where the count is not known to be non-negative.
    /// </summary>
    public static IntExpr Count(IntExpr lo, IntExpr hi)
    {
        var n = Sub(hi, lo);
        if (n is IntConst c) return c.Value < 0 ? Const(0) : c;
        return n.IsProvablyNonNegative ? n : new IntClamp(n);
    }

    /// <summary>True when the value is ≥ 0 for every value of the dims (dims are never negative) and in-range indices.</summary>
    public abstract bool IsProvablyNonNegative { get; }

    /// <summary>
    /// a − b in a canonical form: both sides are expanded into constant + Σ coefficient·atom (atoms: dims, indices and
    /// products of them), so (n − 1) − (n − 2) is the constant 1 however the two sides were built. Null on overflow.
    /// </summary>
    public static IntExpr? Difference(IntExpr a, IntExpr b)
    {
        try
        {
            var terms = new Dictionary<IntExpr, long>();
            long constant = checked(Expand(a, 1, terms) + Expand(b, -1, terms));
            IntExpr result = Const(constant);
            foreach (var pair in terms.Where(p => p.Value != 0).OrderBy(p => p.Key.ToString(), System.StringComparer.Ordinal))
                result = pair.Value > 0 ? Add(result, Mul(Const(pair.Value), pair.Key)) : Sub(result, Mul(Const(-pair.Value), pair.Key));
            return result;
        }
        catch (System.OverflowException)
        {
            return null;
        }
    }

    /// <summary>Adds scale·e to <paramref name="terms"/> and returns scale times e's constant part.</summary>
    private static long Expand(IntExpr e, long scale, Dictionary<IntExpr, long> terms)
    {
        switch (e)
        {
            case IntConst c:
                return checked(scale * c.Value);
            case IntBinary { Op: '+' } x:
                return checked(Expand(x.Left, scale, terms) + Expand(x.Right, scale, terms));
            case IntBinary { Op: '-' } x:
                return checked(Expand(x.Left, scale, terms) + Expand(x.Right, -scale, terms));
            case IntBinary { Op: '*', Left: IntConst k } x:
                return Expand(x.Right, checked(scale * k.Value), terms);
            case IntBinary { Op: '*', Right: IntConst k } x:
                return Expand(x.Left, checked(scale * k.Value), terms);
            default:
                terms[e] = checked((terms.TryGetValue(e, out var c0) ? c0 : 0) + scale);
                return 0;
        }
    }

    /// <summary>Replaces index variables (used to move an indexed let's body to its use site).</summary>
    public abstract IntExpr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map);
}

public sealed record IntConst(long Value) : IntExpr
{
    public override bool IsProvablyNonNegative => Value >= 0;
    public override IEnumerable<IndexVar> FreeIndices() => Array.Empty<IndexVar>();
    public override bool IsConstant => true;
    public override IntExpr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map) => this;
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A dim whose value is known only at run time (a constructor argument or a data length).</summary>
public sealed record IntDim(string Name) : IntExpr
{
    public override bool IsProvablyNonNegative => true;
    public override IEnumerable<IndexVar> FreeIndices() => Array.Empty<IndexVar>();
    public override bool IsConstant => false;
    public override IntExpr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map) => this;
    public override string ToString() => Name;
}

public sealed record IntIndex(IndexVar Var) : IntExpr
{
    /// <summary>An index is at least its range's lower end.</summary>
    public override bool IsProvablyNonNegative => Var.Lower.IsProvablyNonNegative;
    public override IEnumerable<IndexVar> FreeIndices() => [Var];
    public override bool IsConstant => false;
    public override IntExpr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map) => map.TryGetValue(Var, out var e) ? e : this;
    public override string ToString() => Var.ToString();
}

public sealed record IntBinary(char Op, IntExpr Left, IntExpr Right) : IntExpr
{
    public override bool IsProvablyNonNegative => Op != '-' && Left.IsProvablyNonNegative && Right.IsProvablyNonNegative;
    public override IEnumerable<IndexVar> FreeIndices() => Left.FreeIndices().Concat(Right.FreeIndices()).Distinct();
    public override bool IsConstant => false;

    public override IntExpr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map)
    {
        var l = Left.Substitute(map);
        var r = Right.Substitute(map);
        return Op switch { '+' => Add(l, r), '-' => Sub(l, r), _ => Mul(l, r) };
    }

    public override string ToString() => Op == '*' ? $"{Wrap(Left)} * {Wrap(Right)}" : $"{Left} {Op} {Right}";

    private static string Wrap(IntExpr e) => e is IntBinary { Op: '+' or '-' } ? $"({e})" : e.ToString()!;
}

/// <summary><c>max(0, Inner)</c>: the iteration count of a range whose ends are known only at run time.</summary>
public sealed record IntClamp(IntExpr Inner) : IntExpr
{
    public override IEnumerable<IndexVar> FreeIndices() => Inner.FreeIndices();
    public override bool IsConstant => false;
    public override bool IsProvablyNonNegative => true;
    public override IntExpr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map) => Count(Const(0), Inner.Substitute(map));
    public override string ToString() => $"max(0, {Inner})";
}
