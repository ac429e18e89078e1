using System;
using System.Collections.Generic;

namespace OptDsl.Tests.Runtime;

// The unconstrained test set of Moré, Garbow & Hillstrom, "Testing unconstrained optimization software",
// ACM TOMS 7(1), 1981, pp. 17–41. Problem numbers, residuals, standard starting points and the reported
// minima f* are those of the paper. Each problem is hand-written as residuals, Jacobian and residual
// curvature Σ rᵢ∇²rᵢ; the derivative tests check all of them against finite differences.

/// <summary>The collection, in the paper's order.</summary>
public static class MoreGarbowHillstrom
{
    public static IReadOnlyList<SumOfSquaresProblem> All() =>
    [
        new Rosenbrock(), new FreudensteinRoth(), new PowellBadlyScaled(), new BrownBadlyScaled(), new Beale(),
        new JennrichSampson(), new HelicalValley(), new Bard(), new Gaussian(), new Meyer(), new Gulf(), new Box3D(),
        new PowellSingular(), new Wood(), new KowalikOsborne(), new BrownDennis(), new Osborne1(), new BiggsExp6(),
        new Watson(6), new ExtendedRosenbrock(10), new ExtendedPowellSingular(8), new PenaltyI(4), new PenaltyII(4),
        new VariablyDimensioned(10), new Trigonometric(10), new BrownAlmostLinear(10), new DiscreteBoundaryValue(10),
        new BroydenTridiagonal(10), new LinearFullRank(5, 10), new Chebyquad(8),
    ];

    public static SumOfSquaresProblem ByName(string name)
    {
        foreach (var p in All()) if (p.Name == name) return p;
        throw new ArgumentException($"No MGH problem named {name}.", nameof(name));
    }
}

/// <summary>MGH 1: r₁ = 10(x₂ − x₁²), r₂ = 1 − x₁; f* = 0 at (1, 1).</summary>
public sealed class Rosenbrock : SumOfSquaresProblem
{
    public override string Name => "Rosenbrock";
    public override int Dimension => 2;
    public override int ResidualCount => 2;
    public override double[] Start => [-1.2, 1.0];
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r) { r[0] = 10 * (x[1] - x[0] * x[0]); r[1] = 1 - x[0]; }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j) { j[0] = -20 * x[0]; j[1] = 10; j[2] = -1; j[3] = 0; }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) => h[0] += -20 * r[0];
}

/// <summary>
/// MGH 2: f* = 0 at (5, 4). From the standard start, descent methods usually reach the other local minimum
/// f = 48.9842… at (11.41…, −0.8968…), which the paper also lists.
/// </summary>
public sealed class FreudensteinRoth : SumOfSquaresProblem
{
    public override string Name => "Freudenstein-Roth";
    public override int Dimension => 2;
    public override int ResidualCount => 2;
    public override double[] Start => [0.5, -2.0];
    public override double[] KnownMinima => [0.0, 48.9842536792400];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = -13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1];
        r[1] = -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1];
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        j[0] = 1; j[1] = 10 * x[1] - 3 * x[1] * x[1] - 2;
        j[2] = 1; j[3] = 3 * x[1] * x[1] + 2 * x[1] - 14;
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) =>
        h[3] += r[0] * (10 - 6 * x[1]) + r[1] * (6 * x[1] + 2);
}

/// <summary>MGH 3: r₁ = 10⁴x₁x₂ − 1, r₂ = e^(−x₁) + e^(−x₂) − 1.0001; f* = 0 at (1.098…e−5, 9.106…).</summary>
public sealed class PowellBadlyScaled : SumOfSquaresProblem
{
    public override string Name => "Powell badly scaled";
    public override int Dimension => 2;
    public override int ResidualCount => 2;
    public override double[] Start => [0.0, 1.0];
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r) { r[0] = 1e4 * x[0] * x[1] - 1; r[1] = Math.Exp(-x[0]) + Math.Exp(-x[1]) - 1.0001; }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j) { j[0] = 1e4 * x[1]; j[1] = 1e4 * x[0]; j[2] = -Math.Exp(-x[0]); j[3] = -Math.Exp(-x[1]); }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        AddSymmetric(h, 0, 1, r[0] * 1e4);
        h[0] += r[1] * Math.Exp(-x[0]);
        h[3] += r[1] * Math.Exp(-x[1]);
    }
}

/// <summary>MGH 4: r = (x₁ − 10⁶, x₂ − 2·10⁻⁶, x₁x₂ − 2); f* = 0 at (10⁶, 2·10⁻⁶).</summary>
public sealed class BrownBadlyScaled : SumOfSquaresProblem
{
    public override string Name => "Brown badly scaled";
    public override int Dimension => 2;
    public override int ResidualCount => 3;
    public override double[] Start => [1.0, 1.0];
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r) { r[0] = x[0] - 1e6; r[1] = x[1] - 2e-6; r[2] = x[0] * x[1] - 2; }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j) { j[0] = 1; j[1] = 0; j[2] = 0; j[3] = 1; j[4] = x[1]; j[5] = x[0]; }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) => AddSymmetric(h, 0, 1, r[2]);
}

/// <summary>MGH 5: rᵢ = yᵢ − x₁(1 − x₂ⁱ), y = (1.5, 2.25, 2.625); f* = 0 at (3, 0.5).</summary>
public sealed class Beale : SumOfSquaresProblem
{
    private static readonly double[] Y = [1.5, 2.25, 2.625];
    public override string Name => "Beale";
    public override int Dimension => 2;
    public override int ResidualCount => 3;
    public override double[] Start => [1.0, 1.0];
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 3; i++) r[i] = Y[i] - x[0] * (1 - Math.Pow(x[1], i + 1));
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 3; i++)
        {
            int k = i + 1;
            j[2 * i] = -(1 - Math.Pow(x[1], k));
            j[2 * i + 1] = x[0] * k * Math.Pow(x[1], k - 1);
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 3; i++)
        {
            int k = i + 1;
            AddSymmetric(h, 0, 1, r[i] * k * Math.Pow(x[1], k - 1));
            if (k >= 2) h[3] += r[i] * x[0] * k * (k - 1) * Math.Pow(x[1], k - 2);
        }
    }
}

