using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The model of dense BFGS. Without bounds it updates the inverse Hessian approximation H (Nocedal &amp; Wright, eq. 6.17),
/// scaled by sᵀy/yᵀy before the first update (eq. 6.20), and the direction is −H·g. With bounds it updates the Hessian
/// approximation B itself, scaled by yᵀy/sᵀy first, and the direction comes from <see cref="DenseBoxSubproblem"/>.
/// Updates with sᵀy ≤ ε·yᵀy are skipped.
/// </summary>
internal sealed class DenseBfgsModel : QuasiNewtonModel
{
    private readonly int _n;
    private readonly double[] _matrix; // H (unbounded) or B (bounded), row-major n×n
    private readonly double[] _s, _y, _work;
    private readonly DenseBoxSubproblem? _boxStep;
    private int _updates;

    public DenseBfgsModel(int dimension, bool bounded)
    {
        _n = dimension;
        _s = new double[dimension];
        _y = new double[dimension];
        _work = new double[dimension];
        _matrix = new double[dimension * dimension];
        _boxStep = bounded ? new DenseBoxSubproblem(dimension) : null;
        SetIdentity(_matrix, dimension, 1.0);
    }

    public override string DirectionName => "BFGS";

    public override bool IsEmpty => _updates == 0;

    public override void Reset()
    {
        SetIdentity(_matrix, _n, 1.0);
        _updates = 0;
    }

    public override void Direction(Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> d)
    {
        if (_boxStep is not null)
        {
            _boxStep.Solve(_matrix, box, x, g, d);
            TensorPrimitives.Subtract(d, x, d);
        }
        else
        {
            for (int i = 0; i < _n; i++) d[i] = -Vec.Dot(_matrix.AsSpan(i * _n, _n), g);
        }
    }

    public override Span<double> NextS => _s;

    public override Span<double> NextY => _y;

    public override void Update()
    {
        bool first = _updates == 0;
        if (_boxStep is not null ? UpdateHessian(_matrix, _n, _s, _y, _work, first) : UpdateInverse(_matrix, _n, _s, _y, _work, first))
            _updates++;
    }

    private static void SetIdentity(Span<double> m, int n, double scale)
    {
        m.Clear();
        for (int i = 0; i < n; i++) m[i * n + i] = scale;
    }

    private static bool CurvatureOk(double sy, double yy) => sy > double.Epsilon && sy > 2.220446049250313e-16 * yy && double.IsFinite(yy);

    /// <summary>H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, with H := (sᵀy/yᵀy)I first when <paramref name="first"/>.</summary>
    private static bool UpdateInverse(Span<double> h, int n, ReadOnlySpan<double> s, ReadOnlySpan<double> y, Span<double> hy, bool first)
    {
        var (sy, yy) = FusedVec.TwoDots(s, y);
        if (!CurvatureOk(sy, yy)) return false;
        if (first) SetIdentity(h, n, sy / yy);
        double rho = 1.0 / sy;
        for (int i = 0; i < n; i++) hy[i] = Vec.Dot(h.Slice(i * n, n), y);
        double yhy = Vec.Dot(y, hy);
        double c = rho * rho * yhy + rho;
        for (int i = 0; i < n; i++)
        {
            var row = h.Slice(i * n, n);
            // row += −ρ·sᵢ·Hy − ρ·Hyᵢ·s + c·sᵢ·s, one pass over the row
            FusedVec.AddTwoScaled(row, -rho * s[i], hy, c * s[i] - rho * hy[i], s);
        }
        return true;
    }

    /// <summary>B ← B − (Bs)(Bs)ᵀ/(sᵀBs) + yyᵀ/(yᵀs), with B := (yᵀy/sᵀy)I first when <paramref name="first"/>.</summary>
    private static bool UpdateHessian(Span<double> b, int n, ReadOnlySpan<double> s, ReadOnlySpan<double> y, Span<double> bs, bool first)
    {
        var (sy, yy) = FusedVec.TwoDots(s, y);
        if (!CurvatureOk(sy, yy)) return false;
        if (first) SetIdentity(b, n, yy / sy);
        for (int i = 0; i < n; i++) bs[i] = Vec.Dot(b.Slice(i * n, n), s);
        double sbs = Vec.Dot(s, bs);
        if (!(sbs > 0)) return false;
        for (int i = 0; i < n; i++)
        {
            var row = b.Slice(i * n, n);
            FusedVec.AddTwoScaled(row, -bs[i] / sbs, bs, y[i] / sy, y);
        }
        return true;
    }
}
