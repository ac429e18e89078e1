using System;

namespace OptDsl.Runtime.Linear;

/// <summary>
/// The exact trust-region subproblem min gᵀp + ½pᵀHp subject to ‖p‖ ≤ Δ (Moré &amp; Sorensen 1983), solved in the
/// eigenbasis of H = V·diag(λ)·Vᵀ: p(μ) = −Σ (vᵢᵀg)/(λᵢ + μ)·vᵢ with μ ≥ max(0, −λ_min) found by safeguarded Newton
/// on the secular equation 1/‖p(μ)‖ = 1/Δ, including the hard case (g orthogonal to the lowest eigenvectors).
/// Set the decomposition once per point with <see cref="SetModel"/>, then call <see cref="Solve"/> for each radius.
/// </summary>
internal sealed class TrustRegionSubproblem
{
    private readonly int _n;
    private readonly double[] _work, _values, _vectors, _gHat, _coefficients;
    private double _lambdaMin, _lambdaMaxAbs, _gNorm;
    private int _minIndex;

    public TrustRegionSubproblem(int n)
    {
        _n = n;
        _work = new double[n * n];
        _values = new double[n];
        _vectors = new double[n * n];
        _gHat = new double[n];
        _coefficients = new double[n];
    }

    /// <summary>The shift μ of the last solution ((H + μI)p = −g).</summary>
    public double Shift { get; private set; }

    /// <summary>Decomposes the model; false if H is not finite.</summary>
    public bool SetModel(ReadOnlySpan<double> hessian, ReadOnlySpan<double> gradient)
    {
        int n = _n;
        if (!SymmetricEigen.Decompose(hessian, _work, _values, _vectors, n)) return false;
        _lambdaMin = double.PositiveInfinity;
        _lambdaMaxAbs = 0;
        for (int i = 0; i < n; i++)
        {
            if (_values[i] < _lambdaMin) { _lambdaMin = _values[i]; _minIndex = i; }
            _lambdaMaxAbs = Math.Max(_lambdaMaxAbs, Math.Abs(_values[i]));
        }
        double gg = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = 0; k < n; k++) s += _vectors[k * n + i] * gradient[k];
            _gHat[i] = s;
            gg += s * s;
        }
        _gNorm = Math.Sqrt(gg);
        return true;
    }

    private double StepNorm(double mu, bool skipLowest, double degenerate)
    {
        double s = 0;
        for (int i = 0; i < _n; i++)
        {
            double d = _values[i] + mu;
            if (skipLowest && _values[i] - _lambdaMin <= degenerate) continue;
            double c = _gHat[i] / d;
            s += c * c;
        }
        return Math.Sqrt(s);
    }

    /// <summary>Writes the step into <paramref name="p"/> and returns the predicted decrease −(gᵀp + ½pᵀHp) ≥ 0.</summary>
    public double Solve(double radius, Span<double> p)
    {
        int n = _n;
        double degenerate = 1e-12 * Math.Max(1, _lambdaMaxAbs);
        double mu;
        bool hard = false;
        double hardTau = 0;

        if (_lambdaMin > degenerate && StepNorm(0, false, 0) <= radius)
        {
            mu = 0;
        }
        else
        {
            double lo = Math.Max(0, -_lambdaMin);
            // Hard case: g has (almost) no component along the lowest eigenspace and the step at μ = −λ_min stays inside.
            double lowComponent = 0;
            for (int i = 0; i < n; i++) if (_values[i] - _lambdaMin <= degenerate) lowComponent += _gHat[i] * _gHat[i];
            if (_lambdaMin <= degenerate && Math.Sqrt(lowComponent) <= 1e-10 * Math.Max(_gNorm, double.Epsilon))
            {
                double inside = StepNorm(lo, true, degenerate);
                if (inside <= radius)
                {
                    hard = true;
                    mu = lo;
                    hardTau = Math.Sqrt(Math.Max(0, radius * radius - inside * inside));
                    goto Assemble;
                }
            }
            double hi = _gNorm / radius + _lambdaMaxAbs + lo + double.Epsilon;
            mu = lo + Math.Max(1e-12 * Math.Max(1, lo), 1e-300);
            if (lo == 0 && _lambdaMin > degenerate) mu = 0;
            for (int it = 0; it < 200; it++)
            {
                double norm = StepNorm(mu, false, 0);
                if (Math.Abs(norm - radius) <= 1e-10 * radius) break;
                if (norm > radius) lo = mu; else hi = mu;
                double q2 = 0;
                for (int i = 0; i < n; i++)
                {
                    double d = _values[i] + mu;
                    q2 += _gHat[i] * _gHat[i] / (d * d * d);
                }
                double next = mu + (norm * norm / q2) * (norm - radius) / radius;
                if (!(next > lo && next < hi) || !double.IsFinite(next)) next = lo > 0 ? Math.Sqrt(lo * hi) : 0.5 * (lo + hi);
                if (next == mu || hi - lo <= 1e-15 * hi) break;
                mu = next;
            }
        }

    Assemble:
        Shift = mu;
        for (int i = 0; i < n; i++)
        {
            double d = _values[i] + mu;
            _coefficients[i] = hard && _values[i] - _lambdaMin <= degenerate ? 0 : -_gHat[i] / d;
        }
        if (hard) _coefficients[_minIndex] = hardTau;
        p.Clear();
        double decrease = 0;
        for (int i = 0; i < n; i++)
        {
            double c = _coefficients[i];
            if (c == 0) continue;
            for (int k = 0; k < n; k++) p[k] += c * _vectors[k * n + i];
            decrease -= _gHat[i] * c + 0.5 * _values[i] * c * c;
        }
        return decrease;
    }
}