/// <summary>MGH 6 (m = 10): rᵢ = 2 + 2i − (e^(ix₁) + e^(ix₂)); f* = 124.362… at x₁ = x₂ = 0.2578.</summary>
public sealed class JennrichSampson : SumOfSquaresProblem
{
    public override string Name => "Jennrich-Sampson";
    public override int Dimension => 2;
    public override int ResidualCount => 10;
    public override double[] Start => [0.3, 0.4];
    public override double[] KnownMinima => [124.362182355];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 10; i++) r[i - 1] = 2 + 2 * i - (Math.Exp(i * x[0]) + Math.Exp(i * x[1]));
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 1; i <= 10; i++) { j[2 * (i - 1)] = -i * Math.Exp(i * x[0]); j[2 * (i - 1) + 1] = -i * Math.Exp(i * x[1]); }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 1; i <= 10; i++)
        {
            h[0] += r[i - 1] * -i * i * Math.Exp(i * x[0]);
            h[3] += r[i - 1] * -i * i * Math.Exp(i * x[1]);
        }
    }
}

/// <summary>MGH 7: r = (10(x₃ − 10θ(x₁, x₂)), 10(‖(x₁, x₂)‖ − 1), x₃) with the paper's θ; f* = 0 at (1, 0, 0).</summary>
public sealed class HelicalValley : SumOfSquaresProblem
{
    public override string Name => "Helical valley";
    public override int Dimension => 3;
    public override int ResidualCount => 3;
    public override double[] Start => [-1.0, 0.0, 0.0];
    public override double[] KnownMinima => [0.0];

    private static double Theta(double x1, double x2)
    {
        if (x1 > 0) return Math.Atan(x2 / x1) / (2 * Math.PI);
        if (x1 < 0) return Math.Atan(x2 / x1) / (2 * Math.PI) + 0.5;
        return x2 >= 0 ? 0.25 : -0.25;
    }

    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = 10 * (x[2] - 10 * Theta(x[0], x[1]));
        r[1] = 10 * (Math.Sqrt(x[0] * x[0] + x[1] * x[1]) - 1);
        r[2] = x[2];
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        double rho2 = x[0] * x[0] + x[1] * x[1], rho = Math.Sqrt(rho2);
        j[0] = 100 * x[1] / (2 * Math.PI * rho2); j[1] = -100 * x[0] / (2 * Math.PI * rho2); j[2] = 10;
        j[3] = 10 * x[0] / rho; j[4] = 10 * x[1] / rho; j[5] = 0;
        j[6] = 0; j[7] = 0; j[8] = 1;
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        double x1 = x[0], x2 = x[1];
        double rho2 = x1 * x1 + x2 * x2, rho = Math.Sqrt(rho2), rho3 = rho2 * rho, rho4 = rho2 * rho2;
        double c = 1 / (2 * Math.PI);
        // ∇²θ
        double t11 = c * 2 * x1 * x2 / rho4, t12 = c * (x2 * x2 - x1 * x1) / rho4, t22 = -t11;
        h[0] += r[0] * -100 * t11; AddSymmetric(h, 0, 1, r[0] * -100 * t12); h[4] += r[0] * -100 * t22;
        h[0] += r[1] * 10 * x2 * x2 / rho3; AddSymmetric(h, 0, 1, r[1] * -10 * x1 * x2 / rho3); h[4] += r[1] * 10 * x1 * x1 / rho3;
    }
}

/// <summary>MGH 8 (m = 15): f* = 8.21487…e−3 (another local minimum 17.4286 at (0.8406, −∞, −∞)).</summary>
public sealed class Bard : SumOfSquaresProblem
{
    private static readonly double[] Y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39];
    public override string Name => "Bard";
    public override int Dimension => 3;
    public override int ResidualCount => 15;
    public override double[] Start => [1.0, 1.0, 1.0];
    public override double[] KnownMinima => [8.21487730657897e-3, 17.4286];
    private static (double U, double V, double W) Uvw(int i) { double u = i + 1, v = 15 - i; return (u, v, Math.Min(u, v)); }
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 15; i++) { var (u, v, w) = Uvw(i); r[i] = Y[i] - (x[0] + u / (v * x[1] + w * x[2])); }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 15; i++)
        {
            var (u, v, w) = Uvw(i);
            double d = v * x[1] + w * x[2];
            j[3 * i] = -1; j[3 * i + 1] = u * v / (d * d); j[3 * i + 2] = u * w / (d * d);
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 15; i++)
        {
            var (u, v, w) = Uvw(i);
            double d = v * x[1] + w * x[2], d3 = d * d * d;
            h[4] += r[i] * -2 * u * v * v / d3;
            AddSymmetric(h, 1, 2, r[i] * -2 * u * v * w / d3);
            h[8] += r[i] * -2 * u * w * w / d3;
        }
    }
}

