using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Emit;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Schedule;

/// <summary>
/// Turns loops into <see cref="SimdLoop"/>s: the loop body on four lanes at a time (<c>Vector256&lt;double&gt;</c>),
/// then the loop as it was for the remaining elements. Three kinds (docs/language.md section 8.5):
/// <list type="bullet">
/// <item>an innermost loop over contiguous elements (<see cref="TryVectorize"/>): every element it reads or writes has
/// an index whose step per iteration is 0 (the same element each time: read once and broadcast) or 1 (loaded four at a
/// time); a vector it writes is read or written only at the one index it is stored at (so iterations are independent);
/// every statement is a local, a sum folded into an accumulator, or a store; every call has a vector form (exp, log,
/// sqrt, abs, sin, cos, min, max and the runtime's log1p, sigmoid, softplus, relu, sign, step);</item>
/// <item>the same over interleaved pairs, every index at step 2 (<c>x[2*i]</c>, <c>x[2*i + 1]</c>), each pair stored
/// whole;</item>
/// <item>an outer loop over rows whose body holds such inner loops, four rows per step (<see cref="TryRows"/>).</item>
/// </list>
/// Anything else (a power by a variable exponent, tan, tanh, atan, a product or maximum reduction, mixed steps) leaves
/// the loop scalar.
/// <para>
/// What changes in the results: sums are added in four lanes (and in four partial sums when the loop is unrolled)
/// and the lanes added up at the end, so a sum is rounded differently from the one-by-one order; exp, log, sin and cos
/// are .NET's vector versions, within one unit in the last place as the scalar ones are, but not always the same bit.
/// Element-wise values without calls are exactly the scalar ones (no fused multiply-add is formed).
/// </para>
/// </summary>
internal sealed class LoopVectorizer(NameScope names, HashSet<string> dataArrays)
{
    /// <summary>Lanes of a <c>Vector256&lt;double&gt;</c>.</summary>
    public const int Width = 4;

    /// <summary>Loops with longer bodies stay scalar: the vector copy would multiply the method's size for little gain.</summary>
    private const int MaxStatements = 48;

    private const string Vector = "global::System.Runtime.Intrinsics.Vector256.";

    /// <summary>The scalar methods with a four-lane version: the elementary functions' table, and min/max.</summary>
    private static readonly Dictionary<string, string> s_vectorMethods = ElementaryFunctions.All
        .Where(f => f.VectorMethod is not null)
        .Select(f => (f.CSharpMethod, f.VectorMethod!))
        .Concat([("global::System.Math.Min", Vector + "Min"), ("global::System.Math.Max", Vector + "Max")])
        .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    private readonly Dictionary<string, List<string>> _loadNames = new(StringComparer.Ordinal);

