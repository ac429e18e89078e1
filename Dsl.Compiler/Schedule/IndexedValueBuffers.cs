using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Schedule;

/// <summary>
/// Computes costly indexed values once per kernel call instead of once per iteration of a loop they do not depend on.
/// </summary>
/// <remarks>
/// A value with one free index j that contains a reduction (a hidden layer <c>tanh(Σᵢ W1[j, i]·x[i] + b1[j])</c>) is
/// placed by the scheduler in the innermost loop binding j. When that loop runs inside another loop the value does not
/// depend on (the classes c of <c>Σ_c Σ_j W2[c, j]·hidden[j]</c>, or a gradient term's loop over c), it is recomputed
/// on every iteration of that loop: k times the work for k classes. Such a value is filled into a buffer first
/// (<c>for j: hidden[j] = ...</c>, a <c>stackalloc</c> span) and read from it everywhere. The values are the same to the
/// bit: the same expression, evaluated the same way, only once.
/// </remarks>
internal sealed class IndexedValueBuffers
{
    /// <summary>The prefix of the Data symbols that stand for buffer elements in the rewritten IR.</summary>
    private const string Prefix = "$buffer:";

    /// <summary>One buffer: the value it holds, at its index, filled over <see cref="Index"/>'s range.</summary>
    public sealed record Buffer(string Symbol, IndexVar Index, Expr Value, string PreferredName)
    {
        /// <summary>The C# local (chosen by the scheduler once names are known).</summary>
        public string Local { get; set; } = "";

        public IntExpr Size => IntExpr.Sub(Index.Upper, Index.Lower);
    }

    /// <summary>Each chosen value with its buffer and the index it is read at (the same value may be written under another index variable).</summary>
    private readonly Dictionary<Expr, (Buffer Buffer, IndexVar Index)> _chosen = new();
    /// <summary>Buffers by their value as a function of its index (<see cref="Expr.Canonical"/>).</summary>
    private readonly Dictionary<Expr, Buffer> _byKey = new();
    private readonly List<Buffer> _order = new();
    private readonly IReadOnlyDictionary<Expr, ValueName> _valueNames;

    private IndexedValueBuffers(IReadOnlyDictionary<Expr, ValueName> valueNames) => _valueNames = valueNames;

    /// <summary>The buffers, in the order their fills may run (a buffer's value may read buffers before it).</summary>
    public IReadOnlyList<Buffer> Buffers => _order;

    public static bool IsBuffer(string symbol) => symbol.StartsWith(Prefix, System.StringComparison.Ordinal);

    public Buffer Of(string symbol) => _order.First(b => b.Symbol == symbol);

    /// <summary>The symbols the kernel's IR uses, with buffer elements read from their locals.</summary>
    public IKernelSymbols Wrap(IKernelSymbols inner) => _order.Count == 0 ? inner : new Symbols(this, inner);

    private sealed class Symbols(IndexedValueBuffers owner, IKernelSymbols inner) : IKernelSymbols
    {
        public string Array(ExprKind kind, string symbol) => kind == ExprKind.Data && IsBuffer(symbol) ? owner.Of(symbol).Local : inner.Array(kind, symbol);

        public IntExpr Flatten(ExprKind kind, string symbol, IReadOnlyList<IntExpr> indices) =>
            kind == ExprKind.Data && IsBuffer(symbol) ? indices[0] : inner.Flatten(kind, symbol, indices);

        public IntExpr? VectorLength(ExprKind kind, string symbol) =>
            kind == ExprKind.Data && IsBuffer(symbol) ? owner.Of(symbol).Size : inner.VectorLength(kind, symbol);

        public string? Scalar(ExprKind kind, string symbol) => kind == ExprKind.Data && IsBuffer(symbol) ? null : inner.Scalar(kind, symbol);

        public string Param(string symbol) => inner.Param(symbol);

        public string Scalarization(ExprKind kind, int k) => inner.Scalarization(kind, k);

