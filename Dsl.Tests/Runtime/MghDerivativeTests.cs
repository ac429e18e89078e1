using System;
using System.Linq;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>The hand-written Jacobians and Hessians of the MGH set agree with central differences.</summary>
public class MghDerivativeTests
{
    public static TheoryData<string> Names => new(MoreGarbowHillstrom.All().Select(p => p.Name));

    /// <summary>Evaluation points: the start and two deterministic perturbations of it.</summary>
    private static double[][] Points(SumOfSquaresProblem p)
    {
        var start = p.Start;
        var a = start.Select((v, i) => v + 0.02 * (1 + Math.Abs(v)) * Math.Sin(1.3 * i + 0.7)).ToArray();
        var b = start.Select((v, i) => v - 0.01 * (1 + Math.Abs(v)) * Math.Cos(2.1 * i + 0.3)).ToArray();
        return [start, a, b];
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Jacobian_matches_central_differences(string name)
    {
        var p = MoreGarbowHillstrom.ByName(name);
        int n = p.Dimension, m = p.ResidualCount;
        foreach (var x in Points(p))
        {
            var jac = new double[m * n];
            p.Jacobian(x, jac);
            var rp = new double[m];
            var rm = new double[m];
            for (int j = 0; j < n; j++)
            {
                double h = 1e-6 * Math.Max(1, Math.Abs(x[j]));
                var xp = (double[])x.Clone(); xp[j] += h;
                var xm = (double[])x.Clone(); xm[j] -= h;
                p.Residuals(xp, rp);
                p.Residuals(xm, rm);
                for (int i = 0; i < m; i++)
                {
                    double fd = (rp[i] - rm[i]) / (2 * h);
                    double scale = Math.Max(1, Math.Max(Math.Abs(fd), Math.Abs(jac[i * n + j])));
                    double rounding = 1e-13 * (Math.Abs(rp[i]) + Math.Abs(rm[i])) / h;
                    Assert.True(Math.Abs(fd - jac[i * n + j]) <= 1e-5 * scale + rounding,
                        $"{name}: dr[{i}]/dx[{j}] = {jac[i * n + j]} but central difference gives {fd}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Hessian_matches_central_differences_of_the_gradient(string name)
    {
        var p = MoreGarbowHillstrom.ByName(name);
        int n = p.Dimension;
        foreach (var x in Points(p))
        {
            var hess = new double[n * n];
            p.Hessian(x, hess);
            var gp = new double[n];
            var gm = new double[n];
            double hmax = hess.Max(Math.Abs);
            for (int j = 0; j < n; j++)
            {
                double h = 1e-6 * Math.Max(1, Math.Abs(x[j]));
                var xp = (double[])x.Clone(); xp[j] += h;
                var xm = (double[])x.Clone(); xm[j] -= h;
                p.Gradient(xp, gp);
                p.Gradient(xm, gm);
                for (int i = 0; i < n; i++)
                {
                    double fd = (gp[i] - gm[i]) / (2 * h);
                    double scale = Math.Max(1, Math.Max(Math.Abs(fd), Math.Max(Math.Abs(hess[i * n + j]), 1e-6 * hmax)));
                    double rounding = 1e-13 * (Math.Abs(gp[i]) + Math.Abs(gm[i])) / h;
                    Assert.True(Math.Abs(fd - hess[i * n + j]) <= 1e-4 * scale + rounding,
                        $"{name}: H[{i},{j}] = {hess[i * n + j]} but central difference gives {fd}");
                }
            }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++)
                    Assert.True(Math.Abs(hess[i * n + j] - hess[j * n + i]) <= 1e-12 * Math.Max(1, Math.Abs(hess[i * n + j])), $"{name}: Hessian not symmetric at ({i},{j})");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_is_twice_J_transpose_r_and_returns_f(string name)
    {
        var p = MoreGarbowHillstrom.ByName(name);
        int n = p.Dimension;
        var x = p.Start;
        var g = new double[n];
        double f = p.Gradient(x, g);
        Assert.Equal(p.Objective(x), f);
        for (int j = 0; j < n; j++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x[j]));
            var xp = (double[])x.Clone(); xp[j] += h;
            var xm = (double[])x.Clone(); xm[j] -= h;
            double fd = (p.Objective(xp) - p.Objective(xm)) / (2 * h);
            Assert.True(Math.Abs(fd - g[j]) <= 1e-5 * Math.Max(1, Math.Abs(fd)), $"{name}: g[{j}] = {g[j]}, central difference {fd}");
        }
    }
}