    /// <summary>One ref local per vector, shared by every SIMD loop of the method (nested ones use the same refs).</summary>
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);

    /// <summary><paramref name="statements"/> with every qualifying innermost loop (at any depth) vectorized.</summary>
    public IReadOnlyList<Statement> Rewrite(IReadOnlyList<Statement> statements)
    {
        var result = new List<Statement>(statements.Count);
        foreach (var statement in statements)
        {
            CompilerCancellation.Check();
            if (statement is not Loop loop) result.Add(statement);
            else if (loop.Body.Any(s => s is Loop or SimdLoop)) result.Add(TryRows(loop) ?? (Statement)(loop with { Body = Rewrite(loop.Body) }));
            else result.Add(TryVectorize(loop) ?? (Statement)loop);
        }
        return result;
    }

    // ---- Legality and translation ---------------------------------------------------------------------------

    private sealed class Translation(Loop loop, bool pairs)
    {
        public readonly Loop Loop = loop;
        /// <summary>A loop over interleaved pairs (every access has step 2) rather than contiguous elements (step 1).</summary>
        public readonly bool Pairs = pairs;
        public readonly HashSet<string> Locals = new(StringComparer.Ordinal);
        public readonly List<string> Accumulators = new();
        /// <summary>Vectors the loop writes, with the one index (of a pair loop: the pair's first element) it touches in each.</summary>
        public readonly Dictionary<string, CInt> Written = new(StringComparer.Ordinal);
        /// <summary>Every access (of a pair loop: every pair's first element), for the range checks: distinct, in order of first use.</summary>
        public readonly List<(string Vector, CInt Index)> Accesses = new();
        /// <summary>Loop-invariant scalars broadcast into lanes, in order of first use.</summary>
        public readonly List<(CExpr Scalar, string Name)> Broadcasts = new();
        /// <summary>The local each load of a read-only vector goes into (one load per element, named at the body's top).</summary>
        public readonly Dictionary<(string Vector, CInt Index, int Half), string> Loads = new();
        /// <summary>Loads the body being translated uses, in order of first use.</summary>
        public readonly List<(string Vector, CInt Index, int Half)> Used = new();
        public string Index => Loop.Index;
    }

    private sealed class NotVectorizable : Exception;

    /// <param name="loop">An innermost loop.</param>
    /// <param name="rows">The loop runs four rows' bodies at once (<see cref="TryRows"/>): their sums already give four
    /// independent chains, so the body is not unrolled further.</param>
    private SimdLoop? TryVectorize(Loop loop, bool rows = false)
    {
        var body = loop.Body;
        int work = body.Count(s => s is not Comment);
        if (work == 0 || work > MaxStatements || !body.Any(s => s is Fold or Assign)) return null;
        // A loop known to run fewer times than there are lanes gains nothing.
        if (loop.Lower is CIntLiteral lo && loop.Upper is CIntLiteral hi && hi.Value - lo.Value < Width) return null;

        // Every element the loop touches moves by the same step per iteration: 1 (contiguous) or 2 (pairs), or stays (0).
        var steps = new HashSet<long?>();
        foreach (var st in body)
        {
            if (st is Assign store) steps.Add(Coefficient(store.Index, loop.Index));
            foreach (var e in Values(st))
                Walk(e, x => { if (x is CElement el) steps.Add(Coefficient(el.Index, loop.Index)); });
        }
        steps.Remove(0);
        if (steps.Count > 1 || steps.Any(x => x is not (1 or 2))) return null;
        var t = new Translation(loop, pairs: steps.Contains(2));
        try
        {
            // Writes first: every access of a written vector is checked against its one index.
            var pairHalves = new Dictionary<string, (bool Even, bool Odd, bool Accumulate)>(StringComparer.Ordinal);
            foreach (var s in body)
            {
                switch (s)
                {
                    case Comment or DeclareLocal:
                        break;
                    case Fold { Reduction: ExprKind.Sum } f:
                        if (!t.Accumulators.Contains(f.Accumulator, StringComparer.Ordinal)) t.Accumulators.Add(f.Accumulator);
                        break;
                    case Assign a:
                        if (Coefficient(a.Index, t.Index) is not (1 or 2)) return null;
                        var (first, odd) = t.Pairs ? SplitPair(a.Index, t.Index) : (a.Index, false);
                        if (t.Written.TryGetValue(a.Array, out var at) && !at.Equals(first)) return null;
                        t.Written[a.Array] = first;
                        if (t.Pairs)
                        {
                            // Both halves of each pair, each once, both set or both added to: a pair is stored whole.
                            var half = pairHalves.TryGetValue(a.Array, out var h) ? h : (Even: false, Odd: false, a.Accumulate);
                            if ((odd ? half.Odd : half.Even) || half.Accumulate != a.Accumulate) return null;
                            pairHalves[a.Array] = odd ? (half.Even, true, half.Accumulate) : (true, half.Odd, half.Accumulate);
                        }
                        break;
                    default:
                        return null;
                }
            }
            if (pairHalves.Values.Any(h => !(h.Even && h.Odd))) return null;

            var single = Translate(t, shift: 0, lane: 0, comments: true);
            // Four partial sums per sum hide the latency of its chain of additions, except in a loop that calls exp, log
            // and the like: its body is long enough on its own, and the extra sums would be spilled around every call.
            // The choice must not depend on what else the loop computes: a sum is then added in the same order in every
            // kernel that computes it, so the objective's value from Objective and from Gradient agree to the last bit (the
            // loop that computes f's value calls such a function exactly when the gradient's loop does). They can differ
            // in rounding only where one kernel's row loop takes four rows per step and the other's cannot (TryRows).
            // (A loop known to be shorter than the unrolled step is not unrolled: the copies would never run.)
            bool shortLoop = loop.Lower is CIntLiteral from && loop.Upper is CIntLiteral to && to.Value - from.Value < 4 * Width;
            int unroll = t.Accumulators.Count == 0 || rows || shortLoop || CallsOutOfLine(body) ? 1 : 4;
            var unrolled = new List<IReadOnlyList<Statement>>();
            if (unroll > 1)
                for (int u = 0; u < unroll; u++) unrolled.Add(Translate(t, shift: u * Width, lane: u, comments: false));

            var accumulators = t.Accumulators
                .Select(a => new SimdAccumulator(a, Enumerable.Range(0, unroll).Select(u => names.Claim(Bare(a) + "_v" + u)).ToList()))
                .ToList();
            // Lane names are claimed after translation; the statements refer to them by (accumulator, lane).
            var laneNames = accumulators.ToDictionary(a => a.Scalar, a => a.Lanes, StringComparer.Ordinal);
            IReadOnlyList<Statement> Name(IReadOnlyList<Statement> statements, int lane) =>
                statements.Select(s => s is VectorFold f ? f with { Accumulator = laneNames[f.Accumulator][lane] } : s).ToList();

            var vectors = t.Accesses.Select(a => a.Vector).Distinct(StringComparer.Ordinal).ToList();
            var refs = vectors.Select(v => new SimdRef(RefOf(v), v, dataArrays.Contains(v))).ToList();
            // A pair loop touches both elements of the last pair.
            var guards = t.Accesses
                .Select(a => new SimdGuard(a.Vector, Substitute(a.Index, t.Index, loop.Lower),
                    Plus(Substitute(a.Index, t.Index, Minus(loop.Upper, 1)), t.Pairs ? 1 : 0)))
                .ToList();
            var broadcasts = t.Broadcasts.Select(b => new SimdBroadcast(b.Name, b.Scalar)).ToList();
            return new SimdLoop(loop, refs, guards, broadcasts, accumulators, unroll,
                                unrolled.Select((c, u) => Name(c, u)).ToList(), Name(single, 0), t.Pairs);
        }
        catch (NotVectorizable)
        {
            return null;
        }
    }

    // ---- Rows: an outer loop whose lanes are four rows -------------------------------------------------------

    /// <summary>
    /// An outer loop over rows (i) whose body holds row statements and innermost loops over a row's elements (j), as
    /// <c>X * w</c> and its gradient scatter: four rows per step. The row statements (sigmoid of the row's dot product, the
    /// loss term) run on the four rows in SIMD lanes; each inner loop runs once for the four rows, its body repeated per
    /// row (so <c>w[j]</c> is loaded once for four rows, the four dot products are four independent chains, and the four
    /// rows' additions to <c>∇w[j]</c> are one load and one store), then vectorized over j as any inner loop.
    /// <para>
    /// It applies when: every inner loop is innermost, with bounds that do not depend on i; every sum inside an inner loop
    /// goes to an accumulator declared (as 0) in the row body and summed in that loop only; the row statements are
    /// vectorizable over i (elements at step 0 or 1); every vector written is written by one statement only and read
    /// nowhere in the loop, a row statement writing it at step 1. Then no value depends on the order in which the rows'
    /// statements interleave, and every element of a vector receives the rows' additions in row order, as before. The sums
    /// of the row statements are added in four lanes (rows 0, 4, 8… in the first).
    /// </para>
    /// </summary>
    private SimdLoop? TryRows(Loop outer)
    {
        string i = outer.Index;
        var body = outer.Body;
        if (outer.Lower is CIntLiteral lo && outer.Upper is CIntLiteral hi && hi.Value - lo.Value < Width) return null;
        var inner = body.OfType<Loop>().ToList();
        if (inner.Count == 0 || body.Count(s => s is not Comment) > MaxStatements) return null;
        if (body.Any(s => s is not (Comment or DeclareLocal or Fold { Reduction: ExprKind.Sum } or Assign or Loop))) return null;

        var rowLocals = new HashSet<string>(body.OfType<DeclareLocal>().Select(d => d.Name), StringComparer.Ordinal);
        var innerSums = new Dictionary<string, Loop>(StringComparer.Ordinal);
        var writers = new Dictionary<string, Statement>(StringComparer.Ordinal);
        var usedInside = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in inner)
        {
            if (Mentions(l.Lower, i) || Mentions(l.Upper, i) || l.Body.Count(s => s is not Comment) > MaxStatements / Width) return null;
            foreach (var s in l.Body)
            {
                switch (s)
                {
                    case Comment or DeclareLocal:
                        break;
                    case Fold { Reduction: ExprKind.Sum } f:
                        if (!rowLocals.Contains(f.Accumulator) || innerSums.TryGetValue(f.Accumulator, out var other) && other != l) return null;
                        innerSums[f.Accumulator] = l;
                        break;
                    case Assign a:
                        if (writers.TryGetValue(a.Array, out var w) && w != s) return null;
                        // A store into each row's own elements (g[j, i] += δ[j]·x[i], an outer product) gains nothing from
                        // rows in lanes (four scalar streams); the inner loop runs in lanes instead, one row at a time, unless
                        // it is known to be shorter than a vector.
                        if (Mentions(a.Index, i) && !(l.Lower is CIntLiteral from && l.Upper is CIntLiteral to && to.Value - from.Value < Width)) return null;
                        writers[a.Array] = s;
                        break;
                    default:
                        return null;
                }
                foreach (var e in Values(s)) Names(e, usedInside);
            }
        }
        foreach (var s in body)
        {
            if (s is Assign a)
            {
                if (Coefficient(a.Index, i) != 1 || writers.ContainsKey(a.Array)) return null;
                writers[a.Array] = s;
            }
            // An inner sum starts at 0 in the row body and is summed nowhere else.
            if (s is DeclareLocal d && innerSums.ContainsKey(d.Name) && d.Value is not CLiteral { Value: 0.0 }) return null;
            if (s is Fold f && (innerSums.ContainsKey(f.Accumulator) || rowLocals.Contains(f.Accumulator))) return null;
        }
        if (innerSums.Keys.Any(acc => !body.Any(s => s is DeclareLocal d && d.Name == acc))) return null;
        // No vector the loop writes is read in it (an accumulating store reads only its own element).
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in body.Concat(inner.SelectMany(l => l.Body))) foreach (var e in Values(s)) Arrays(e, read);
        if (writers.Keys.Any(read.Contains)) return null;
        usedInside.IntersectWith(rowLocals);
        usedInside.ExceptWith(innerSums.Keys);

        var t = new Translation(outer, pairs: false);
        try
        {
            var statements = new List<Statement>();
            var lanesOf = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var s in body)
            {
                switch (s)
                {
                    case Comment c:
                        statements.Add(c);
                        break;
                    case DeclareLocal d when innerSums.ContainsKey(d.Name):
                        var sums = Enumerable.Range(0, Width).Select(r => names.Claim(Bare(d.Name) + "_" + r)).ToList();
                        lanesOf[d.Name] = sums;
                        statements.AddRange(sums.Select(n => new DeclareLocal(n, d.Value)));
                        break;
                    case DeclareLocal d:
                        statements.Add(new VectorDeclare(d.Name, Expression(t, d.Value, 0)));
                        t.Locals.Add(d.Name);
                        if (usedInside.Contains(d.Name))
                        {
                            var rows = Enumerable.Range(0, Width).Select(r => names.Claim(Bare(d.Name) + "_" + r)).ToList();
                            lanesOf[d.Name] = rows;
                            statements.AddRange(rows.Select((n, r) => new ExtractLane(n, d.Name, r)));
                        }
                        break;
                    case Fold f:
                        if (!t.Accumulators.Contains(f.Accumulator, StringComparer.Ordinal)) t.Accumulators.Add(f.Accumulator);
                        statements.Add(new VectorFold(f.Accumulator, Expression(t, f.Value, 0)));
                        break;
                    case Assign a:
                        Access(t, a.Array, a.Index);
                        statements.Add(new VectorStore(RefOf(a.Array), a.Index, a.Accumulate, [Expression(t, a.Value, 0)]));
                        break;
                    case Loop l:
                        var four = new Loop(l.Index, l.Lower, l.Upper, RowCopies(l, i, lanesOf));
                        statements.Add(TryVectorize(four, rows: true) ?? (Statement)four);
                        foreach (var acc in innerSums.Where(p => p.Value == l).Select(p => p.Key))
                        {
                            statements.Add(new PackLanes(acc, lanesOf[acc]));
                            t.Locals.Add(acc);
                        }
                        break;
                }
            }
            // The row statements' loads first, each into its local.
            statements.InsertRange(0, t.Used.Select(key => (Statement)new VectorDeclare(t.Loads[key], new CVectorLoad(RefOf(key.Vector), key.Index))));

            var refs = t.Accesses.Select(a => a.Vector).Distinct(StringComparer.Ordinal).Select(v => new SimdRef(RefOf(v), v, dataArrays.Contains(v))).ToList();
            var guards = t.Accesses.Select(a => new SimdGuard(a.Vector, Substitute(a.Index, i, outer.Lower), Substitute(a.Index, i, Minus(outer.Upper, 1)))).ToList();
            var accumulators = t.Accumulators.Select(a => new SimdAccumulator(a, [names.Claim(Bare(a) + "_v")])).ToList();
            var laneNames = accumulators.ToDictionary(a => a.Scalar, a => a.Lanes[0], StringComparer.Ordinal);
            var named = statements.Select(s => s is VectorFold f ? f with { Accumulator = laneNames[f.Accumulator] } : s).ToList();
            return new SimdLoop(outer with { Body = Rewrite(body) }, refs, guards, t.Broadcasts.Select(b => new SimdBroadcast(b.Name, b.Scalar)).ToList(),
                                accumulators, Unroll: 1, Unrolled: [], named, Pairs: false, Rows: true);
        }
        catch (NotVectorizable)
        {
            return null;
        }
    }

    /// <summary>
    /// The body of inner loop <paramref name="l"/> for rows i, i + 1, i + 2, i + 3: each statement four times in a row,
    /// the row's index shifted, its locals renamed, row values (and inner sums) replaced by that row's scalar.
    /// </summary>
    private List<Statement> RowCopies(Loop l, string i, Dictionary<string, IReadOnlyList<string>> lanesOf)
    {
        var renamed = new Dictionary<string, IReadOnlyList<string>>(lanesOf, StringComparer.Ordinal);
        foreach (var d in l.Body.OfType<DeclareLocal>())
            renamed[d.Name] = Enumerable.Range(0, Width).Select(r => names.Claim(Bare(d.Name) + "_" + r)).ToList();
        var result = new List<Statement>();
        foreach (var s in l.Body)
        {
            if (s is Comment) { result.Add(s); continue; }
            for (int r = 0; r < Width; r++)
            {
                CInt Row(CInt e) => Shift(e, i, r);
                CExpr Value(CExpr e) => RowCopy(e, i, r, renamed);
                result.Add(s switch
                {
                    DeclareLocal d => new DeclareLocal(renamed[d.Name][r], Value(d.Value)),
                    Fold f => new Fold(renamed[f.Accumulator][r], f.Reduction, Value(f.Value)),
                    Assign a => new Assign(a.Array, Row(a.Index), a.Accumulate, Value(a.Value)),
                    _ => throw new InvalidOperationException(),
                });
            }
        }
        return result;
    }

    private static CExpr RowCopy(CExpr e, string i, int r, Dictionary<string, IReadOnlyList<string>> renamed)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return e switch
        {
            CName n when renamed.TryGetValue(n.Name, out var lanes) => new CName(lanes[r]),
            CIndexValue iv => new CIndexValue(Shift(iv.Index, i, r)),
            CElement el => new CElement(el.Array, Shift(el.Index, i, r)),
            CChain c => new CChain(RowCopy(c.First, i, r, renamed), c.Rest.Select(x => (x.Minus, RowCopy(x.Operand, i, r, renamed))).ToList()),
            CBinary b => new CBinary(b.Op, RowCopy(b.Left, i, r, renamed), RowCopy(b.Right, i, r, renamed)),
            CNegate n => new CNegate(RowCopy(n.Operand, i, r, renamed)),
            CCall call => new CCall(call.Method, call.Arguments.Select(a => RowCopy(a, i, r, renamed)).ToList()),
            CConditional c => new CConditional(RowCopy(c.Condition, i, r, renamed), c.Comparison, RowCopy(c.WhenTrue, i, r, renamed), RowCopy(c.WhenFalse, i, r, renamed)),
            _ => e,
        };
    }

    private static IEnumerable<CExpr> Values(Statement s) => s switch
    {
        DeclareLocal d => [d.Value],
        Fold f => [f.Value],
        Assign a => [a.Value],
        _ => Array.Empty<CExpr>(),
    };

    private static bool Mentions(CInt e, string index) => e switch
    {
        CIntName n => n.Name == index,
        CIntBinary b => Mentions(b.Left, index) || Mentions(b.Right, index),
        CIntClamp c => Mentions(c.Inner, index),
        _ => false,
    };

    /// <summary>Adds the names <paramref name="e"/> reads to <paramref name="into"/>.</summary>
    private static void Names(CExpr e, HashSet<string> into) => Walk(e, x => { if (x is CName n) into.Add(n.Name); });

    /// <summary>Adds the vectors <paramref name="e"/> reads to <paramref name="into"/>.</summary>
    private static void Arrays(CExpr e, HashSet<string> into) => Walk(e, x => { if (x is CElement el) into.Add(el.Array); });

    private static void Walk(CExpr e, Action<CExpr> visit)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        visit(e);
        switch (e)
        {
            case CChain c:
                Walk(c.First, visit);
                foreach (var r in c.Rest) Walk(r.Operand, visit);
                break;
            case CBinary b: Walk(b.Left, visit); Walk(b.Right, visit); break;
            case CNegate n: Walk(n.Operand, visit); break;
            case CCall call: foreach (var a in call.Arguments) Walk(a, visit); break;
            case CConditional c: Walk(c.Condition, visit); Walk(c.WhenTrue, visit); Walk(c.WhenFalse, visit); break;
        }
    }

    /// <summary>Functions whose vector form is a call (not a few inline instructions as sqrt, abs, min, max, relu).</summary>
    private static readonly HashSet<string> s_outOfLine = new(
        new[] { Func.Exp, Func.Log, Func.Log1p, Func.Sin, Func.Cos, Func.Sigmoid, Func.Softplus }.Select(f => ElementaryFunctions.Of(f).CSharpMethod),
        StringComparer.Ordinal);

    private static bool CallsOutOfLine(IEnumerable<Statement> body)
    {
        bool found = false;
        foreach (var s in body)
            foreach (var e in Values(s))
                Walk(e, x => found |= x is CCall call && s_outOfLine.Contains(call.Method));
        return found;
    }

    /// <summary>
    /// A step-2 index as the first element of its pair and which half it is: <c>2*i + 1</c> is the odd half of the pair
    /// at <c>2*i</c>; any other index is the even half of the pair it starts.
    /// </summary>
    private static (CInt First, bool Odd) SplitPair(CInt index, string loopIndex) =>
        index is CIntBinary { Op: '+', Right: CIntLiteral { Value: 1 } } b && Coefficient(b.Left, loopIndex) == 2 ? (b.Left, true) : (index, false);

    private List<Statement> Translate(Translation t, int shift, int lane, bool comments)
    {
        t.Used.Clear();
        var result = new List<Statement>();
        var pending = new Dictionary<string, CExpr>(StringComparer.Ordinal);
        foreach (var s in t.Loop.Body)
        {
            switch (s)
            {
                case Comment c:
                    if (comments) result.Add(c);
                    break;
                case DeclareLocal d:
                    var value = Expression(t, d.Value, shift);
                    if (shift == 0 && lane == 0) t.Locals.Add(d.Name);
                    result.Add(new VectorDeclare(d.Name, value));
                    break;
                case Fold f:
                    result.Add(new VectorFold(f.Accumulator, Expression(t, f.Value, shift)));
                    break;
                case Assign a when t.Pairs:
                {
                    // The first half waits for the second; the pair is stored where its second half was.
                    var (first, odd) = SplitPair(a.Index, t.Index);
                    Access(t, a.Array, first);
                    var half = Expression(t, a.Value, shift);
                    if (!pending.TryGetValue(a.Array, out var other))
                    {
                        pending[a.Array] = half;
                        break;
                    }
                    var (evens, odds) = odd ? (other, half) : (half, other);
                    result.Add(new VectorPairStore(RefOf(a.Array), Shift(first, t.Index, shift), a.Accumulate, evens, odds));
                    break;
                }
                case Assign a:
                    Access(t, a.Array, a.Index);
                    var stored = Expression(t, a.Value, shift);
                    var target = Shift(a.Index, t.Index, shift);
                    // Adds to the element the previous statement added to: one load and store for both.
                    if (a.Accumulate && result.Count > 0 && result[result.Count - 1] is VectorStore { Accumulate: true } previous
                        && previous.Ref == RefOf(a.Array) && previous.Index.Equals(target))
                        result[result.Count - 1] = previous with { Values = [.. previous.Values, stored] };
                    else
                        result.Add(new VectorStore(RefOf(a.Array), target, a.Accumulate, [stored]));
                    break;
            }
        }
        // The loads first, each into its local: x[j] is loaded once however often the body uses it.
        result.InsertRange(0, t.Used.Select(key =>
        {
            var index = Shift(key.Index, t.Index, shift);
            string r = RefOf(key.Vector);
            CExpr load = key.Half switch { 0 => new CVectorLoad(r, index), 1 => new CVectorPairLoad(r, index, Odd: false), _ => new CVectorPairLoad(r, index, Odd: true) };
            return (Statement)new VectorDeclare(t.Loads[key], load);
        }));
        return result;
    }

    /// <summary>The local holding a load of a read-only vector: <c>w_j</c> for w[j], <c>x_even</c>/<c>x_odd</c> for pairs.</summary>
    private CName Load(Translation t, string vector, CInt index, int half)
    {
        var key = (vector, index, half);
        Access(t, vector, index);
        if (!t.Loads.TryGetValue(key, out var name))
        {
            // Names are shared by the method's SIMD loops (they are siblings, or nested with another index): the k-th
            // load of x at step j in any loop is x_j, x_j_, x_j_2...
            string preferred = Bare(vector) + half switch { 0 => "_" + Bare(t.Index), 1 => "_even", _ => "_odd" };
            if (!_loadNames.TryGetValue(preferred, out var pool)) _loadNames[preferred] = pool = new List<string>();
            int k = t.Loads.Keys.Count(other => other.Vector == vector && other.Half == half);
            if (k == pool.Count) pool.Add(names.Claim(preferred));
            t.Loads[key] = name = pool[k];
        }
        if (!t.Used.Contains(key)) t.Used.Add(key);
        return new CName(name);
    }

    private CExpr Expression(Translation t, CExpr e, int shift)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (e)
        {
            case CName n:
                if (t.Locals.Contains(n.Name)) return n;
                if (t.Accumulators.Contains(n.Name, StringComparer.Ordinal)) throw new NotVectorizable();
                return new CName(Broadcast(t, n));
            case CLiteral l:
                return new CVectorConstant(l.Value);
            case CIndexValue iv:
                return Coefficient(iv.Index, t.Index) is { } step
                    ? new CVectorIndex(Shift(iv.Index, t.Index, shift), step, t.Pairs)
                    : throw new NotVectorizable();
            case CElement el:
                switch (Coefficient(el.Index, t.Index))
                {
                    case 0 when !t.Written.ContainsKey(el.Array):
                        return new CName(Broadcast(t, el));
                    case 1 when !t.Pairs && !t.Written.ContainsKey(el.Array):
                        return Load(t, el.Array, el.Index, 0);
                    case 1 when !t.Pairs && t.Written[el.Array].Equals(el.Index):
                        // A vector the loop writes is read in place, where the statement reads it.
                        Access(t, el.Array, el.Index);
                        return new CVectorLoad(RefOf(el.Array), Shift(el.Index, t.Index, shift));
                    case 2 when t.Pairs && !t.Written.ContainsKey(el.Array):
                        var (first, odd) = SplitPair(el.Index, t.Index);
                        return Load(t, el.Array, first, odd ? 2 : 1);
                    default:
                        throw new NotVectorizable();
                }
            case CChain c:
                return new CChain(Expression(t, c.First, shift), c.Rest.Select(r => (r.Minus, Expression(t, r.Operand, shift))).ToList());
            case CBinary b:
                return new CBinary(b.Op, Expression(t, b.Left, shift), Expression(t, b.Right, shift));
            case CNegate n:
                return new CNegate(Expression(t, n.Operand, shift));
            case CCall call when s_vectorMethods.TryGetValue(call.Method, out var method):
                return new CCall(method, call.Arguments.Select(a => Expression(t, a, shift)).ToList());
            case CConditional c:
                return new CVectorSelect(Expression(t, c.Condition, shift), c.Comparison, Expression(t, c.WhenTrue, shift), Expression(t, c.WhenFalse, shift));
            default:
                throw new NotVectorizable();
        }
    }

    private string Broadcast(Translation t, CExpr scalar)
    {
        foreach (var (s, name) in t.Broadcasts) if (s.Equals(scalar)) return name;
        string preferred = scalar switch
        {
            CName n => Bare(n.Name) + "_v", // Claim makes any text (a primary expression) an identifier
            CElement el => Bare(el.Array) + "_v",
            _ => "c_v",
        };
        string claimed = names.Claim(preferred);
        t.Broadcasts.Add((scalar, claimed));
        return claimed;
    }

    private static void Access(Translation t, string vector, CInt index)
    {
        if (!t.Accesses.Contains((vector, index))) t.Accesses.Add((vector, index));
    }

    private string RefOf(string vector)
    {
        if (!_refs.TryGetValue(vector, out var name)) _refs[vector] = name = names.Claim(Bare(vector) + "_ref");
        return name;
    }

    private static string Bare(string name) => name.StartsWith("@", StringComparison.Ordinal) ? name.Substring(1) : name;

    // ---- Index arithmetic ---------------------------------------------------------------------------------

    /// <summary>How much <paramref name="e"/> grows per step of <paramref name="index"/>; null when that is not a constant.</summary>
    internal static long? Coefficient(CInt e, string index) => e switch
    {
        CIntLiteral => 0,
        CIntName n => n.Name == index ? 1 : 0,
        CIntBinary { Op: '+' } b => Coefficient(b.Left, index) + Coefficient(b.Right, index),
        CIntBinary { Op: '-' } b => Coefficient(b.Left, index) - Coefficient(b.Right, index),
        CIntBinary { Op: '*' } b => (Coefficient(b.Left, index), Coefficient(b.Right, index)) switch
        {
            (0, 0) => 0,
            (long c, _) when b.Right is CIntLiteral r => c * r.Value,
            (_, long c) when b.Left is CIntLiteral l => c * l.Value,
            _ => null,
        },
        CIntClamp c => Coefficient(c.Inner, index) == 0 ? 0 : null,
        _ => null,
    };

    /// <summary><paramref name="e"/> with <paramref name="index"/> advanced by <paramref name="shift"/> elements.</summary>
    private static CInt Shift(CInt e, string index, int shift) =>
        shift == 0 ? e : Substitute(e, index, new CIntBinary('+', new CIntName(index), new CIntLiteral(shift)));

    /// <summary><paramref name="e"/> with <paramref name="index"/> replaced by <paramref name="by"/>, constants folded.</summary>
    internal static CInt Substitute(CInt e, string index, CInt by) => e switch
    {
        CIntName n when n.Name == index => by,
        CIntBinary b => Simplify(new CIntBinary(b.Op, Substitute(b.Left, index, by), Substitute(b.Right, index, by))),
        CIntClamp c => new CIntClamp(Substitute(c.Inner, index, by)),
        _ => e,
    };

    private static CInt Plus(CInt e, long k) => k == 0 ? e : Simplify(new CIntBinary('+', e, new CIntLiteral(k)));

    /// <summary><c>e - k</c>, unfolded: a constant bound stays readable as <c>100 - 1</c>.</summary>
    private static CInt Minus(CInt e, long k) => new CIntBinary('-', e, new CIntLiteral(k));

    private static CInt Simplify(CIntBinary b) => (b.Op, b.Left, b.Right) switch
    {
        ('+', CIntLiteral l, CIntLiteral r) => new CIntLiteral(l.Value + r.Value),
        ('-', CIntLiteral l, CIntLiteral r) => new CIntLiteral(l.Value - r.Value),
        ('*', CIntLiteral l, CIntLiteral r) => new CIntLiteral(l.Value * r.Value),
        ('+' or '-', var l, CIntLiteral { Value: 0 }) => l,
        ('+', var l, CIntLiteral { Value: < 0 } r) => Simplify(new CIntBinary('-', l, new CIntLiteral(-r.Value))),
        ('-', var l, CIntLiteral { Value: < 0 } r) => Simplify(new CIntBinary('+', l, new CIntLiteral(-r.Value))),
        ('+', CIntLiteral { Value: 0 }, var r) => r,
        ('*', CIntLiteral { Value: 0 }, _) or ('*', _, CIntLiteral { Value: 0 }) => new CIntLiteral(0),
        ('*', CIntLiteral { Value: 1 }, var r) => r,
        ('*', var l, CIntLiteral { Value: 1 }) => l,
        // (a + 1) + 4 → a + 5; (a + 1) - 1 → a
        ('+' or '-', CIntBinary { Op: '+' or '-', Right: CIntLiteral inner } l, CIntLiteral outer) =>
            Simplify(new CIntBinary(l.Op, l.Left, new CIntLiteral(inner.Value + (l.Op == b.Op ? outer.Value : -outer.Value)))),
        _ => b,
    };
}