        public string Dim(string name) => inner.Dim(name);

        public bool IsDataArray(string symbol) => !IsBuffer(symbol) && inner.IsDataArray(symbol);
    }

    /// <summary>The buffers an expression reads (anywhere inside it), memoized.</summary>
    public IReadOnlyCollection<string> ReadBy(Expr e)
    {
        if (_reads.TryGetValue(e, out var known)) return known;
        var found = new HashSet<string>(System.StringComparer.Ordinal);
        var seen = new HashSet<Expr>();
        var pending = new Stack<Expr>();
        pending.Push(e);
        while (pending.Count > 0)
        {
            var x = pending.Pop();
            if (!seen.Add(x)) continue;
            if (x.Kind == ExprKind.Data && IsBuffer(x.Symbol!)) found.Add(x.Symbol!);
            foreach (var a in x.Args) pending.Push(a);
        }
        _reads[e] = found;
        return found;
    }

    private readonly Dictionary<Expr, IReadOnlyCollection<string>> _reads = new();

    /// <summary>
    /// The items with every chosen value replaced by its buffer element, the fills first; <paramref name="names"/> gets the
    /// value names of rewritten nodes (a let whose body now reads a buffer keeps its name).
    /// </summary>
    public static (IndexedValueBuffers Buffers, IReadOnlyList<KernelItem> Items, IReadOnlyDictionary<Expr, ValueName> Names) Plan(
        IReadOnlyList<KernelItem> items, IReadOnlyDictionary<Expr, ValueName> valueNames)
    {
        var planner = new IndexedValueBuffers(valueNames);
        planner.CountShared(items);
        foreach (var item in items)
        {
            switch (item)
            {
                case DeclareScalar d: planner.Find(d.Value, []); break;
                case Store s: planner.Find(s.Value, ItemLoops(s.Loops)); break;
            }
        }
        if (planner._order.Count == 0) return (planner, items, valueNames);

        var names = new Dictionary<Expr, ValueName>();
        Dictionary<Expr, Expr> memo = new();
        Expr Rewrite(Expr e, bool root)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            if (!root && planner._chosen.TryGetValue(e, out var chosen))
                return Expr.Data(chosen.Buffer.Symbol, [IntExpr.Sub(new IntIndex(chosen.Index), chosen.Index.Lower)]);
            if (e.Args.Count == 0) return e;
            if (!root && memo.TryGetValue(e, out var done)) return done;
            var rebuilt = e.Rebuild(e.Args.Select(a => Rewrite(a, false)).ToArray());
            if (!ReferenceEquals(rebuilt, e) && valueNames.TryGetValue(e, out var name) && !names.ContainsKey(rebuilt)) names[rebuilt] = name;
            if (!root) memo[e] = rebuilt;
            return rebuilt;
        }

        // A buffer is worth its pass only if filling it still costs a reduction once the buffers it reads are in place,
        // and it is read by more than the one fill of another buffer over the same index (then it is computed there,
        // once per element, anyway). Buffers that are not are inlined, round after round, until none changes.
        for (bool changed = true; changed;)
        {
            memo = new Dictionary<Expr, Expr>();
            var fills = planner._order.ToDictionary(b => b, b => Rewrite(b.Value, root: true));
            var readers = planner._order.ToDictionary(b => b.Symbol, _ => new List<string>());
            foreach (var b in planner._order)
                foreach (var symbol in planner.ReadBy(fills[b])) readers[symbol].Add(b.Symbol);
            foreach (var item in items)
            {
                var root = item switch { DeclareScalar d => d.Value, Store st => st.Value, _ => null };
                if (root is not null) foreach (var symbol in planner.ReadBy(Rewrite(root, false))) readers[symbol].Add("item");
            }
            // Buffers computed inside a single other fill (or never read) go first, all at once: inlining one makes only
            // its reader dearer. Then the buffers whose fill costs no reduction: inlining those changes no other's cost.
            // Any set of buffers gives the same values; each round judges the rest again.
            var drop = planner._order.Where(b =>
            {
                var read = readers[b.Symbol];
                return read.Count == 0 || (read.Count == 1 && read[0] != "item" && planner.Of(read[0]).Index.Equals(b.Index));
            }).ToList();
            if (drop.Count == 0) drop = planner._order.Where(b => fills[b].MinBoundLevel == int.MaxValue).ToList();
            foreach (var b in drop) planner.Drop(b);
            changed = drop.Count > 0;
        }
        if (planner._order.Count == 0) return (planner, items, valueNames);
        memo = new Dictionary<Expr, Expr>();
        foreach (var pair in valueNames) names[pair.Key] = pair.Value;