/// <summary>MGH 9 (m = 15): rᵢ = x₁·exp(−x₂(tᵢ − x₃)²/2) − yᵢ, tᵢ = (8 − i)/2; f* = 1.12793…e−8.</summary>
public sealed class Gaussian : SumOfSquaresProblem
{
    private static readonly double[] Y = [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009];
    public override string Name => "Gaussian";
    public override int Dimension => 3;
    public override int ResidualCount => 15;
    public override double[] Start => [0.4, 1.0, 0.0];
    public override double[] KnownMinima => [1.12793276961e-8];
    private static double T(int i) => (8.0 - (i + 1)) / 2.0;
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 15; i++) { double s = T(i) - x[2]; r[i] = x[0] * Math.Exp(-x[1] * s * s / 2) - Y[i]; }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 15; i++)
        {
            double s = T(i) - x[2], e = Math.Exp(-x[1] * s * s / 2);
            j[3 * i] = e; j[3 * i + 1] = -x[0] * s * s / 2 * e; j[3 * i + 2] = x[0] * x[1] * s * e;
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 15; i++)
        {
            double s = T(i) - x[2], e = Math.Exp(-x[1] * s * s / 2), ri = r[i];
            AddSymmetric(h, 0, 1, ri * -s * s / 2 * e);
            AddSymmetric(h, 0, 2, ri * x[1] * s * e);
            h[4] += ri * x[0] * s * s * s * s / 4 * e;
            AddSymmetric(h, 1, 2, ri * (x[0] * s * e - x[0] * x[1] * s * s * s / 2 * e));
            h[8] += ri * x[0] * x[1] * e * (x[1] * s * s - 1);
        }
    }
}

/// <summary>MGH 10 (m = 16): rᵢ = x₁·exp(x₂/(tᵢ + x₃)) − yᵢ, tᵢ = 45 + 5i; f* = 87.9458….</summary>
public sealed class Meyer : SumOfSquaresProblem
{
    private static readonly double[] Y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];
    public override string Name => "Meyer";
    public override int Dimension => 3;
    public override int ResidualCount => 16;
    public override double[] Start => [0.02, 4000, 250];
    public override double[] KnownMinima => [87.9458551718];
    private static double T(int i) => 45.0 + 5.0 * (i + 1);
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 16; i++) r[i] = x[0] * Math.Exp(x[1] / (T(i) + x[2])) - Y[i];
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 16; i++)
        {
            double q = T(i) + x[2], e = Math.Exp(x[1] / q);
            j[3 * i] = e; j[3 * i + 1] = x[0] * e / q; j[3 * i + 2] = -x[0] * x[1] * e / (q * q);
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 16; i++)
        {
            double q = T(i) + x[2], e = Math.Exp(x[1] / q), ri = r[i];
            AddSymmetric(h, 0, 1, ri * e / q);
            AddSymmetric(h, 0, 2, ri * -x[1] * e / (q * q));
            h[4] += ri * x[0] * e / (q * q);
            AddSymmetric(h, 1, 2, ri * -x[0] * e * (x[1] + q) / (q * q * q));
            h[8] += ri * x[0] * x[1] * e * (x[1] + 2 * q) / (q * q * q * q);
        }
    }
}

/// <summary>MGH 11, Gulf research and development (m = 99): rᵢ = exp(−|yᵢ − x₂|^x₃ / x₁) − tᵢ; f* = 0 at (50, 25, 1.5).</summary>
public sealed class Gulf : SumOfSquaresProblem
{
    private const int M = 99;
    public override string Name => "Gulf";
    public override int Dimension => 3;
    public override int ResidualCount => M;
    public override double[] Start => [5.0, 2.5, 0.15];
    public override double[] KnownMinima => [0.0];
    private static double T(int i) => (i + 1) / 100.0;
    private static double Yv(int i) => 25 + Math.Pow(-50 * Math.Log(T(i)), 2.0 / 3.0);

    // u = −|y − x₂|^x₃ / x₁, r = e^u − t, ∇r = e^u∇u, ∇²r = e^u(∇u∇uᵀ + ∇²u).
    private static void Parts(ReadOnlySpan<double> x, int i, out double e, Span<double> du, Span<double> d2u)
    {
        double delta = Yv(i) - x[1], a = Math.Abs(delta), la = Math.Log(a), p = Math.Pow(a, x[2]), x1 = x[0], x3 = x[2];
        e = Math.Exp(-p / x1);
        du[0] = p / (x1 * x1);
        du[1] = x3 * p / (x1 * delta);
        du[2] = -p * la / x1;
        d2u[0] = -2 * p / (x1 * x1 * x1);
        d2u[1] = -x3 * p / (x1 * x1 * delta);
        d2u[2] = p * la / (x1 * x1);
        d2u[4] = -x3 * (x3 - 1) * p / (x1 * delta * delta);
        d2u[5] = p * (1 + x3 * la) / (x1 * delta);
        d2u[8] = -p * la * la / x1;
        d2u[3] = d2u[1]; d2u[6] = d2u[2]; d2u[7] = d2u[5];
    }
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < M; i++) r[i] = Math.Exp(-Math.Pow(Math.Abs(Yv(i) - x[1]), x[2]) / x[0]) - T(i);
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        Span<double> du = stackalloc double[3];
        Span<double> d2u = stackalloc double[9];
        for (int i = 0; i < M; i++)
        {
            Parts(x, i, out double e, du, d2u);
            for (int k = 0; k < 3; k++) j[3 * i + k] = e * du[k];
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        Span<double> du = stackalloc double[3];
        Span<double> d2u = stackalloc double[9];
        for (int i = 0; i < M; i++)
        {
            Parts(x, i, out double e, du, d2u);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) h[3 * a + b] += r[i] * e * (du[a] * du[b] + d2u[3 * a + b]);
        }
    }
}

