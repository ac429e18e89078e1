using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Emit;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Schedule;

/// <summary>How the kernel reaches the problem's symbols (locals set up by the method that hosts the kernel).</summary>
public interface IKernelSymbols
{
    /// <summary>The local span or array holding a Var, Dir, Data or Mult symbol (declaring it on first use).</summary>
    string Array(ExprKind kind, string symbol);

    /// <summary>The flat position of an element inside <see cref="Array"/>.</summary>
    IntExpr Flatten(ExprKind kind, string symbol, IReadOnlyList<IntExpr> indices);

    /// <summary>The length of the span or array holding a 1-D Var, Dir or Data symbol (null for other shapes).</summary>
    IntExpr? VectorLength(ExprKind kind, string symbol);

    /// <summary>The local holding a scalar Data symbol (null for arrays and other kinds).</summary>
    string? Scalar(ExprKind kind, string symbol);

    /// <summary>The local (or other primary expression) holding a param.</summary>
    string Param(string symbol);

    /// <summary>The primary expression holding a pareto block's scalarization weight or ε-level <paramref name="k"/>.</summary>
    string Scalarization(ExprKind kind, int k);

    /// <summary>The local holding a runtime dim.</summary>
    string Dim(string name);

    /// <summary>True when the Data symbol is held in a <c>double[]</c> (false: a span, such as one row of a model's inputs).</summary>
    bool IsDataArray(string symbol);
}

/// <summary>Something a kernel computes.</summary>
public abstract record KernelItem
{
    /// <summary>Loops the item runs in, outermost first.</summary>
    public abstract IReadOnlyList<IndexVar> Loops { get; }
}

/// <summary><c>double Name = Value;</c> at the top of the kernel.</summary>
public sealed record DeclareScalar(string Name, Expr Value) : KernelItem
{
    public override IReadOnlyList<IndexVar> Loops => Array.Empty<IndexVar>();
}

/// <summary>
/// <c>Array[Index] = Value</c> (or <c>+=</c>) for every value of the free index variables. A comment goes above it;
/// with <see cref="Element"/> set it names the derivative <c>∂/∂name[indices]</c> in the loop names of the generated code.
/// </summary>
public sealed record Store(string Array, IntExpr Index, Expr Value, bool Accumulate, KernelComment? Comment = null,
                           (string Name, IReadOnlyList<IntExpr> Indices)? Element = null, IntExpr? ArrayLength = null,
                           IReadOnlyList<IndexVar>? Context = null, (string Label, IReadOnlyList<IntExpr> Indices)? Row = null) : KernelItem
{
    /// <summary>The free indices of the value and the index, the <see cref="Context"/> loops (a gradient term that runs once
    /// per iteration of a loop whose index it does not mention), and the loops their ranges depend on.</summary>
    public override IReadOnlyList<IndexVar> Loops { get; } =
        IndexClosure.Of((Context ?? []).Concat(Value.Free).Concat(Index.FreeIndices()));
}

/// <summary>The body of a reduction, folded into its accumulator once per iteration.</summary>
internal sealed record Accumulate(string Accumulator, ExprKind Reduction, Expr Body, IReadOnlyList<IndexVar> LoopNest) : KernelItem
{
    public override IReadOnlyList<IndexVar> Loops => LoopNest;
}

