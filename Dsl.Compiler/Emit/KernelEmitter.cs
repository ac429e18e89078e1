using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Emit;

/// <summary>How the kernel reaches the problem's symbols (locals set up by the method that hosts the kernel).</summary>
public interface IKernelSymbols
{
    /// <summary>The local span or array holding a Var, Dir, Data or Mult symbol.</summary>
    string Array(ExprKind kind, string symbol);

    /// <summary>The flat position of an element inside <see cref="Array"/>.</summary>
    IntExpr Flatten(ExprKind kind, string symbol, IReadOnlyList<IntExpr> indices);

    /// <summary>The length of the span or array holding a 1-D Var, Dir or Data symbol (null for other shapes).</summary>
    IntExpr? VectorLength(ExprKind kind, string symbol);

    /// <summary>The local holding a scalar Data symbol (null for arrays and other kinds).</summary>
    string? Scalar(ExprKind kind, string symbol);

    /// <summary>The local holding a param.</summary>
    string Param(string symbol);

    /// <summary>The local holding a runtime dim.</summary>
    string Dim(string name);
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
/// <c>Array[Index] = Value</c> (or <c>+=</c>) for every value of the free index variables. A comment is written above
/// it; with <see cref="Element"/> set it reads <c>∂/∂name[indices]</c> in the loop names of the generated code.
/// </summary>
public sealed record Store(string Array, IntExpr Index, Expr Value, bool Accumulate, string? Comment = null,
                           (string Name, IReadOnlyList<IntExpr> Indices)? Element = null, IntExpr? ArrayLength = null,
                           IReadOnlyList<IndexVar>? Context = null) : KernelItem
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
/// Emits IR as straight-line C# with loops. Each node is computed once, in the outermost loop where all its index
/// variables are bound (loop-invariant code is hoisted); reductions that need the same loop and do not depend on each
/// other share one loop (so a gradient's scatter loops fuse with the objective's sum); a node used more than once, or
/// computed outside the loop that uses it, gets a named local.
/// </summary>
public sealed class KernelEmitter
{
    private readonly IKernelSymbols _symbols;
    private readonly SourceWriter _writer;
    private readonly Dictionary<Expr, int> _uses = new();
    private readonly HashSet<string> _reservedNames;
    private int _nextTemp;
    private readonly HashSet<string> _indexNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _generatedNames = new(StringComparer.Ordinal);

    private sealed class Region
    {
        public Region? Parent;
        public required IReadOnlyList<IndexVar> Loops;
        public readonly List<string> Lines = new();
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
    }

    public KernelEmitter(IKernelSymbols symbols, SourceWriter writer, IEnumerable<string> reservedNames)
    {
        _symbols = symbols;
        _writer = writer;
        _reservedNames = new HashSet<string>(reservedNames);
    }

    /// <summary>Writes the statements that compute <paramref name="items"/>.</summary>
    public void Emit(IReadOnlyList<KernelItem> items)
    {
        CountUses(items);
        // C# forbids a name in a nested scope that an enclosing scope declares, even later: temporaries never take an
        // index name of this kernel, and every generated name is unique across the whole method.
        foreach (var item in items) foreach (var v in item.Loops) _indexNames.Add(v.Name);
        foreach (var e in _uses.Keys) if (e.Bound is { } bound) _indexNames.Add(bound.Name);
        var root = new Region { Loops = Array.Empty<IndexVar>() };
        foreach (var n in _reservedNames) root.Names.Add(n);
        foreach (var item in items.OfType<DeclareScalar>()) root.Names.Add(item.Name);
        EmitRegion(root, items);
        foreach (var line in root.Lines) _writer.Line(line);
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

    private void EmitRegion(Region region, IReadOnlyList<KernelItem> items)
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
        int StageOf(Expr reduction)
        {
            if (stage.TryGetValue(reduction, out int s)) return s;
            stage[reduction] = 0; // reductions are acyclic; this only guards against bugs
            int value = DependenciesOf([reduction.Args[0]]).Select(d => StageOf(d) + 1).DefaultIfEmpty(0).Max();
            stage[reduction] = value;
            return value;
        }
        foreach (var r in needed) StageOf(r);

        var deeper = items.Where(i => i.Loops.Count > depth).ToList();
        var deeperStage = deeper.ToDictionary(i => i, i => DependenciesOf(Roots(i)).Select(d => stage[d] + 1).DefaultIfEmpty(0).Max());

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
                    string acc = NewName(region, "s");
                    string init = r.Kind switch { ExprKind.Sum => "0.0", ExprKind.Prod => "1.0", _ => "double.NegativeInfinity" };
                    region.Lines.Add($"double {acc} = {init};");
                    inner.Add(new Accumulate(acc, r.Kind, r.Args[0], body.Loops));
                }
                inner.AddRange(groupItems);