/// <summary>MGH 12, Box three-dimensional (m = 10); f* = 0 at (1, 10, 1) (also on the line x₁ = x₂, x₃ = 0).</summary>
public sealed class Box3D : SumOfSquaresProblem
{
    public override string Name => "Box 3D";
    public override int Dimension => 3;
    public override int ResidualCount => 10;
    public override double[] Start => [0.0, 10.0, 20.0];
    public override double[] KnownMinima => [0.0];
    private static double T(int i) => 0.1 * (i + 1);
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 10; i++) { double t = T(i); r[i] = Math.Exp(-t * x[0]) - Math.Exp(-t * x[1]) - x[2] * (Math.Exp(-t) - Math.Exp(-10 * t)); }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 10; i++)
        {
            double t = T(i);
            j[3 * i] = -t * Math.Exp(-t * x[0]); j[3 * i + 1] = t * Math.Exp(-t * x[1]); j[3 * i + 2] = -(Math.Exp(-t) - Math.Exp(-10 * t));
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 10; i++)
        {
            double t = T(i);
            h[0] += r[i] * t * t * Math.Exp(-t * x[0]);
            h[4] += r[i] * -t * t * Math.Exp(-t * x[1]);
        }
    }
}

/// <summary>MGH 13, Powell singular: f* = 0 at the origin, where the Hessian is singular.</summary>
public sealed class PowellSingular : SumOfSquaresProblem
{
    public override string Name => "Powell singular";
    public override int Dimension => 4;
    public override int ResidualCount => 4;
    public override double[] Start => [3.0, -1.0, 0.0, 1.0];
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r) => PowellBlock.Residuals(x, r, 0, 0);
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j) => PowellBlock.Jacobian(x, j, 0, 0, 4);
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) => PowellBlock.Curvature(x, r, h, 0, 0, 4);
}

internal static class PowellBlock
{
    private static readonly double Sqrt5 = Math.Sqrt(5), Sqrt10 = Math.Sqrt(10);
    public static void Residuals(ReadOnlySpan<double> x, Span<double> r, int xo, int ro)
    {
        r[ro] = x[xo] + 10 * x[xo + 1];
        r[ro + 1] = Sqrt5 * (x[xo + 2] - x[xo + 3]);
        r[ro + 2] = (x[xo + 1] - 2 * x[xo + 2]) * (x[xo + 1] - 2 * x[xo + 2]);
        r[ro + 3] = Sqrt10 * (x[xo] - x[xo + 3]) * (x[xo] - x[xo + 3]);
    }
    public static void Jacobian(ReadOnlySpan<double> x, Span<double> j, int xo, int ro, int n)
    {
        for (int k = 0; k < 4; k++) j.Slice((ro + k) * n, n).Clear();
        j[ro * n + xo] = 1; j[ro * n + xo + 1] = 10;
        j[(ro + 1) * n + xo + 2] = Sqrt5; j[(ro + 1) * n + xo + 3] = -Sqrt5;
        double a = x[xo + 1] - 2 * x[xo + 2];
        j[(ro + 2) * n + xo + 1] = 2 * a; j[(ro + 2) * n + xo + 2] = -4 * a;
        double b = x[xo] - x[xo + 3];
        j[(ro + 3) * n + xo] = 2 * Sqrt10 * b; j[(ro + 3) * n + xo + 3] = -2 * Sqrt10 * b;
    }
    public static void Curvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h, int xo, int ro, int n)
    {
        double r3 = r[ro + 2], r4 = r[ro + 3];
        h[(xo + 1) * n + xo + 1] += 2 * r3;
        h[(xo + 1) * n + xo + 2] += -4 * r3; h[(xo + 2) * n + xo + 1] += -4 * r3;
        h[(xo + 2) * n + xo + 2] += 8 * r3;
        h[xo * n + xo] += 2 * Sqrt10 * r4;
        h[xo * n + xo + 3] += -2 * Sqrt10 * r4; h[(xo + 3) * n + xo] += -2 * Sqrt10 * r4;
        h[(xo + 3) * n + xo + 3] += 2 * Sqrt10 * r4;
    }
}

/// <summary>MGH 14, Wood: f* = 0 at (1, 1, 1, 1).</summary>
public sealed class Wood : SumOfSquaresProblem
{
    private static readonly double Sqrt90 = Math.Sqrt(90), Sqrt10 = Math.Sqrt(10);
    public override string Name => "Wood";
    public override int Dimension => 4;
    public override int ResidualCount => 6;
    public override double[] Start => [-3.0, -1.0, -3.0, -1.0];
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = 10 * (x[1] - x[0] * x[0]); r[1] = 1 - x[0];
        r[2] = Sqrt90 * (x[3] - x[2] * x[2]); r[3] = 1 - x[2];
        r[4] = Sqrt10 * (x[1] + x[3] - 2); r[5] = (x[1] - x[3]) / Sqrt10;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        j.Clear();
        j[0] = -20 * x[0]; j[1] = 10;
        j[4] = -1;
        j[8 + 2] = -2 * Sqrt90 * x[2]; j[8 + 3] = Sqrt90;
        j[12 + 2] = -1;
        j[16 + 1] = Sqrt10; j[16 + 3] = Sqrt10;
        j[20 + 1] = 1 / Sqrt10; j[20 + 3] = -1 / Sqrt10;
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        h[0] += -20 * r[0];
        h[10] += -2 * Sqrt90 * r[2];
    }
}

