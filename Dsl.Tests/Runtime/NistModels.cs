using System;
using OptDsl.Runtime;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// A NIST regression as least squares: rᵢ = yᵢ − f(xᵢ; b), with f and ∂f/∂b written by hand per model
/// (the Jacobian is −∂f/∂b). Also a gradient problem (Σr², ∇ = 2Jᵀr) for the quasi-Newton solvers.
/// </summary>
public sealed class NistProblem : ILeastSquaresProblem, IGradientProblem
{
    private readonly NistDataset _data;
    private readonly ModelFunction _model;
    private readonly double[] _r, _j, _df;

    /// <summary>f(x; b) into the return value and ∂f/∂b into <c>df</c>.</summary>
    public delegate double ModelFunction(double x, ReadOnlySpan<double> b, Span<double> df);

    public NistProblem(NistDataset data)
    {
        _data = data;
        _model = ModelFor(data.Name);
        _r = new double[data.Y.Length];
        _j = new double[data.Y.Length * data.Parameters.Count];
        _df = new double[data.Parameters.Count];
    }

    public NistDataset Data => _data;
    public int Dimension => _data.Parameters.Count;
    public int ResidualCount => _data.Y.Length;

    public void Residuals(ReadOnlySpan<double> b, Span<double> residuals)
    {
        for (int i = 0; i < _data.Y.Length; i++) residuals[i] = _data.Y[i] - _model(_data.X[i], b, _df);
    }

    public void Jacobian(ReadOnlySpan<double> b, Span<double> jacobian)
    {
        int n = Dimension;
        for (int i = 0; i < _data.Y.Length; i++)
        {
            _model(_data.X[i], b, _df);
            for (int k = 0; k < n; k++) jacobian[i * n + k] = -_df[k];
        }
    }

    public double Objective(ReadOnlySpan<double> b)
    {
        Residuals(b, _r);
        double s = 0;
        foreach (double v in _r) s += v * v;
        return s;
    }

    public double Gradient(ReadOnlySpan<double> b, Span<double> gradient)
    {
        int n = Dimension;
        Residuals(b, _r);
        Jacobian(b, _j);
        gradient.Clear();
        double s = 0;
        for (int i = 0; i < _r.Length; i++)
        {
            s += _r[i] * _r[i];
            for (int k = 0; k < n; k++) gradient[k] += 2 * _j[i * n + k] * _r[i];
        }
        return s;
    }

    /// <summary>The hand-written model of each dataset (the model line of its file is quoted above each).</summary>
    public static ModelFunction ModelFor(string name) => name switch
    {
        // y = b1*(1-exp[-b2*x])
        "Misra1a" or "BoxBOD" => static (x, b, df) =>
        {
            double e = Math.Exp(-b[1] * x);
            df[0] = 1 - e;
            df[1] = b[0] * x * e;
            return b[0] * (1 - e);
        },
        // y = exp(-b1*x)/(b2+b3*x)
        "Chwirut2" => static (x, b, df) =>
        {
            double d = b[1] + b[2] * x, f = Math.Exp(-b[0] * x) / d;
            df[0] = -x * f;
            df[1] = -f / d;
            df[2] = -x * f / d;
            return f;
        },
        // y = (b1 + b2*x + b3*x**2 + b4*x**3) / (1 + b5*x + b6*x**2 + b7*x**3)
        "Thurber" => static (x, b, df) =>
        {
            double x2 = x * x, x3 = x2 * x;
            double num = b[0] + b[1] * x + b[2] * x2 + b[3] * x3, den = 1 + b[4] * x + b[5] * x2 + b[6] * x3;
            df[0] = 1 / den; df[1] = x / den; df[2] = x2 / den; df[3] = x3 / den;
            double q = num / (den * den);
            df[4] = -q * x; df[5] = -q * x2; df[6] = -q * x3;
            return num / den;
        },
        // y = b1*(x**2+x*b2) / (x**2+x*b3+b4)
        "MGH09" => static (x, b, df) =>
        {
            double num = x * x + x * b[1], den = x * x + x * b[2] + b[3];
            df[0] = num / den;
            df[1] = b[0] * x / den;
            df[2] = -b[0] * num * x / (den * den);
            df[3] = -b[0] * num / (den * den);
            return b[0] * num / den;
        },
        // y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)
        "Lanczos3" => static (x, b, df) =>
        {
            double f = 0;
            for (int k = 0; k < 6; k += 2)
            {
                double e = Math.Exp(-b[k + 1] * x);
                df[k] = e;
                df[k + 1] = -x * b[k] * e;
                f += b[k] * e;
            }
            return f;
        },
        // y = b1 / ((1+exp[b2-b3*x])**(1/b4))
        "Rat43" => static (x, b, df) =>
        {
            double e = Math.Exp(b[1] - b[2] * x), u = 1 + e, p = Math.Pow(u, -1 / b[3]), f = b[0] * p;
            df[0] = p;
            df[1] = -f * e / (b[3] * u);
            df[2] = f * x * e / (b[3] * u);
            df[3] = f * Math.Log(u) / (b[3] * b[3]);
            return f;
        },
        // y = b1 * (b2+x)**(-1/b3)
        "Bennett5" => static (x, b, df) =>
        {
            double s = b[1] + x, p = Math.Pow(s, -1 / b[2]), f = b[0] * p;
            df[0] = p;
            df[1] = -f / (b[2] * s);
            df[2] = f * Math.Log(s) / (b[2] * b[2]);
            return f;
        },
        // y = (b1/b2) * exp[-0.5*((x-b3)/b2)**2]
        "Eckerle4" => static (x, b, df) =>
        {
            double z = (x - b[2]) / b[1], e = Math.Exp(-0.5 * z * z), f = b[0] / b[1] * e;
            df[0] = e / b[1];
            df[1] = b[0] / (b[1] * b[1]) * e * (z * z - 1);
            df[2] = b[0] * z * e / (b[1] * b[1]);
            return f;
        },
        _ => throw new ArgumentException($"No model written for NIST dataset {name}.", nameof(name)),
    };
}