/// <summary>
/// Schedules IR as straight-line code with loops, into a <see cref="KernelPlan"/>'s statements. Each node is computed
/// once, in the outermost loop where all its index variables are bound (loop-invariant code is hoisted); reductions
/// that need the same loop and do not depend on each other share one loop (so a gradient's scatter loops fuse with the
/// objective's sum); a node used more than once, or computed outside the loop that uses it, gets a named local; a loop
/// that is one whole-vector operation becomes a TensorPrimitives call; other innermost loops over contiguous elements
/// run four elements at a time in SIMD lanes (<see cref="LoopVectorizer"/>).
/// </summary>
public sealed class KernelScheduler
{
    private IKernelSymbols _symbols;
    /// <summary>Indexed values filled into buffers once per call (<see cref="IndexedValueBuffers"/>).</summary>
    private IndexedValueBuffers? _buffers;
    private readonly Dictionary<Expr, int> _uses = new();
    private readonly HashSet<string> _reservedNames;
    private IReadOnlyDictionary<Expr, ValueName> _valueNames;
    /// <summary>Every name this method declares or uses: reserved, index, generated. A new local takes none of them.</summary>
    private NameScope _taken = new();
    private int _nextTemp;
    private readonly HashSet<string> _indexNames = new(StringComparer.Ordinal);
    /// <summary>The arrays (<c>double[]</c> data) among the vectors the kernel indexes; the others are spans.</summary>
    private readonly HashSet<string> _dataArrays = new(StringComparer.Ordinal);

    private sealed class Region
    {
        public Region? Parent;
        public required IReadOnlyList<IndexVar> Loops;
        public readonly List<Statement> Lines = new();
        public readonly Dictionary<Expr, string> Locals = new();
        public readonly Dictionary<IndexVar, string> LoopNames = new();
        public readonly HashSet<string> Names = new();

        public bool IsNameTaken(string name) => Names.Contains(name) || (Parent?.IsNameTaken(name) ?? false);

        /// <summary>
        /// The local holding <paramref name="e"/> as seen from here. Index variables follow the innermost binder (the
        /// gradient's scatter loop over j may enclose a matrix-vector sum that binds j again), so a value computed
        /// outside a loop that rebinds one of its indices is not the value wanted inside it.
        /// </summary>
        public string? Lookup(Expr e)
        {
            for (var r = this; r is not null; r = r.Parent)
            {
                if (r.Locals.TryGetValue(e, out var name)) return name;
                if (r.Parent is not null && e.Free.Contains(r.Loops[r.Loops.Count - 1])) return null;
            }
            return null;
        }

        public string LoopName(IndexVar v) => LoopNames.TryGetValue(v, out var n) ? n : Parent?.LoopName(v)
            ?? throw new InvalidOperationException($"Index '{v}' is used outside its loop");

        public bool IsOpen(IndexVar v) => LoopNames.ContainsKey(v) || (Parent?.IsOpen(v) ?? false);
    }

    /// <param name="valueNames">The .opt names of values (lets, named objectives): a local holding one is named after it.</param>
    public KernelScheduler(IKernelSymbols symbols, IEnumerable<string> reservedNames, IReadOnlyDictionary<Expr, ValueName> valueNames)
    {
        _symbols = symbols;
        _reservedNames = new HashSet<string>(reservedNames);
        _valueNames = valueNames;
    }

    /// <summary>The statements that compute <paramref name="items"/>.</summary>
    public IReadOnlyList<Statement> Schedule(IReadOnlyList<KernelItem> items)
    {
        (_buffers, items, _valueNames) = IndexedValueBuffers.Plan(items, _valueNames);
        _symbols = _buffers.Wrap(_symbols);
        CountUses(items);
        // C# forbids a name in a nested scope that an enclosing scope declares, even later: temporaries never take an
        // index name of this kernel, and every generated name is unique across the whole method.
        foreach (var item in items) foreach (var v in item.Loops) _indexNames.Add(v.Name);
        foreach (var e in _uses.Keys) if (e.Bound is { } bound) _indexNames.Add(bound.Name);
        var root = new Region { Loops = Array.Empty<IndexVar>() };
        foreach (var n in _reservedNames) root.Names.Add(n);
        foreach (var item in items.OfType<DeclareScalar>()) root.Names.Add(item.Name);
        _taken = new NameScope(root.Names.Concat(_indexNames));
        foreach (var buffer in _buffers.Buffers)
        {
            buffer.Local = _taken.Claim(buffer.PreferredName, "_");
            root.Names.Add(ProblemNames.Bare(buffer.Local));
            root.Lines.Add(new DeclareBuffer(buffer.Local, Int(buffer.Size, root)));
        }
        items = items.Select(i => i is Store st && IndexedValueBuffers.IsBuffer(st.Array) ? st with { Array = _buffers.Of(st.Array).Local } : i).ToList();
        ScheduleRegion(root, items);
        return new LoopVectorizer(_taken, _dataArrays).Rewrite(root.Lines);
    }