/// <summary>MGH 15, Kowalik and Osborne (m = 11): f* = 3.07505…e−4 (the NIST MGH09 data).</summary>
public sealed class KowalikOsborne : SumOfSquaresProblem
{
    private static readonly double[] Y = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
    private static readonly double[] U = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
    public override string Name => "Kowalik-Osborne";
    public override int Dimension => 4;
    public override int ResidualCount => 11;
    public override double[] Start => [0.25, 0.39, 0.415, 0.39];
    public override double[] KnownMinima => [3.07505603849e-4, 1.02734e-3];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 11; i++) { double u = U[i]; r[i] = Y[i] - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]); }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 11; i++)
        {
            double u = U[i], nn = u * u + u * x[1], d = u * u + u * x[2] + x[3];
            j[4 * i] = -nn / d; j[4 * i + 1] = -x[0] * u / d; j[4 * i + 2] = x[0] * nn * u / (d * d); j[4 * i + 3] = x[0] * nn / (d * d);
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 11; i++)
        {
            double u = U[i], nn = u * u + u * x[1], d = u * u + u * x[2] + x[3], d2 = d * d, d3 = d2 * d, c = -r[i];
            AddSymmetric(h, 0, 1, c * u / d);
            AddSymmetric(h, 0, 2, c * -nn * u / d2);
            AddSymmetric(h, 0, 3, c * -nn / d2);
            AddSymmetric(h, 1, 2, c * -x[0] * u * u / d2);
            AddSymmetric(h, 1, 3, c * -x[0] * u / d2);
            h[10] += c * 2 * x[0] * nn * u * u / d3;
            AddSymmetric(h, 2, 3, c * 2 * x[0] * nn * u / d3);
            h[15] += c * 2 * x[0] * nn / d3;
        }
    }
}

/// <summary>MGH 16, Brown and Dennis (m = 20): f* = 85822.2….</summary>
public sealed class BrownDennis : SumOfSquaresProblem
{
    public override string Name => "Brown-Dennis";
    public override int Dimension => 4;
    public override int ResidualCount => 20;
    public override double[] Start => [25.0, 5.0, -5.0, -1.0];
    public override double[] KnownMinima => [85822.2016263563];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 20; i++)
        {
            double t = (i + 1) / 5.0, a = x[0] + t * x[1] - Math.Exp(t), b = x[2] + x[3] * Math.Sin(t) - Math.Cos(t);
            r[i] = a * a + b * b;
        }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 20; i++)
        {
            double t = (i + 1) / 5.0, a = x[0] + t * x[1] - Math.Exp(t), b = x[2] + x[3] * Math.Sin(t) - Math.Cos(t);
            j[4 * i] = 2 * a; j[4 * i + 1] = 2 * a * t; j[4 * i + 2] = 2 * b; j[4 * i + 3] = 2 * b * Math.Sin(t);
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        ReadOnlySpan<int> first = [0, 1];
        ReadOnlySpan<int> second = [2, 3];
        for (int i = 0; i < 20; i++)
        {
            double t = (i + 1) / 5.0;
            AddOuter(h, 2 * r[i], first, [1.0, t]);
            AddOuter(h, 2 * r[i], second, [1.0, Math.Sin(t)]);
        }
    }
}

/// <summary>MGH 17, Osborne 1 (m = 33): f* = 5.46489…e−5.</summary>
public sealed class Osborne1 : SumOfSquaresProblem
{
    private static readonly double[] Y =
    [
        0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580,
        0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406,
    ];
    public override string Name => "Osborne 1";
    public override int Dimension => 5;
    public override int ResidualCount => 33;
    public override double[] Start => [0.5, 1.5, -1.0, 0.01, 0.02];
    public override double[] KnownMinima => [5.46489469748e-5];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 33; i++) { double t = 10.0 * i; r[i] = Y[i] - (x[0] + x[1] * Math.Exp(-t * x[3]) + x[2] * Math.Exp(-t * x[4])); }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 33; i++)
        {
            double t = 10.0 * i, e4 = Math.Exp(-t * x[3]), e5 = Math.Exp(-t * x[4]);
            j[5 * i] = -1; j[5 * i + 1] = -e4; j[5 * i + 2] = -e5; j[5 * i + 3] = x[1] * t * e4; j[5 * i + 4] = x[2] * t * e5;
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 33; i++)
        {
            double t = 10.0 * i, e4 = Math.Exp(-t * x[3]), e5 = Math.Exp(-t * x[4]);
            AddSymmetric(h, 1, 3, r[i] * t * e4);
            h[18] += r[i] * -x[1] * t * t * e4;
            AddSymmetric(h, 2, 4, r[i] * t * e5);
            h[24] += r[i] * -x[2] * t * t * e5;
        }
    }
}

/// <summary>MGH 18, Biggs EXP6 (m = 13): f* = 5.65565…e−3, and f = 0 at (1, 10, 1, 5, 4, 3); both are reported minima.</summary>
public sealed class BiggsExp6 : SumOfSquaresProblem
{
    public override string Name => "Biggs EXP6";
    public override int Dimension => 6;
    public override int ResidualCount => 13;
    public override double[] Start => [1.0, 2.0, 1.0, 1.0, 1.0, 1.0];
    public override double[] KnownMinima => [0.0, 5.65565e-3];
    private static double T(int i) => 0.1 * (i + 1);
    private static double Yv(double t) => Math.Exp(-t) - 5 * Math.Exp(-10 * t) + 3 * Math.Exp(-4 * t);
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 13; i++)
        {
            double t = T(i);
            r[i] = x[2] * Math.Exp(-t * x[0]) - x[3] * Math.Exp(-t * x[1]) + x[5] * Math.Exp(-t * x[4]) - Yv(t);
        }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        for (int i = 0; i < 13; i++)
        {
            double t = T(i), e1 = Math.Exp(-t * x[0]), e2 = Math.Exp(-t * x[1]), e5 = Math.Exp(-t * x[4]);
            var row = j.Slice(6 * i, 6);
            row[0] = -t * x[2] * e1; row[1] = t * x[3] * e2; row[2] = e1; row[3] = -e2; row[4] = -t * x[5] * e5; row[5] = e5;
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < 13; i++)
        {
            double t = T(i), e1 = Math.Exp(-t * x[0]), e2 = Math.Exp(-t * x[1]), e5 = Math.Exp(-t * x[4]), ri = r[i];
            h[0] += ri * t * t * x[2] * e1;
            AddSymmetric(h, 0, 2, ri * -t * e1);
            h[7] += ri * -t * t * x[3] * e2;
            AddSymmetric(h, 1, 3, ri * t * e2);
            h[28] += ri * t * t * x[5] * e5;
            AddSymmetric(h, 4, 5, ri * -t * e5);
        }
    }
}