                // The .opt index name when C# allows it here; a keyword or a taken name gets a fresh one.
                string name = index.Name;
                if (CSharpNames.IsAnyKeyword(name) || region.IsNameTaken(name) || _reservedNames.Contains(name)) name = NewName(region, index.Name);
                body.LoopNames[index] = name;
                body.Names.Add(name);
                string lo = Int(index.Lower, region), hi = Int(index.Upper, region);
                EmitRegion(body, inner);

                // Accumulators become readable only after their loop.
                foreach (var r in reductions)
                {
                    var acc = (Accumulate)inner[reductions.IndexOf(r)];
                    region.Locals[r] = acc.Accumulator;
                }
                region.Lines.Add($"for (int {name} = {lo}; {name} < {hi}; {name}++)");
                region.Lines.Add("{");
                region.Lines.AddRange(body.Lines.Select(l => "    " + l));
                region.Lines.Add("}");
            }
        }

        foreach (var item in items.Where(i => i.Loops.Count == depth))
        {
            switch (item)
            {
                case DeclareScalar d:
                    region.Lines.Add($"double {d.Name} = {Code(d.Value, region, 0)};");
                    break;
                case Store st:
                    string stored = Code(st.Value, region, 0); // first: temporaries it needs go above the comment
                    if (st.Element is { } element)
                        region.Lines.Add($"// ∂/∂{element.Name}" + (element.Indices.Count == 0 ? "" : $"[{string.Join(", ", element.Indices.Select(i => Int(i, region)))}]"));
                    else if (st.Comment is not null)
                        region.Lines.Add("// " + st.Comment);
                    region.Lines.Add($"{st.Array}[{Int(st.Index, region)}] {(st.Accumulate ? "+=" : "=")} {stored};");
                    break;
                case Accumulate a:
                    string value = Code(a.Body, region, 0);
                    region.Lines.Add(a.Reduction switch
                    {
                        ExprKind.Sum => $"{a.Accumulator} += {value};",
                        ExprKind.Prod => $"{a.Accumulator} *= {value};",
                        _ => $"{a.Accumulator} = global::System.Math.Max({a.Accumulator}, {value});",
                    });
                    break;
            }
        }
    }

    // ---- Whole-vector loops as TensorPrimitives calls ----------------------------------------------------------

    private const string Tensor = "global::System.Numerics.Tensors.TensorPrimitives";

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
            string? call = body switch
            {
                { Kind: ExprKind.Pow } when body.Args[1].IsConstValue(2) && WholeVector(body.Args[0], index) is { } x => $"{Tensor}.SumOfSquares({x})",
                { Kind: ExprKind.Mul } when WholeVector(body.Args[0], index) is { } a && WholeVector(body.Args[1], index) is { } b => $"{Tensor}.Dot({a}, {b})",
                _ when WholeVector(body, index) is { } x => $"{Tensor}.Sum({x})",
                _ => null,
            };
            if (call is null) return false;
            string acc = NewName(region, "s");
            region.Lines.Add($"double {acc} = {call};");
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
            if (st.Element is { } element) region.Lines.Add($"// ∂/∂{element.Name}, all elements at once");
            region.Lines.Add((scale, st.Accumulate) switch
            {
                (null, true) => $"{Tensor}.Add({st.Array}, {x}, {st.Array});",
                (null, false) => $"{x}.CopyTo({st.Array});",
                (_, true) => $"{Tensor}.MultiplyAdd({x}, {Code(scale!, region, 0)}, {st.Array}, {st.Array});",
                _ => $"{Tensor}.Multiply({x}, {Code(scale!, region, 0)}, {st.Array});",
            });
            return true;
        }
        return false;
    }

    /// <summary>The span or array name when <paramref name="e"/> is element i of a whole 1-D vector over i's full range.</summary>
    private string? WholeVector(Expr e, IndexVar i)
    {
        if (e.Kind is not (ExprKind.Var or ExprKind.Data or ExprKind.Dir) || e.Indices.Count != 1 || !e.Indices[0].Equals(new IntIndex(i))) return null;
        var length = _symbols.VectorLength(e.Kind, e.Symbol!);
        if (length is null || !length.Equals(i.Upper)) return null;
        if (!_symbols.Flatten(e.Kind, e.Symbol!, e.Indices).Equals(new IntIndex(i))) return null;
        // Data is a double[]: as a span, so TensorPrimitives' generic overloads apply (an array infers no T, and the
        // float overload would be picked) and CopyTo needs no using directive.
        string array = _symbols.Array(e.Kind, e.Symbol!);
        return e.Kind == ExprKind.Data ? $"new global::System.ReadOnlySpan<double>({array})" : array;
    }

    private string NewName(Region region, string prefix)
    {
        while (true)
        {
            string name = prefix + _nextTemp++;
            if (!region.IsNameTaken(name) && !_reservedNames.Contains(name) && !_indexNames.Contains(name) && _generatedNames.Add(name))
            {
                region.Names.Add(name);
                return name;
            }
        }
    }

    private static Region RegionAt(Region region, int depth)
    {
        while (region.Loops.Count > depth) region = region.Parent!;
        return region;
    }

    // ---- Expressions ---------------------------------------------------------------------------------------

    // Expression text is appended to one StringBuilder: building it by nested interpolation would copy the growing
    // left operand at every level of a long chain (quadratic in the chain's length).
    // Precedence: 0 additive, 1 multiplicative, 2 unary, 3 primary.

    private string Code(Expr e, Region region, int context)
    {
        var sb = new System.Text.StringBuilder();
        Write(sb, e, region, context);
        return sb.ToString();
    }

    /// <summary>A name or literal for <paramref name="e"/>, creating a local if it is compound (so it can be repeated).</summary>
    private string Atom(Expr e, Region region)
    {
        if (region.Lookup(e) is { } local) return local;
        if (IsLeaf(e) && LeafPrecedence(e) >= 3) return Code(e, region, 3);
        int target = TargetDepth(e, region.Loops);
        return Materialize(e, RegionAt(region, Math.Min(target, region.Loops.Count)));
    }

    private string Materialize(Expr e, Region home)
    {
        var body = new System.Text.StringBuilder();
        WriteBody(body, e, home, 0);
        string name = NewName(home, "t");
        home.Lines.Add($"double {name} = {body};");
        home.Locals[e] = name;
        return name;
    }

    private void Write(System.Text.StringBuilder sb, Expr e, Region region, int context)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        CompilerCancellation.Check();
        if (region.Lookup(e) is { } local)
        {
            sb.Append(local);
            return;
        }
        if (IsLeaf(e) && e.Kind is ExprKind.Var or ExprKind.Dir or ExprKind.Data or ExprKind.Mult && TargetDepth(e, region.Loops) < region.Loops.Count)
        {
            // A loop-invariant element (x[0] inside a loop over data): load it once, before the loop.
            sb.Append(Materialize(e, RegionAt(region, TargetDepth(e, region.Loops))));
            return;
        }
        if (!IsLeaf(e))
        {
            if (IsReduction(e)) throw new InvalidOperationException($"Reduction {e} was not scheduled before its use");
            int target = TargetDepth(e, region.Loops);
            bool hoisted = target < region.Loops.Count;
            bool shared = _uses.TryGetValue(e, out int uses) && uses > 1;
            if (hoisted || shared || e.Kind is ExprKind.Call)
            {
                sb.Append(Materialize(e, RegionAt(region, target)));
                return;
            }
        }
        WriteBody(sb, e, region, context);
    }

    private static int LeafPrecedence(Expr e) => e.Kind switch
    {
        ExprKind.Const => e.Value < 0 ? 2 : 3,
        ExprKind.IndexValue => 2,
        _ => 3,
    };

    /// <summary>The precedence of <paramref name="e"/> written inline (not as a local).</summary>
    private static int InlinePrecedence(Expr e)
    {
        switch (e.Kind)
        {
            case ExprKind.Add:
            case ExprKind.Sub:
                return 0;
            case ExprKind.Mul:
            case ExprKind.Div:
                return 1;
            case ExprKind.Neg:
                return 2;
            case ExprKind.Pow when e.Args[1].IsConst:
                double p = e.Args[1].Value;
                return p is 2 or 3 or -1 or -2 ? 1 : 3;
            default:
                return IsLeaf(e) ? LeafPrecedence(e) : 3;
        }
    }

    private void WriteBody(System.Text.StringBuilder sb, Expr e, Region region, int context)
    {
        bool paren = InlinePrecedence(e) < context;
        if (paren) sb.Append('(');
        var a = e.Args;
        switch (e.Kind)
        {
            case ExprKind.Const:
                sb.Append(CSharpNames.Literal(e.Value));
                break;
            case ExprKind.IndexValue:
                sb.Append("(double)").Append(IntAtom(e.Indices[0], region));
                break;
            case ExprKind.Param:
                sb.Append(_symbols.Param(e.Symbol!));
                break;
            case ExprKind.Data when e.Indices.Count == 0 && _symbols.Scalar(e.Kind, e.Symbol!) is { } scalar:
                sb.Append(scalar);
                break;
            case ExprKind.Data:
            case ExprKind.Var:
            case ExprKind.Dir:
            case ExprKind.Mult:
                sb.Append(_symbols.Array(e.Kind, e.Symbol!)).Append('[').Append(Int(_symbols.Flatten(e.Kind, e.Symbol!, e.Indices), region)).Append(']');
                break;
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
                Write(sb, left, region, 0);
                for (int k = spine.Count - 1; k >= 0; k--)
                {
                    sb.Append(spine[k].Kind == ExprKind.Add ? " + " : " - ");
                    Write(sb, spine[k].Args[1], region, spine[k].Kind == ExprKind.Add ? 0 : 1);
                }
                break;
            }
            case ExprKind.Mul:
            case ExprKind.Div:
                Write(sb, a[0], region, 1);
                sb.Append(e.Kind == ExprKind.Mul ? " * " : " / ");
                Write(sb, a[1], region, 2);
                break;
            case ExprKind.Neg:
                sb.Append('-');
                Write(sb, a[0], region, 2);
                break;
            case ExprKind.Pow:
                WritePower(sb, a[0], a[1], region);
                break;
            case ExprKind.Min:
            case ExprKind.Max:
                sb.Append(e.Kind == ExprKind.Min ? "global::System.Math.Min(" : "global::System.Math.Max(");
                Write(sb, a[0], region, 0);
                sb.Append(", ");
                Write(sb, a[1], region, 0);
                sb.Append(')');
                break;
            case ExprKind.Call:
                sb.Append(Call(e.Func, Code(a[0], region, 0)));
                break;
            case ExprKind.Select:
                sb.Append('(');
                Write(sb, a[0], region, 0);
                sb.Append(e.Comparison switch { Comparison.Greater => " > ", Comparison.GreaterOrEqual => " >= ", _ => " == " }).Append("0.0 ? ");
                Write(sb, a[1], region, 0);
                sb.Append(" : ");
                Write(sb, a[2], region, 0);
                sb.Append(')');
                break;
            default:
                throw new InvalidOperationException("Unexpected node " + e.Kind);
        }
        if (paren) sb.Append(')');
    }

    /// <summary>True when an inner node of a chain must become its own local (shared or hoisted), which ends the spine.</summary>
    private bool IsMaterialized(Expr e, Region region) =>
        (_uses.TryGetValue(e, out int uses) && uses > 1) || TargetDepth(e, region.Loops) < region.Loops.Count;

    private void WritePower(System.Text.StringBuilder sb, Expr b, Expr exponent, Region region)
    {
        if (exponent.IsConst)
        {
            double p = exponent.Value;
            switch (p)
            {
                case 2: { string x = Atom(b, region); sb.Append(x).Append(" * ").Append(x); return; }
                case 3: { string x = Atom(b, region); sb.Append(x).Append(" * ").Append(x).Append(" * ").Append(x); return; }
                case -1: sb.Append("1.0 / "); Write(sb, b, region, 2); return;
                case -2: { string x = Atom(b, region); sb.Append("1.0 / (").Append(x).Append(" * ").Append(x).Append(')'); return; }
                case 0.5: sb.Append("global::System.Math.Sqrt("); Write(sb, b, region, 0); sb.Append(')'); return;
            }
        }
        sb.Append("global::System.Math.Pow(");
        Write(sb, b, region, 0);
        sb.Append(", ");
        Write(sb, exponent, region, 0);
        sb.Append(')');
    }

    private static string Call(Func f, string x) => ElementaryFunctions.Of(f).CSharpCall(x);

    // ---- Integer expressions -------------------------------------------------------------------------------

    private string Int(IntExpr e, Region region) => e switch
    {
        IntConst c => c.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IntDim d => _symbols.Dim(d.Name),
        IntIndex i => region.LoopName(i.Var),
        IntBinary b => $"{IntOperand(b.Left, region, b.Op, false)} {b.Op} {IntOperand(b.Right, region, b.Op, true)}",
        IntClamp c => $"global::System.Math.Max(0, {Int(c.Inner, region)})",
        _ => throw new InvalidOperationException(),
    };

    private string IntOperand(IntExpr e, Region region, char parentOp, bool right)
    {
        string text = Int(e, region);
        bool needs = e is IntBinary child && (parentOp == '*' && child.Op != '*' || parentOp == '-' && right && child.Op != '*');
        return needs ? "(" + text + ")" : text;
    }

    private string IntAtom(IntExpr e, Region region) => e is IntBinary ? "(" + Int(e, region) + ")" : Int(e, region);
}
