using System;
using System.Linq;
using OptDsl.Runtime;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// Every derivative a generated class offers, checked at one point against independent references: the gradient and the
/// Jacobians against Richardson-extrapolated central differences of the functions themselves, the Hessians against
/// differences of the (already checked) gradients, Hessian-vector products against Hessian·v.
/// </summary>
public static class ProblemChecks
{
    public static void AllDerivatives(object problem, double[] x, string what, double tolerance = 1e-7)
    {
        var p = (ISecondOrderProblem)problem;
        int n = x.Length;
        var g = new double[n];
        double f = p.Gradient(x, g);
        Assert(Math.Abs(f - p.Objective(x)) <= 1e-12 * Math.Max(1, Math.Abs(f)), $"{what}: Gradient returns {f:R}, Objective {p.Objective(x):R}");
        Derivatives.AssertClose(Derivatives.Gradient(y => p.Objective(y), x), g, tolerance, what + " gradient", Derivatives.GradientNoise(f, x));

        var h = new double[n * n];
        p.Hessian(x, h);
        Derivatives.AssertClose(Derivatives.HessianFromGradient(p, x), h, 10 * tolerance, what + " Hessian");
        var v = Enumerable.Range(0, n).Select(k => 0.3 + 0.1 * k * (k % 2 == 0 ? 1 : -1)).ToArray();
        var hv = new double[n];
        p.HessianVectorProduct(x, v, hv);
        Derivatives.AssertClose(MatVec(h, v, n), hv, 1e-10, what + " Hessian-vector product");

        if (problem is IConstrainedProblem c)
        {
            int m = c.ConstraintCount;
            var jacobian = new double[m * n];
            c.ConstraintJacobian(x, jacobian);
            for (int r = 0; r < m; r++)
            {
                int row = r;
                var fd = Derivatives.Gradient(y => { var values = new double[m]; c.Constraints(y, values); return values[row]; }, x);
                Derivatives.AssertClose(fd, jacobian.Skip(r * n).Take(n).ToArray(), tolerance, $"{what} constraint Jacobian row {r}");
            }
            var lambda = Enumerable.Range(0, m).Select(k => 0.5 - 0.25 * k).ToArray();
            var lg = new double[n];
            c.LagrangianGradient(x, lambda, lg);
            double Lagrangian(double[] y)
            {
                var values = new double[m];
                c.Constraints(y, values);
                return c.Objective(y) + values.Select((value, k) => lambda[k] * value).Sum();
            }
            Derivatives.AssertClose(Derivatives.Gradient(Lagrangian, x), lg, tolerance, what + " Lagrangian gradient");
            var lh = new double[n * n];
            c.LagrangianHessian(x, lambda, lh);
            var reference = new double[n * n];
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    int jj = j, ii = i;
                    reference[i * n + j] = Derivatives.Differentiate(t =>
                    {
                        var y = (double[])x.Clone();
                        y[jj] += t;
                        var gy = new double[n];
                        c.LagrangianGradient(y, lambda, gy);
                        return gy[ii];
                    }, 1e-3 * Math.Max(1, Math.Abs(x[j])));
                }
            Derivatives.AssertClose(reference, lh, 10 * tolerance, what + " Lagrangian Hessian");
            var lhv = new double[n];
            c.LagrangianHessianVectorProduct(x, lambda, v, lhv);
            Derivatives.AssertClose(MatVec(lh, v, n), lhv, 1e-10, what + " Lagrangian Hessian-vector product");
        }

        if (problem is ILeastSquaresProblem ls)
        {
            int m = ls.ResidualCount;
            var r = new double[m];
            ls.Residuals(x, r);
            double sum = r.Sum(t => t * t);
            Assert(Math.Abs(sum - f) <= 1e-10 * Math.Max(1, Math.Abs(f)), $"{what}: Σ r² = {sum:R} but the objective is {f:R}");
            var jacobian = new double[m * n];
            ls.Jacobian(x, jacobian);
            for (int k = 0; k < m; k++)
            {
                int row = k;
                var fd = Derivatives.Gradient(y => { var values = new double[m]; ls.Residuals(y, values); return values[row]; }, x);
                Derivatives.AssertClose(fd, jacobian.Skip(k * n).Take(n).ToArray(), tolerance, $"{what} residual Jacobian row {k}");
            }
        }
    }

    private static double[] MatVec(double[] a, double[] v, int n) =>
        Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Sum(j => a[i * n + j] * v[j])).ToArray();

    private static void Assert(bool condition, string message)
    {
        if (!condition) throw new Xunit.Sdk.XunitException(message);
    }
}