/// <summary>MGH 20, Watson (m = 31): f* = 2.28767…e−3 for n = 6, 1.39976…e−6 for n = 9.</summary>
public sealed class Watson(int n) : SumOfSquaresProblem
{
    public override string Name => $"Watson n={n}";
    public override int Dimension => n;
    public override int ResidualCount => 31;
    public override double[] Start => new double[n];
    public override double[] KnownMinima => n switch { 6 => [2.28767005355e-3], 9 => [1.39976228131e-6], _ => [0.0] };
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 29; i++)
        {
            double t = (i + 1) / 29.0, s1 = 0, s2 = 0, pw = 1;
            for (int j = 1; j < n; j++) { s1 += j * x[j] * pw; pw *= t; }
            pw = 1;
            for (int j = 0; j < n; j++) { s2 += x[j] * pw; pw *= t; }
            r[i] = s1 - s2 * s2 - 1;
        }
        r[29] = x[0];
        r[30] = x[1] - x[0] * x[0] - 1;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        jac.Clear();
        for (int i = 0; i < 29; i++)
        {
            double t = (i + 1) / 29.0, s2 = 0, pw = 1;
            for (int j = 0; j < n; j++) { s2 += x[j] * pw; pw *= t; }
            pw = 1;
            for (int j = 0; j < n; j++)
            {
                double d = j >= 1 ? j * Math.Pow(t, j - 1) : 0;
                jac[i * n + j] = d - 2 * s2 * pw;
                pw *= t;
            }
        }
        jac[29 * n] = 1;
        jac[30 * n] = -2 * x[0]; jac[30 * n + 1] = 1;
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        Span<double> c = stackalloc double[n];
        for (int i = 0; i < 29; i++)
        {
            double t = (i + 1) / 29.0, pw = 1;
            for (int j = 0; j < n; j++) { c[j] = pw; pw *= t; }
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) h[a * n + b] += r[i] * -2 * c[a] * c[b];
        }
        h[0] += r[30] * -2;
    }
}

/// <summary>MGH 21, extended Rosenbrock (n even): f* = 0 at (1, …, 1).</summary>
public sealed class ExtendedRosenbrock(int n) : SumOfSquaresProblem
{
    public override string Name => $"Extended Rosenbrock n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n;
    public override double[] Start { get { var s = new double[n]; for (int i = 0; i < n; i += 2) { s[i] = -1.2; s[i + 1] = 1; } return s; } }
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < n; i += 2) { r[i] = 10 * (x[i + 1] - x[i] * x[i]); r[i + 1] = 1 - x[i]; }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        j.Clear();
        for (int i = 0; i < n; i += 2) { j[i * n + i] = -20 * x[i]; j[i * n + i + 1] = 10; j[(i + 1) * n + i] = -1; }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < n; i += 2) h[i * n + i] += -20 * r[i];
    }
}

/// <summary>MGH 22, extended Powell singular (n a multiple of 4): f* = 0 at the origin.</summary>
public sealed class ExtendedPowellSingular(int n) : SumOfSquaresProblem
{
    public override string Name => $"Extended Powell n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n;
    public override double[] Start { get { var s = new double[n]; for (int i = 0; i < n; i += 4) { s[i] = 3; s[i + 1] = -1; s[i + 2] = 0; s[i + 3] = 1; } return s; } }
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r) { for (int i = 0; i < n; i += 4) PowellBlock.Residuals(x, r, i, i); }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j) { for (int i = 0; i < n; i += 4) PowellBlock.Jacobian(x, j, i, i, n); }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) { for (int i = 0; i < n; i += 4) PowellBlock.Curvature(x, r, h, i, i, n); }
}

/// <summary>MGH 23, Penalty I (m = n + 1, a = 10⁻⁵): f* = 2.24997…e−5 for n = 4, 7.08765…e−5 for n = 10.</summary>
public sealed class PenaltyI(int n) : SumOfSquaresProblem
{
    private static readonly double SqrtA = Math.Sqrt(1e-5);
    public override string Name => $"Penalty I n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n + 1;
    public override double[] Start { get { var s = new double[n]; for (int i = 0; i < n; i++) s[i] = i + 1; return s; } }
    public override double[] KnownMinima => n switch { 4 => [2.24997831140e-5], 10 => [7.08765146e-5], _ => [double.NaN] };
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        double ss = 0;
        for (int i = 0; i < n; i++) { r[i] = SqrtA * (x[i] - 1); ss += x[i] * x[i]; }
        r[n] = ss - 0.25;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        j.Clear();
        for (int i = 0; i < n; i++) { j[i * n + i] = SqrtA; j[n * n + i] = 2 * x[i]; }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < n; i++) h[i * n + i] += 2 * r[n];
    }
}

