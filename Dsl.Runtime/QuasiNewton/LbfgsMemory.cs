using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The last m correction pairs (sᵢ, yᵢ) of limited-memory BFGS, indexed oldest first (i = 0 … Count − 1), in a ring
/// buffer of m + 1 slots allocated once: a new pair is written by the caller straight into the free slot
/// (<see cref="NextS"/>, <see cref="NextY"/>) and <see cref="TryPush()"/> only moves indices, so dropping the oldest
/// pair copies nothing. With <c>compactTables</c> (L-BFGS-B) the inner products SᵀY and SᵀS of the compact
/// representation (Byrd, Nocedal &amp; Schnabel 1994) are kept up to date, 3·Count dot products per push; the two-loop
/// recursion needs only each pair's sᵀy, which is always kept.
/// </summary>
internal sealed class LbfgsMemory
{
    private readonly int _n;
    private readonly int _m;
    private readonly int _slots;          // m + 1: one slot is always free for the next pair
    private readonly double[] _s;         // slot p holds s at [p·n, (p + 1)·n)
    private readonly double[] _y;
    private readonly double[] _curvature; // _curvature[p] = sᵀy of the pair in slot p
    private readonly double[]? _sy;       // _sy[p·slots + q] = s_pᵀy_q, by slot
    private readonly double[]? _ss;       // _ss[p·slots + q] = s_pᵀs_q, by slot
    private readonly double[] _alpha;
    private int _oldest;                  // the slot of pair 0
    private double _lastYy;