        var rewritten = new List<KernelItem>();
        foreach (var b in planner._order)
            rewritten.Add(new Store(b.Symbol, IntExpr.Sub(new IntIndex(b.Index), b.Index.Lower), Rewrite(b.Value, root: true), Accumulate: false));
        foreach (var item in items)
        {
            rewritten.Add(item switch
            {
                DeclareScalar d => d with { Value = Rewrite(d.Value, false) },
                Store s => s with { Value = Rewrite(s.Value, false) },
                _ => item,
            });
        }
        return (planner, rewritten, names);
    }

    /// <summary>Inlines <paramref name="buffer"/> again: its values are computed where they are used.</summary>
    private void Drop(Buffer buffer)
    {
        foreach (var e in _chosen.Where(p => p.Value.Buffer == buffer).Select(p => p.Key).ToList()) _chosen.Remove(e);
        foreach (var key in _byKey.Where(p => p.Value == buffer).Select(p => p.Key).ToList()) _byKey.Remove(key);
        _order.Remove(buffer);
    }

    /// <summary>
    /// Walks <paramref name="root"/> with the loops that enclose it (outermost first), choosing buffers. Each loop says
    /// whether it runs more than once per call: an item's loop inside another of its loops, or a reduction that depends
    /// on an outer loop (the scheduler places a reduction in the loops of its free indices: one that depends on none is
    /// computed once, however deep it is written).
    /// </summary>
    private void Find(Expr root, IReadOnlyList<(IndexVar Var, bool Repeated)> enclosing)
    {
        var seen = new HashSet<(Expr, int)>();
        var pending = new Stack<(Expr E, IReadOnlyList<(IndexVar Var, bool Repeated)> Loops)>();
        pending.Push((root, enclosing));
        while (pending.Count > 0)
        {
            CompilerCancellation.Check();
            var (e, loops) = pending.Pop();
            if (e.Args.Count == 0) continue;
            // A node is revisited only under a different number of enclosing loops: that is what decides recomputation.
            if (!seen.Add((e, loops.Count))) continue;
            if (IsCandidate(e) && (Recomputed(e, loops) || _shared.Contains(Key(e))))
            {
                if (!_chosen.ContainsKey(e)) Choose(e);
                continue; // its inside is walked once, in the context of its own fill loop
            }
            var inner = e.Bound is { } b ? [.. loops, (b, e.Free.Count > 0)] : loops;
            foreach (var a in e.Args) pending.Push((a, inner));
        }
    }

    /// <summary>
    /// The keys (<see cref="Key"/>) of values computed in more than one loop: <c>z[c]</c> in the loop of a max, of a sum of exponentials
    /// that needs the max, and of a gradient that needs that sum. The scheduler fuses loops over the same index that do
    /// not depend on each other (the sums of mse, mae and huber over one residual share a loop), so an occurrence's loop
    /// is its index and its stage: one more than the scalar reductions it needs.
    /// </summary>
    private void CountShared(IReadOnlyList<KernelItem> items)
    {
        var contexts = new Dictionary<Expr, HashSet<string>>();
        _pendingRekey = (old, canonical) =>
        {
            if (!contexts.TryGetValue(old, out var moved)) return;
            contexts.Remove(old);
            if (contexts.TryGetValue(canonical, out var existing)) existing.UnionWith(moved);
            else contexts[canonical] = moved;
        };
        var seen = new HashSet<(Expr, int)>();
        var pending = new Stack<(Expr E, int Stage)>();
        foreach (var item in items)
        {
            var root = item switch { DeclareScalar d => d.Value, Store st => st.Value, _ => null };
            if (root is not null) pending.Push((root, item is Store ? Stage(root) : 0));
        }
        while (pending.Count > 0)
        {
            CompilerCancellation.Check();
            var (e, stage) = pending.Pop();
            if (e.Args.Count == 0 || !seen.Add((e, stage))) continue;
            if (IsCandidate(e))
            {
                var key = Key(e);
                if (!contexts.TryGetValue(key, out var set)) contexts[key] = set = new HashSet<string>(System.StringComparer.Ordinal);
                var j = e.Free[0];
                set.Add($"{j.Name}@{j.Level} {j.Lower}..{j.Upper}, stage {stage}");
            }
            // A reduction computed once per call (no free index) runs in its own stage, after the ones it needs.
            int inner = e.Bound is not null && e.Free.Count == 0 ? Stage(e) : stage;
            foreach (var a in e.Args) pending.Push((a, inner));
        }
        _pendingRekey = null;
        foreach (var pair in contexts.Where(p => p.Value.Count > 1)) _shared.Add(pair.Key);
    }

    /// <summary>One more than the stages of the once-per-call reductions inside <paramref name="e"/> (0 without any).</summary>
    private int Stage(Expr e)
    {
        if (_stages.TryGetValue(e, out int known)) return known;
        int stage = 0;
        var seen = new HashSet<Expr>();
        var pending = new Stack<Expr>(e.Args);
        while (pending.Count > 0)
        {
            var x = pending.Pop();
            if (x.Args.Count == 0 || !seen.Add(x)) continue;
            if (x.Bound is not null && x.Free.Count == 0)
            {
                stage = System.Math.Max(stage, Stage(x) + 1);
                continue;
            }
            foreach (var a in x.Args) pending.Push(a);
        }
        _stages[e] = stage;
        return stage;
    }

    private readonly Dictionary<Expr, int> _stages = new();

    private readonly HashSet<Expr> _shared = new();

    /// <summary>A value with one free index (whose range does not move with another loop) that contains a reduction.</summary>
    private static bool IsCandidate(Expr e) =>
        e.Free.Count == 1 && e.MinBoundLevel != int.MaxValue && e.Bound is null
        && !e.Free[0].Lower.FreeIndices().Any() && !e.Free[0].Upper.FreeIndices().Any();

    /// <summary>
    /// The value as a function of its index: equal results are the same function (<see cref="Expr.Canonical"/>). Building
    /// that form costs a copy of the value, so it is built only for values whose shape (<see cref="Shape"/>) another
    /// value has; any other value is its own key.
    /// </summary>
    private Expr Key(Expr e)
    {
        if (_keys.TryGetValue(e, out var known)) return known;
        int shape = Shape(e);
        if (!_byShape.TryGetValue(shape, out var first) || _canonicalBudget == 0)
        {
            _byShape[shape] = e;
            _keys[e] = e;
            return e;
        }
        // A second value of this shape: from now on, values of this shape are keyed by their canonical form.
        if (ReferenceEquals(_keys[first], first) && !_canonicalShapes.Contains(shape))
        {
            _canonicalShapes.Add(shape);
            RekeyShape(first);
            _canonicalBudget--;
        }
        var canonical = e.Canonical(e.Free[0]);
        _canonicalBudget--;
        _keys[e] = canonical;
        return canonical;
    }

    /// <summary>
    /// Canonical forms cost a copy of their value each; a kernel gets at most this many (a generated kernel from a huge
    /// .opt file would otherwise spend seconds on them). Past it, a value is keyed by its own node: values written under
    /// different loops are then not recognized as one (each is computed where it is), which is correct, only slower.
    /// </summary>
    private int _canonicalBudget = 256;

    /// <summary>Keys already handed out under a value's own node move to its canonical form.</summary>
    private void RekeyShape(Expr first)
    {
        var canonical = first.Canonical(first.Free[0]);
        _keys[first] = canonical;
        if (_pendingRekey is not null) _pendingRekey(first, canonical);
    }

    /// <summary>Set while counting: moves a value's contexts from its old key to its canonical key.</summary>
    private System.Action<Expr, Expr>? _pendingRekey;

    private readonly Dictionary<int, Expr> _byShape = new();
    private readonly HashSet<int> _canonicalShapes = new();

    /// <summary>
    /// A hash of the value's structure that ignores which index variables it uses and their levels: values that are the
    /// same function of their index have equal shapes (the converse is checked with their canonical forms).
    /// </summary>
    private int Shape(Expr e)
    {
        if (_shapes.TryGetValue(e, out int known)) return known;
        int hash = (int)e.Kind;
        void Add(int x) => hash = unchecked(hash * 31 + x);
        Add(e.Value.GetHashCode());
        Add(e.Symbol is null ? 0 : System.StringComparer.Ordinal.GetHashCode(e.Symbol));
        Add((int)e.Func);
        Add((int)e.Comparison);
        foreach (var i in e.Indices) Add(IntShape(i));
        if (e.Bound is { } b)
        {
            Add(IntShape(b.Lower));
            Add(IntShape(b.Upper));
        }
        foreach (var a in e.Args) Add(Shape(a));
        int value = hash;
        _shapes[e] = value;
        return value;
    }

    private static int IntShape(IntExpr e) => e switch
    {
        IntConst c => c.Value.GetHashCode(),
        IntDim d => System.StringComparer.Ordinal.GetHashCode(d.Name),
        IntIndex => 17,
        IntBinary b => unchecked((b.Op * 31 + IntShape(b.Left)) * 31 + IntShape(b.Right)),
        IntClamp c => unchecked(31 * 31 + IntShape(c.Inner)),
        _ => 0,
    };

    private readonly Dictionary<Expr, int> _shapes = new();

    private readonly Dictionary<Expr, Expr> _keys = new();

    /// <summary>The loops of an item, each repeated when another of its loops encloses it.</summary>
    private static IReadOnlyList<(IndexVar, bool)> ItemLoops(IReadOnlyList<IndexVar> loops) => loops.Select((v, k) => (v, k > 0)).ToList();

    /// <summary>
    /// True when the loop binding the free index j of candidate <paramref name="e"/> runs more than once per call: <paramref name="e"/> would be computed again for every value of loops it does not depend on.
    /// </summary>
    private static bool Recomputed(Expr e, IReadOnlyList<(IndexVar Var, bool Repeated)> loops)
    {
        var j = e.Free[0];
        for (int k = loops.Count - 1; k >= 0; k--)
            if (loops[k].Var.Equals(j)) return loops[k].Repeated;
        return false;
    }

    private void Choose(Expr e)
    {
        var j = e.Free[0];
        var key = Key(e);
        if (_byKey.TryGetValue(key, out var same))
        {
            // The same buffer; its inside is still walked, since this buffer may be inlined again (then this copy's values
            // are computed where it is read, and the buffers inside them must be known).
            _chosen[e] = (same, j);
            foreach (var a in e.Args) Find(a, [(j, false)]);
            return;
        }
        string preferred = _valueNames.TryGetValue(e, out var name) && name.Indices.Count == 1 ? name.Name : "buffer";
        var buffer = new Buffer(Prefix + _chosen.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), j, e, preferred);
        _chosen[e] = (buffer, j);
        _byKey[key] = buffer;
        // Buffers its value reads are found (and listed, so filled) first; in its fill loop, j runs once.
        foreach (var a in e.Args) Find(a, [(j, false)]);
        _order.Add(buffer);
    }
}