/// <summary>MGH 24, Penalty II (m = 2n, a = 10⁻⁵): f* = 9.37629…e−6 for n = 4, 2.93660…e−4 for n = 10.</summary>
public sealed class PenaltyII(int n) : SumOfSquaresProblem
{
    private static readonly double SqrtA = Math.Sqrt(1e-5);
    public override string Name => $"Penalty II n={n}";
    public override int Dimension => n;
    public override int ResidualCount => 2 * n;
    public override double[] Start { get { var s = new double[n]; Array.Fill(s, 0.5); return s; } }
    public override double[] KnownMinima => n switch { 4 => [9.37629300e-6], 10 => [2.93660e-4], _ => [double.NaN] };
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = x[0] - 0.2;
        for (int i = 1; i < n; i++)
        {
            double y = Math.Exp((i + 1) / 10.0) + Math.Exp(i / 10.0);
            r[i] = SqrtA * (Math.Exp(x[i] / 10) + Math.Exp(x[i - 1] / 10) - y);
            r[n + i - 1] = SqrtA * (Math.Exp(x[i] / 10) - Math.Exp(-0.1));
        }
        double s = 0;
        for (int j = 0; j < n; j++) s += (n - j) * x[j] * x[j];
        r[2 * n - 1] = s - 1;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        jac.Clear();
        jac[0] = 1;
        for (int i = 1; i < n; i++)
        {
            jac[i * n + i] = SqrtA * Math.Exp(x[i] / 10) / 10;
            jac[i * n + i - 1] = SqrtA * Math.Exp(x[i - 1] / 10) / 10;
            jac[(n + i - 1) * n + i] = SqrtA * Math.Exp(x[i] / 10) / 10;
        }
        for (int j = 0; j < n; j++) jac[(2 * n - 1) * n + j] = 2 * (n - j) * x[j];
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 1; i < n; i++)
        {
            h[i * n + i] += r[i] * SqrtA * Math.Exp(x[i] / 10) / 100;
            h[(i - 1) * n + i - 1] += r[i] * SqrtA * Math.Exp(x[i - 1] / 10) / 100;
            h[i * n + i] += r[n + i - 1] * SqrtA * Math.Exp(x[i] / 10) / 100;
        }
        for (int j = 0; j < n; j++) h[j * n + j] += r[2 * n - 1] * 2 * (n - j);
    }
}

/// <summary>MGH 25, variably dimensioned (m = n + 2): f* = 0 at (1, …, 1).</summary>
public sealed class VariablyDimensioned(int n) : SumOfSquaresProblem
{
    public override string Name => $"Variably dimensioned n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n + 2;
    public override double[] Start { get { var s = new double[n]; for (int j = 0; j < n; j++) s[j] = 1 - (j + 1.0) / n; return s; } }
    public override double[] KnownMinima => [0.0];
    private static double Sum(ReadOnlySpan<double> x) { double s = 0; for (int j = 0; j < x.Length; j++) s += (j + 1) * (x[j] - 1); return s; }
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < n; i++) r[i] = x[i] - 1;
        double s = Sum(x);
        r[n] = s; r[n + 1] = s * s;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        jac.Clear();
        double s = Sum(x);
        for (int i = 0; i < n; i++) { jac[i * n + i] = 1; jac[n * n + i] = i + 1; jac[(n + 1) * n + i] = 2 * s * (i + 1); }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) h[a * n + b] += r[n + 1] * 2 * (a + 1) * (b + 1);
    }
}

/// <summary>
/// MGH 26, trigonometric (m = n): f* = 0; for n = 10 the standard start usually leads to the local minimum
/// f = 2.79506…e−5 (reported for this problem, e.g. in the MINPACK-1 test results).
/// </summary>
public sealed class Trigonometric(int n) : SumOfSquaresProblem
{
    public override string Name => $"Trigonometric n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n;
    public override double[] Start { get { var s = new double[n]; Array.Fill(s, 1.0 / n); return s; } }
    public override double[] KnownMinima => [0.0, 2.79506e-5];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        double sc = 0;
        for (int j = 0; j < n; j++) sc += Math.Cos(x[j]);
        for (int i = 0; i < n; i++) r[i] = n - sc + (i + 1) * (1 - Math.Cos(x[i])) - Math.Sin(x[i]);
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) jac[i * n + j] = Math.Sin(x[j]);
            jac[i * n + i] += (i + 1) * Math.Sin(x[i]) - Math.Cos(x[i]);
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        double rs = 0;
        for (int i = 0; i < n; i++) rs += r[i];
        for (int j = 0; j < n; j++) h[j * n + j] += rs * Math.Cos(x[j]);
        for (int i = 0; i < n; i++) h[i * n + i] += r[i] * ((i + 1) * Math.Cos(x[i]) + Math.Sin(x[i]));
    }
}

/// <summary>MGH 27, Brown almost-linear (m = n): f* = 0 at (1, …, 1) (also f = 1 on a family of points).</summary>
public sealed class BrownAlmostLinear(int n) : SumOfSquaresProblem
{
    public override string Name => $"Brown almost-linear n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n;
    public override double[] Start { get { var s = new double[n]; Array.Fill(s, 0.5); return s; } }
    public override double[] KnownMinima => [0.0, 1.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        double s = 0, p = 1;
        for (int j = 0; j < n; j++) { s += x[j]; p *= x[j]; }
        for (int i = 0; i < n - 1; i++) r[i] = x[i] + s - (n + 1);
        r[n - 1] = p - 1;
    }
    private static double ProductExcept(ReadOnlySpan<double> x, int a, int b)
    {
        double p = 1;
        for (int k = 0; k < x.Length; k++) if (k != a && k != b) p *= x[k];
        return p;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        for (int i = 0; i < n - 1; i++)
            for (int j = 0; j < n; j++) jac[i * n + j] = i == j ? 2 : 1;
        for (int j = 0; j < n; j++) jac[(n - 1) * n + j] = ProductExcept(x, j, -1);
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                if (a != b) h[a * n + b] += r[n - 1] * ProductExcept(x, a, b);
    }
}