    /// <param name="dimension">n, the length of each vector.</param>
    /// <param name="capacity">m ≥ 1, the most pairs kept.</param>
    /// <param name="compactTables">Keep SᵀY and SᵀS for <see cref="SY"/> and <see cref="SS"/> (the L-BFGS-B subproblem reads them).</param>
    public LbfgsMemory(int dimension, int capacity, bool compactTables = false)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "An L-BFGS memory keeps at least one pair.");
        _n = dimension;
        _m = capacity;
        _slots = capacity + 1;
        _s = new double[_slots * dimension];
        _y = new double[_slots * dimension];
        _curvature = new double[_slots];
        if (compactTables)
        {
            _sy = new double[_slots * _slots];
            _ss = new double[_slots * _slots];
        }
        _alpha = new double[capacity];
    }

    public int Capacity => _m;

    /// <summary>Number of stored pairs.</summary>
    public int Count { get; private set; }

    /// <summary>True when <see cref="SY"/> and <see cref="SS"/> are kept.</summary>
    public bool HasCompactTables => _sy is not null;

    /// <summary>θ = yᵀy / sᵀy of the newest pair (1 when empty): B₀ = θI, H₀ = I/θ.</summary>
    public double Theta => Count == 0 ? 1.0 : _lastYy / _curvature[Slot(Count - 1)];

    /// <summary>sᵢ, i = 0 (oldest) … Count − 1 (newest).</summary>
    public ReadOnlySpan<double> S(int i) => _s.AsSpan(Slot(i) * _n, _n);

    /// <summary>yᵢ, i = 0 (oldest) … Count − 1 (newest).</summary>
    public ReadOnlySpan<double> Y(int i) => _y.AsSpan(Slot(i) * _n, _n);

    /// <summary>sᵢᵀyⱼ (needs the compact tables).</summary>
    public double SY(int i, int j) => Tables(_sy)[Slot(i) * _slots + Slot(j)];

    /// <summary>sᵢᵀsⱼ (needs the compact tables).</summary>
    public double SS(int i, int j) => Tables(_ss)[Slot(i) * _slots + Slot(j)];

    /// <summary>Where the caller writes the next s before <see cref="TryPush()"/>; its content is undefined until then.</summary>
    public Span<double> NextS => _s.AsSpan(Slot(Count) * _n, _n);

    /// <summary>Where the caller writes the next y before <see cref="TryPush()"/>.</summary>
    public Span<double> NextY => _y.AsSpan(Slot(Count) * _n, _n);

    public void Clear()
    {
        Count = 0;
        _oldest = 0;
    }

    /// <summary>
    /// Stores the pair written into <see cref="NextS"/> and <see cref="NextY"/>, dropping the oldest pair when the memory
    /// is full, unless the curvature sᵀy is not safely positive (sᵀy ≤ ε·yᵀy, the L-BFGS-B rule); returns whether it
    /// was stored.
    /// </summary>
    public bool TryPush()
    {
        int slot = Slot(Count);
        var s = _s.AsSpan(slot * _n, _n);
        var y = _y.AsSpan(slot * _n, _n);
        var (sy, yy) = FusedVec.TwoDots(s, y);
        if (!(sy > double.Epsilon) || !(sy > 2.220446049250313e-16 * yy) || !double.IsFinite(yy)) return false;

        if (Count == _m)
        {
            // Drop the oldest pair: its slot becomes the free one. The new pair keeps its slot (Slot(Count) is unchanged).
            _oldest = (_oldest + 1) % _slots;
            Count--;
        }
        int k = Count;
        if (_sy is not null && _ss is not null)
        {
            for (int i = 0; i < k; i++)
            {
                int p = Slot(i);
                _sy[p * _slots + slot] = Vec.Dot(S(i), y);
                _sy[slot * _slots + p] = Vec.Dot(s, Y(i));
                double ss = Vec.Dot(S(i), s);
                _ss[p * _slots + slot] = ss;
                _ss[slot * _slots + p] = ss;
            }
            _sy[slot * _slots + slot] = sy;
            _ss[slot * _slots + slot] = Vec.Dot(s, s);
        }
        _curvature[slot] = sy;
        _lastYy = yy;
        Count = k + 1;
        return true;
    }

    /// <summary>Copies (s, y) into the free slot and stores it as <see cref="TryPush()"/> does.</summary>
    public bool TryPush(ReadOnlySpan<double> s, ReadOnlySpan<double> y)
    {
        s.CopyTo(NextS);
        y.CopyTo(NextY);
        return TryPush();
    }

    /// <summary>
    /// result ← H·v (or −H·v with <paramref name="negate"/>) by the two-loop recursion (Nocedal 1980), with
    /// H₀ = (sᵀy/yᵀy)·I from the newest pair. Each step's update of the result is fused with the next step's dot product
    /// (<see cref="FusedVec.UpdateThenDot"/>), and H₀'s scaling and the negation with the steps they follow: 2m + 1
    /// passes over the result instead of 4m + 2.
    /// </summary>
    public void ApplyInverse(ReadOnlySpan<double> v, Span<double> result, bool negate = false)
    {
        int k = Count;
        if (k == 0)
        {
            if (negate) TensorPrimitives.Negate(v, result);
            else v.CopyTo(result);
            return;
        }
        double gamma = 1.0 / Theta;
        double dot = FusedVec.UpdateThenDot(v, 0, default, 1, result, S(k - 1));
        for (int i = k - 1; i >= 0; i--)
        {
            double a = dot / _curvature[Slot(i)];
            _alpha[i] = a;
            // r ← r − a·yᵢ, then sᵢ₋₁ᵀr for the next step; after the oldest pair, r ← γ·r and y₀ᵀr for the second loop.
            dot = i > 0
                ? FusedVec.UpdateThenDot(result, -a, Y(i), 1, result, S(i - 1))
                : FusedVec.UpdateThenDot(result, -a, Y(0), gamma, result, Y(0));
        }
        for (int i = 0; i < k; i++)
        {
            double b = dot / _curvature[Slot(i)];
            dot = i < k - 1
                ? FusedVec.UpdateThenDot(result, _alpha[i] - b, S(i), 1, result, Y(i + 1))
                : FusedVec.UpdateThenDot(result, _alpha[i] - b, S(i), negate ? -1 : 1, result, default);
        }
    }

    /// <summary>The slot of pair i (i = Count is the free slot).</summary>
    private int Slot(int i) => (_oldest + i) % _slots;

    private static double[] Tables(double[]? table) =>
        table ?? throw new InvalidOperationException("This L-BFGS memory keeps no compact tables (SᵀY, SᵀS); create it with compactTables: true.");
}
