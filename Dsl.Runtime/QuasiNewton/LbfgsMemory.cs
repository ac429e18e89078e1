using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The last m correction pairs (sᵢ, yᵢ) of limited-memory BFGS, oldest first, with the inner products
/// SᵀY and SᵀS kept up to date for the compact representation (Byrd, Nocedal &amp; Schnabel 1994).
/// Storage is allocated once; when full, the oldest pair is dropped by shifting.
/// </summary>
internal sealed class LbfgsMemory
{
    private readonly int _n;
    private readonly int _m;
    private readonly double[] _s;
    private readonly double[] _y;
    private readonly double[] _sy; // _sy[i*m + j] = sᵢᵀyⱼ
    private readonly double[] _ss; // _ss[i*m + j] = sᵢᵀsⱼ
    private readonly double[] _alpha;
    private double _lastYy;

    public LbfgsMemory(int dimension, int capacity)
    {
        _n = dimension;
        _m = capacity;
        _s = new double[capacity * dimension];
        _y = new double[capacity * dimension];
        _sy = new double[capacity * capacity];
        _ss = new double[capacity * capacity];
        _alpha = new double[capacity];
    }

    public int Capacity => _m;

    /// <summary>Number of stored pairs.</summary>
    public int Count { get; private set; }

    /// <summary>θ = yᵀy / sᵀy of the newest pair (1 when empty): B₀ = θI, H₀ = I/θ.</summary>
    public double Theta => Count == 0 ? 1.0 : _lastYy / SY(Count - 1, Count - 1);

    public ReadOnlySpan<double> S(int i) => _s.AsSpan(i * _n, _n);
    public ReadOnlySpan<double> Y(int i) => _y.AsSpan(i * _n, _n);
    public double SY(int i, int j) => _sy[i * _m + j];
    public double SS(int i, int j) => _ss[i * _m + j];

    public void Clear() => Count = 0;

    /// <summary>
    /// Stores (s, y) unless the curvature sᵀy is not safely positive (sᵀy ≤ ε·yᵀy, the L-BFGS-B rule);
    /// returns whether it was stored.
    /// </summary>
    public bool TryPush(ReadOnlySpan<double> s, ReadOnlySpan<double> y)
    {
        double sy = Vec.Dot(s, y);
        double yy = Vec.Dot(y, y);
        if (!(sy > double.Epsilon) || !(sy > 2.220446049250313e-16 * yy) || !double.IsFinite(yy)) return false;

        if (Count == _m)
        {
            // Drop the oldest pair: shift vectors and the inner-product tables up by one.
            Array.Copy(_s, _n, _s, 0, (_m - 1) * _n);
            Array.Copy(_y, _n, _y, 0, (_m - 1) * _n);
            for (int i = 0; i < _m - 1; i++)
            {
                for (int j = 0; j < _m - 1; j++)
                {
                    _sy[i * _m + j] = _sy[(i + 1) * _m + j + 1];
                    _ss[i * _m + j] = _ss[(i + 1) * _m + j + 1];
                }
            }
            Count--;
        }
        int k = Count;
        s.CopyTo(_s.AsSpan(k * _n, _n));
        y.CopyTo(_y.AsSpan(k * _n, _n));
        for (int i = 0; i < k; i++)
        {
            _sy[i * _m + k] = Vec.Dot(S(i), y);
            _sy[k * _m + i] = Vec.Dot(s, Y(i));
            double ss = Vec.Dot(S(i), s);
            _ss[i * _m + k] = ss;
            _ss[k * _m + i] = ss;
        }
        _sy[k * _m + k] = sy;
        _ss[k * _m + k] = Vec.Dot(s, s);
        _lastYy = yy;
        Count = k + 1;
        return true;
    }

    /// <summary>result ← H·v by the two-loop recursion (Nocedal 1980), with H₀ = (sᵀy/yᵀy)·I from the newest pair.</summary>
    public void ApplyInverse(ReadOnlySpan<double> v, Span<double> result)
    {
        v.CopyTo(result);
        for (int i = Count - 1; i >= 0; i--)
        {
            double a = Vec.Dot(S(i), result) / SY(i, i);
            _alpha[i] = a;
            Vec.Axpy(-a, Y(i), result);
        }
        double gamma = 1.0 / Theta;
        System.Numerics.Tensors.TensorPrimitives.Multiply(result, gamma, result);
        for (int i = 0; i < Count; i++)
        {
            double b = Vec.Dot(Y(i), result) / SY(i, i);
            Vec.Axpy(_alpha[i] - b, S(i), result);
        }
    }
}