/// <summary>MGH 28, discrete boundary value (m = n): f* = 0.</summary>
public sealed class DiscreteBoundaryValue(int n) : SumOfSquaresProblem
{
    private double H => 1.0 / (n + 1);
    public override string Name => $"Discrete boundary value n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n;
    public override double[] Start { get { var s = new double[n]; for (int i = 0; i < n; i++) { double t = (i + 1) * H; s[i] = t * (t - 1); } return s; } }
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        double h = H;
        for (int i = 0; i < n; i++)
        {
            double t = (i + 1) * h, left = i > 0 ? x[i - 1] : 0, right = i < n - 1 ? x[i + 1] : 0, c = x[i] + t + 1;
            r[i] = 2 * x[i] - left - right + h * h * c * c * c / 2;
        }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        jac.Clear();
        double h = H;
        for (int i = 0; i < n; i++)
        {
            double t = (i + 1) * h, c = x[i] + t + 1;
            jac[i * n + i] = 2 + 1.5 * h * h * c * c;
            if (i > 0) jac[i * n + i - 1] = -1;
            if (i < n - 1) jac[i * n + i + 1] = -1;
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> hm)
    {
        double h = H;
        for (int i = 0; i < n; i++) { double t = (i + 1) * h; hm[i * n + i] += r[i] * 3 * h * h * (x[i] + t + 1); }
    }
}

/// <summary>MGH 30, Broyden tridiagonal (m = n): f* = 0.</summary>
public sealed class BroydenTridiagonal(int n) : SumOfSquaresProblem
{
    public override string Name => $"Broyden tridiagonal n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n;
    public override double[] Start { get { var s = new double[n]; Array.Fill(s, -1.0); return s; } }
    public override double[] KnownMinima => [0.0];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < n; i++)
        {
            double left = i > 0 ? x[i - 1] : 0, right = i < n - 1 ? x[i + 1] : 0;
            r[i] = (3 - 2 * x[i]) * x[i] - left - 2 * right + 1;
        }
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        jac.Clear();
        for (int i = 0; i < n; i++)
        {
            jac[i * n + i] = 3 - 4 * x[i];
            if (i > 0) jac[i * n + i - 1] = -1;
            if (i < n - 1) jac[i * n + i + 1] = -2;
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        for (int i = 0; i < n; i++) h[i * n + i] += -4 * r[i];
    }
}

/// <summary>MGH 32, linear function of full rank (m ≥ n): f* = m − n at x = (−1, …, −1).</summary>
public sealed class LinearFullRank(int n, int m) : SumOfSquaresProblem
{
    public override string Name => $"Linear full rank n={n} m={m}";
    public override int Dimension => n;
    public override int ResidualCount => m;
    public override double[] Start { get { var s = new double[n]; Array.Fill(s, 1.0); return s; } }
    public override double[] KnownMinima => [m - n];
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        double s = 0;
        for (int j = 0; j < n; j++) s += x[j];
        for (int i = 0; i < m; i++) r[i] = (i < n ? x[i] : 0) - 2.0 / m * s - 1;
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) jac[i * n + j] = (i == j ? 1 : 0) - 2.0 / m;
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h) { }
}

/// <summary>MGH 35, Chebyquad (m = n): f* = 3.51687…e−3 for n = 8 (0 for n ≤ 7 and n = 9).</summary>
public sealed class Chebyquad(int n) : SumOfSquaresProblem
{
    public override string Name => $"Chebyquad n={n}";
    public override int Dimension => n;
    public override int ResidualCount => n;
    public override double[] Start { get { var s = new double[n]; for (int j = 0; j < n; j++) s[j] = (j + 1.0) / (n + 1); return s; } }
    public override double[] KnownMinima => n switch { 8 => [3.51687372568e-3], 10 => [6.50395122e-3], _ => [0.0] };

    // Shifted Chebyshev polynomials Tᵢ(2x − 1) with first and second derivatives in x, for i = 1..n.
    private static void Evaluate(double x, Span<double> t, Span<double> dt, Span<double> d2t)
    {
        double z = 2 * x - 1;
        double tPrev = 1, t0 = z, dPrev = 0, d0 = 1, ddPrev = 0, dd0 = 0;
        for (int i = 1; i <= t.Length; i++)
        {
            t[i - 1] = t0; dt[i - 1] = 2 * d0; d2t[i - 1] = 4 * dd0;
            double tNext = 2 * z * t0 - tPrev, dNext = 2 * t0 + 2 * z * d0 - dPrev, ddNext = 4 * d0 + 2 * z * dd0 - ddPrev;
            tPrev = t0; t0 = tNext; dPrev = d0; d0 = dNext; ddPrev = dd0; dd0 = ddNext;
        }
    }
    private static double Target(int i) => i % 2 == 1 ? 0 : -1.0 / (i * i - 1.0);
    public override void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        Span<double> t = stackalloc double[n], dt = stackalloc double[n], d2t = stackalloc double[n];
        r.Clear();
        for (int j = 0; j < n; j++)
        {
            Evaluate(x[j], t, dt, d2t);
            for (int i = 0; i < n; i++) r[i] += t[i] / n;
        }
        for (int i = 0; i < n; i++) r[i] -= Target(i + 1);
    }
    public override void Jacobian(ReadOnlySpan<double> x, Span<double> jac)
    {
        Span<double> t = stackalloc double[n], dt = stackalloc double[n], d2t = stackalloc double[n];
        for (int j = 0; j < n; j++)
        {
            Evaluate(x[j], t, dt, d2t);
            for (int i = 0; i < n; i++) jac[i * n + j] = dt[i] / n;
        }
    }
    public override void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h)
    {
        Span<double> t = stackalloc double[n], dt = stackalloc double[n], d2t = stackalloc double[n];
        for (int j = 0; j < n; j++)
        {
            Evaluate(x[j], t, dt, d2t);
            double s = 0;
            for (int i = 0; i < n; i++) s += r[i] * d2t[i] / n;
            h[j * n + j] += s;
        }
    }
}