    private void CountUses(IEnumerable<KernelItem> items)
    {
        var seen = new HashSet<Expr>();
        void Visit(Expr e)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            _uses[e] = _uses.TryGetValue(e, out var c) ? c + 1 : 1;
            if (!seen.Add(e)) return;
            foreach (var a in e.Args) Visit(a);
        }
        foreach (var item in items)
        {
            switch (item)
            {
                case DeclareScalar d: Visit(d.Value); break;
                case Store s: Visit(s.Value); break;
            }
        }
    }

    private static bool IsReduction(Expr e) => e.Kind is ExprKind.Sum or ExprKind.Prod or ExprKind.MaxReduce;

    private static bool IsLeaf(Expr e) => e.Args.Count == 0;

    /// <summary>How many of <paramref name="region"/>'s loops a node needs: the depth of the region that computes it.</summary>
    private static int TargetDepth(Expr e, IReadOnlyList<IndexVar> loops)
    {
        int depth = 0;
        foreach (var v in e.Free)
        {
            int at = IndexOf(loops, v);
            if (at < 0) return int.MaxValue; // needs a loop that is not open yet
            depth = Math.Max(depth, at + 1);
        }
        return depth;
    }

    /// <summary>The innermost loop binding <paramref name="v"/> (an inner binder shadows an outer one).</summary>
    private static int IndexOf(IReadOnlyList<IndexVar> loops, IndexVar v)
    {
        for (int k = loops.Count - 1; k >= 0; k--) if (loops[k].Equals(v)) return k;
        return -1;
    }

    private static IEnumerable<Expr> Roots(KernelItem item) => item switch
    {
        DeclareScalar d => [d.Value],
        Store s => [s.Value],
        Accumulate a => [a.Body],
        _ => Array.Empty<Expr>(),
    };

    private void ScheduleRegion(Region region, IReadOnlyList<KernelItem> items)
    {
        var loops = region.Loops;
        int depth = loops.Count;

        // Reductions this region computes: those whose free indices need exactly this region's loops.
        var needed = new List<Expr>();
        var neededSet = new HashSet<Expr>();
        var visited = new HashSet<Expr>();
        void Collect(Expr e)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            CompilerCancellation.Check();
            if (IsLeaf(e) || !visited.Add(e)) return;
            int target = TargetDepth(e, loops);
            if (target < depth) return; // computed further out, already available
            if (target == depth && IsReduction(e) && region.Lookup(e) is null && neededSet.Add(e)) needed.Add(e);
            foreach (var a in e.Args) Collect(a);
        }
        foreach (var item in items) foreach (var r in Roots(item)) Collect(r);

        // Dependencies between them, and on them, decide stages: a loop runs after the loops it needs.
        List<Expr> DependenciesOf(IEnumerable<Expr> roots)
        {
            var deps = new List<Expr>();
            var seen = new HashSet<Expr>();
            void Walk(Expr e)
            {
                System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
                if (IsLeaf(e) || !seen.Add(e)) return;
                if (TargetDepth(e, loops) < depth) return;
                if (neededSet.Contains(e)) { deps.Add(e); return; }
                foreach (var a in e.Args) Walk(a);
            }
            foreach (var r in roots) Walk(r);
            return deps;
        }

        var stage = new Dictionary<Expr, int>();
        // A loop that reads a buffer runs after the loop that fills it (only the root region fills buffers).
        var fills = depth == 0 ? items.OfType<Store>().Where(st => _buffers!.Buffers.Any(b => b.Local == st.Array)).ToDictionary(st => st.Array) : new();
        var fillStage = new Dictionary<string, int>(StringComparer.Ordinal);
        int AfterFills(IEnumerable<Expr> roots) => fills.Count == 0 ? 0
            : roots.SelectMany(r => _buffers!.ReadBy(r)).Distinct().Select(symbol => FillStage(_buffers!.Of(symbol).Local) + 1).DefaultIfEmpty(0).Max();
        int FillStage(string local)
        {
            if (fillStage.TryGetValue(local, out int s)) return s;
            var fill = fills[local];
            int value = Math.Max(DependenciesOf(Roots(fill)).Select(d => StageOf(d) + 1).DefaultIfEmpty(0).Max(), AfterFills(Roots(fill)));
            fillStage[local] = value;
            return value;
        }
        int StageOf(Expr reduction)
        {
            if (stage.TryGetValue(reduction, out int s)) return s;
            stage[reduction] = 0; // reductions are acyclic; this only guards against bugs
            int value = Math.Max(DependenciesOf([reduction.Args[0]]).Select(d => StageOf(d) + 1).DefaultIfEmpty(0).Max(), AfterFills([reduction.Args[0]]));
            stage[reduction] = value;
            return value;
        }
        foreach (var r in needed) StageOf(r);

        var deeper = items.Where(i => i.Loops.Count > depth).ToList();
        var deeperStage = deeper.ToDictionary(i => i, i => i is Store st && fills.ContainsKey(st.Array)
            ? FillStage(st.Array)
            : Math.Max(DependenciesOf(Roots(i)).Select(d => stage[d] + 1).DefaultIfEmpty(0).Max(), AfterFills(Roots(i))));

        int maxStage = needed.Select(r => stage[r]).Concat(deeperStage.Values).DefaultIfEmpty(-1).Max();
        for (int s = 0; s <= maxStage; s++)
        {
            // Group by the loop index: same index (same range, same level) → one loop.
            var groups = new List<(IndexVar Index, List<Expr> Reductions, List<KernelItem> Items)>();
            (IndexVar, List<Expr>, List<KernelItem>) GroupFor(IndexVar v)
            {
                foreach (var g in groups) if (g.Index.Equals(v)) return g;
                var created = (v, new List<Expr>(), new List<KernelItem>());
                groups.Add(created);
                return created;
            }
            foreach (var r in needed.Where(r => stage[r] == s)) GroupFor(r.Bound!).Item2.Add(r);
            foreach (var i in deeper.Where(i => deeperStage[i] == s)) GroupFor(i.Loops[depth]).Item3.Add(i);

            foreach (var (index, reductions, groupItems) in groups)
            {
                if (TryVectorKernel(region, index, reductions, groupItems)) continue;
                var body = new Region { Parent = region, Loops = [.. loops, index] };
                var inner = new List<KernelItem>();
                foreach (var r in reductions)
                {
                    string acc = NameOf(r, region, "s");
                    double init = r.Kind switch { ExprKind.Sum => 0.0, ExprKind.Prod => 1.0, _ => double.NegativeInfinity };
                    region.Lines.Add(new DeclareLocal(acc, new CLiteral(init)));
                    inner.Add(new Accumulate(acc, r.Kind, r.Args[0], body.Loops));
                }
                inner.AddRange(groupItems);

                // The .opt index name when C# allows it here; a keyword or a taken name gets a fresh one.
                string name = index.Name;
                if (CSharpNames.IsAnyKeyword(name) || region.IsNameTaken(name) || _reservedNames.Contains(name)) name = NewName(region, index.Name);
                body.LoopNames[index] = name;
                body.Names.Add(name);
                CInt lo = Int(index.Lower, region), hi = Int(index.Upper, region);
                ScheduleRegion(body, inner);

                // Accumulators become readable only after their loop.
                foreach (var r in reductions)
                {
                    var acc = (Accumulate)inner[reductions.IndexOf(r)];
                    region.Locals[r] = acc.Accumulator;
                }
                region.Lines.Add(new Loop(name, lo, hi, body.Lines));
            }
        }

        foreach (var item in items.Where(i => i.Loops.Count == depth))
        {
            switch (item)
            {
                case DeclareScalar d:
                    region.Lines.Add(new DeclareLocal(d.Name, Code(d.Value, region, 0)));
                    break;
                case Store st:
                    var stored = Code(st.Value, region, 0); // first: temporaries it needs go above the comment
                    if (st.Element is { } element)
                    {
                        var indices = element.Indices.Select(i => Int(i, region)).ToList();
                        region.Lines.Add(new Comment(new DerivativeComment(element.Name, indices, Row: st.Row?.Label, RowIndices: RowIndices(st, region))));
                    }
                    else if (st.Comment is not null)
                        region.Lines.Add(new Comment(st.Comment));
                    region.Lines.Add(new Assign(st.Array, Int(st.Index, region), st.Accumulate, stored));
                    break;
                case Accumulate a:
                    region.Lines.Add(new Fold(a.Accumulator, a.Reduction, Code(a.Body, region, 0)));
                    break;
            }
        }
    }

    /// <summary>
    /// The indices of the row a Jacobian store belongs to, in this region's loop names; none when a family index has no
    /// loop here (a family with an empty axis, whose row position no longer depends on the other indices).
    /// </summary>
    private List<CInt>? RowIndices(Store st, Region region) =>
        st.Row is { } row && row.Indices.SelectMany(i => i.FreeIndices()).All(region.IsOpen) ? row.Indices.Select(i => Int(i, region)).ToList() : null;

    // ---- Whole-vector loops as TensorPrimitives calls ----------------------------------------------------------

    /// <summary>
    /// A loop that does nothing but one whole-vector reduction (Σ x², Σ a·x, Σ x) or one axpy-shaped scatter
    /// (g += c·x, g += x) becomes one vectorized TensorPrimitives call. Loops that do more stay loops: fusing them
    /// reads each element once, which pays more than SIMD over one operation.
    /// </summary>
    private bool TryVectorKernel(Region region, IndexVar index, List<Expr> reductions, List<KernelItem> items)
    {
        if (index.Lower is not IntConst { Value: 0 }) return false;
        if (reductions.Count == 1 && items.Count == 0 && reductions[0].Kind == ExprKind.Sum)
        {
            var body = reductions[0].Args[0];
            (VectorReductionKind Kind, VectorOperand[] Operands)? call = body switch
            {
                { Kind: ExprKind.Pow } when body.Args[1].IsConstValue(2) && WholeVector(body.Args[0], index) is { } x => (VectorReductionKind.SumOfSquares, [x]),
                { Kind: ExprKind.Mul } when WholeVector(body.Args[0], index) is { } a && WholeVector(body.Args[1], index) is { } b => (VectorReductionKind.Dot, [a, b]),
                _ when WholeVector(body, index) is { } x => (VectorReductionKind.Sum, [x]),
                _ => null,
            };
            if (call is null) return false;
            string acc = NameOf(reductions[0], region, "s");
            region.Lines.Add(new VectorReduction(acc, call.Value.Kind, call.Value.Operands));
            region.Locals[reductions[0]] = acc;
            return true;
        }
        if (reductions.Count == 0 && items.Count == 1 && items[0] is Store { ArrayLength: { } length } st
            && st.Loops.Count == region.Loops.Count + 1 && st.Index.Equals(new IntIndex(index)) && length.Equals(index.Upper))
        {
            var value = st.Value;
            Expr? scale = null;
            if (value.Kind == ExprKind.Mul && !value.Args[0].Free.Contains(index)) (scale, value) = (value.Args[0], value.Args[1]);
            if (WholeVector(value, index) is not { } x) return false;
            if (st.Element is { } element)
                region.Lines.Add(new Comment(new DerivativeComment(element.Name, [], AllElements: true, Row: st.Row?.Label, RowIndices: RowIndices(st, region))));
            // The scale after the comment: temporaries it needs go between the two.
            region.Lines.Add(new VectorUpdate(st.Array, x, scale is null ? null : Code(scale, region, 0), st.Accumulate));
            return true;
        }
        return false;
    }

    /// <summary>The span or array when <paramref name="e"/> is element i of a whole 1-D vector over i's full range.</summary>
    private VectorOperand? WholeVector(Expr e, IndexVar i)
    {
        if (e.Kind is not (ExprKind.Var or ExprKind.Data or ExprKind.Dir) || e.Indices.Count != 1 || !e.Indices[0].Equals(new IntIndex(i))) return null;
        var length = _symbols.VectorLength(e.Kind, e.Symbol!);
        if (length is null || !length.Equals(i.Upper)) return null;
        if (!_symbols.Flatten(e.Kind, e.Symbol!, e.Indices).Equals(new IntIndex(i))) return null;
        return new VectorOperand(_symbols.Array(e.Kind, e.Symbol!), IsDataArray: e.Kind == ExprKind.Data && _symbols.IsDataArray(e.Symbol!),
            IsWritableSpan: e.Kind == ExprKind.Data && IndexedValueBuffers.IsBuffer(e.Symbol!));
    }

    private string NewName(Region region, string prefix)
    {
        while (true)
        {
            string name = prefix + _nextTemp++;
            if (!region.IsNameTaken(name) && !_taken.IsTaken(name))
            {
                _taken.Reserve(name);
                region.Names.Add(name);
                return name;
            }
        }
    }

    /// <summary>
    /// The name of the local that holds <paramref name="e"/>: the .opt name of the value (a let, a named objective) when it
    /// has one, made unique by <see cref="NameScope.Claim"/> (it never takes a reserved, index or other generated name),
    /// else <paramref name="prefix"/> and a number.
    /// </summary>
    private string NameOf(Expr e, Region region, string prefix)
    {
        if (!_valueNames.TryGetValue(e, out var preferred)) return NewName(region, prefix);
        string name = _taken.Claim(preferred.Name, "_");
        region.Names.Add(ProblemNames.Bare(name));
        return name;
    }

    private static Region RegionAt(Region region, int depth)
    {
        while (region.Loops.Count > depth) region = region.Parent!;
        return region;
    }

    // ---- Expressions ---------------------------------------------------------------------------------------

    // Precedence (the printer's too): 0 additive, 1 multiplicative, 2 unary, 3 primary. The scheduler only needs it to
    // know when a chain of + and - ends; the printer decides the parentheses.

    private CExpr Code(Expr e, Region region, int context) => Write(e, region, context);

    /// <summary>A name or literal for <paramref name="e"/>, creating a local if it is compound (so it can be repeated).</summary>
    private CExpr Atom(Expr e, Region region)
    {
        if (region.Lookup(e) is { } local) return new CName(local);
        if (IsLeaf(e) && LeafPrecedence(e) >= 3) return Code(e, region, 3);
        int target = TargetDepth(e, region.Loops);
        return new CName(Materialize(e, RegionAt(region, Math.Min(target, region.Loops.Count))));
    }

    private string Materialize(Expr e, Region home)
    {
        if (home.Loops.Count == 0 && ExpPartner(e) is { } partner && home.Lookup(partner) is null) return MaterializeExpPair(e, partner, home);
        var body = WriteBody(e, home);
        string name = NameOf(e, home, "t");
        home.Lines.Add(new DeclareLocal(name, body));
        home.Locals[e] = name;
        return name;
    }

    /// <summary>
    /// σ(u) when the kernel also uses softplus(u), or softplus(u) when it also uses σ(u) (a <c>bce_logits</c> loss and
    /// its gradient): both are computed from one e^(−|u|), by the methods of <see cref="ElementaryFunctions.OfSharedExp"/>
    /// (the same values, bit for bit). Only outside loops: inside them the loop vectorizer needs the single calls.
    /// </summary>
    private Expr? ExpPartner(Expr e)
    {
        if (e.Kind != ExprKind.Call || e.Func is not (Func.Sigmoid or Func.Softplus)) return null;
        var wanted = e.Func == Func.Sigmoid ? Func.Softplus : Func.Sigmoid;
        foreach (var used in _uses.Keys)
            if (used.Kind == ExprKind.Call && used.Func == wanted && ReferenceEquals(used.Args[0], e.Args[0])) return used;
        return null;
    }

    private string MaterializeExpPair(Expr e, Expr partner, Region home)
    {
        var argument = Atom(e.Args[0], home);
        string exp = NewName(home, "e");
        var (expMethod, absMethod) = ElementaryFunctions.SharedExp;
        home.Lines.Add(new DeclareLocal(exp, new CCall(expMethod, [new CNegate(new CCall(absMethod, [argument]))])));
        foreach (var value in e.Func == Func.Sigmoid ? new[] { e, partner } : new[] { partner, e })
        {
            string name = NameOf(value, home, "t");
            home.Lines.Add(new DeclareLocal(name, new CCall(ElementaryFunctions.OfSharedExp(value.Func), [argument, new CName(exp)])));
            home.Locals[value] = name;
        }
        return home.Locals[e];
    }

    private CExpr Write(Expr e, Region region, int context)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        CompilerCancellation.Check();
        if (region.Lookup(e) is { } local) return new CName(local);
        if (IsLeaf(e) && e.Kind is ExprKind.Var or ExprKind.Dir or ExprKind.Data or ExprKind.Mult && TargetDepth(e, region.Loops) < region.Loops.Count)
        {
            // A loop-invariant element (x[0] inside a loop over data): load it once, before the loop.
            return new CName(Materialize(e, RegionAt(region, TargetDepth(e, region.Loops))));
        }
        if (!IsLeaf(e))
        {
            if (IsReduction(e)) throw new InvalidOperationException($"Reduction {e} was not scheduled before its use");
            int target = TargetDepth(e, region.Loops);
            bool hoisted = target < region.Loops.Count;
            bool shared = _uses.TryGetValue(e, out int uses) && uses > 1;
            if (hoisted || shared || e.Kind is ExprKind.Call) return new CName(Materialize(e, RegionAt(region, target)));
        }
        return WriteBody(e, region);
    }

    private static int LeafPrecedence(Expr e) => e.Kind switch
    {
        ExprKind.Const => e.Value < 0 ? 2 : 3,
        ExprKind.IndexValue => 2,
        _ => 3,
    };

    private CExpr WriteBody(Expr e, Region region)
    {
        var a = e.Args;
        switch (e.Kind)
        {
            case ExprKind.Const:
                return new CLiteral(e.Value);
            case ExprKind.IndexValue:
                return new CIndexValue(Int(e.Indices[0], region));
            case ExprKind.Param:
                return new CName(_symbols.Param(e.Symbol!));
            case ExprKind.ScalarizationWeight or ExprKind.ScalarizationLevel:
                return new CName(_symbols.Scalarization(e.Kind, (int)e.Value));
            case ExprKind.Data when e.Indices.Count == 0 && _symbols.Scalar(e.Kind, e.Symbol!) is { } scalar:
                return new CName(scalar);
            case ExprKind.Data:
            case ExprKind.Var:
            case ExprKind.Dir:
            case ExprKind.Mult:
            {
                string array = _symbols.Array(e.Kind, e.Symbol!);
                if (e.Kind == ExprKind.Data && _symbols.IsDataArray(e.Symbol!)) _dataArrays.Add(array);
                return new CElement(array, Int(_symbols.Flatten(e.Kind, e.Symbol!, e.Indices), region));
            }
            case ExprKind.Add:
            case ExprKind.Sub:
            {
                // A long chain of + and - is left-nested: walk down its left spine iteratively.
                var spine = new List<Expr>();
                var left = e;
                while (left.Kind is ExprKind.Add or ExprKind.Sub && region.Lookup(left) is null && (left == e || !IsMaterialized(left, region)))
                {
                    spine.Add(left);
                    left = left.Args[0];
                }
                var first = Write(left, region, 0);
                var rest = new List<(bool Minus, CExpr Operand)>(spine.Count);
                for (int k = spine.Count - 1; k >= 0; k--)
                {
                    bool minus = spine[k].Kind == ExprKind.Sub;
                    rest.Add((minus, Write(spine[k].Args[1], region, minus ? 1 : 0)));
                }
                return new CChain(first, rest);
            }
            case ExprKind.Mul:
            case ExprKind.Div:
            {
                var left = Write(a[0], region, 1);
                return new CBinary(e.Kind == ExprKind.Mul ? '*' : '/', left, Write(a[1], region, 2));
            }
            case ExprKind.Neg:
                return new CNegate(Write(a[0], region, 2));
            case ExprKind.Pow:
                return WritePower(a[0], a[1], region);
            case ExprKind.Min:
            case ExprKind.Max:
            {
                var first = Write(a[0], region, 0);
                return new CCall(e.Kind == ExprKind.Min ? "global::System.Math.Min" : "global::System.Math.Max", [first, Write(a[1], region, 0)]);
            }
            case ExprKind.Call:
                return new CCall(ElementaryFunctions.Of(e.Func).CSharpMethod, [Code(a[0], region, 0)]);
            case ExprKind.Select:
            {
                var condition = Write(a[0], region, 0);
                var whenTrue = Write(a[1], region, 0);
                return new CConditional(condition, e.Comparison, whenTrue, Write(a[2], region, 0));
            }
            default:
                throw new InvalidOperationException("Unexpected node " + e.Kind);
        }
    }

    /// <summary>True when an inner node of a chain must become its own local (shared or hoisted), which ends the spine.</summary>
    private bool IsMaterialized(Expr e, Region region) =>
        (_uses.TryGetValue(e, out int uses) && uses > 1) || TargetDepth(e, region.Loops) < region.Loops.Count;

    /// <summary>Small integer powers as products (x·x, 1/x), a half power as sqrt, others as Math.Pow.</summary>
    private CExpr WritePower(Expr b, Expr exponent, Region region)
    {
        if (exponent.IsConst)
        {
            double p = exponent.Value;
            switch (p)
            {
                case 2: { var x = Atom(b, region); return new CBinary('*', x, x); }
                case 3: { var x = Atom(b, region); return new CBinary('*', new CBinary('*', x, x), x); }
                case -1: return new CBinary('/', new CLiteral(1), Write(b, region, 2));
                case -2: { var x = Atom(b, region); return new CBinary('/', new CLiteral(1), new CBinary('*', x, x)); }
                case 0.5: return new CCall(ElementaryFunctions.Of(Func.Sqrt).CSharpMethod, [Write(b, region, 0)]);
            }
        }
        var power = Write(b, region, 0);
        return new CCall("global::System.Math.Pow", [power, Write(exponent, region, 0)]);
    }

    // ---- Integer expressions -------------------------------------------------------------------------------

    /// <summary>An index expression with its dims and loop indices resolved to the locals that hold them here.</summary>
    private CInt Int(IntExpr e, Region region) => e switch
    {
        IntConst c => new CIntLiteral(c.Value),
        IntDim d => new CIntName(_symbols.Dim(d.Name)),
        IntIndex i => new CIntName(region.LoopName(i.Var)),
        IntBinary b => IntBinary(b, region),
        IntClamp c => new CIntClamp(Int(c.Inner, region)),
        _ => throw new InvalidOperationException(),
    };

    private CInt IntBinary(IntBinary b, Region region)
    {
        var left = Int(b.Left, region);
        return new CIntBinary(b.Op, left, Int(b.Right, region));
    }
}
