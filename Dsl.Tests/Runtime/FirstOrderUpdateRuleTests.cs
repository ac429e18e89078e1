using System;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// The fixed-step methods against independent transcriptions of the update rules documented for torch.optim
/// (SGD, Adagrad, RMSprop, Adam, AdamW), step by step on f(x) = ½xᵀAx − bᵀx, to 1e−12.
/// </summary>
public class FirstOrderUpdateRuleTests
{
    private sealed class Quadratic : IGradientProblem
    {
        public static readonly double[,] A = { { 4, 1, 0.5 }, { 1, 3, -0.2 }, { 0.5, -0.2, 2 } };
        public static readonly double[] B = [1, -2, 0.5];
        public int Dimension => 3;
        public double Objective(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++) f += 0.5 * x[i] * A[i, j] * x[j];
                f -= B[i] * x[i];
            }
            return f;
        }
        public double Gradient(ReadOnlySpan<double> x, Span<double> g)
        {
            for (int i = 0; i < 3; i++)
            {
                g[i] = -B[i];
                for (int j = 0; j < 3; j++) g[i] += A[i, j] * x[j];
            }
            return Objective(x);
        }
        public static double[] Grad(double[] x)
        {
            var g = new double[3];
            new Quadratic().Gradient(x, g);
            return g;
        }
    }

    private static readonly double[] X0 = [1.5, -0.7, 2.0];
    private const int Steps = 8;

    private static SolveOptions StepsOnly(int k) => new() { MaxIterations = k, GradientTolerance = 0, StepTolerance = 0 };

    /// <summary>Runs the solver for k = 1..Steps iterations and compares each final point with the reference after k steps.</summary>
    private static void AssertMatches(Func<int, SolveResult> solve, Func<int, double[]> reference)
    {
        for (int k = 1; k <= Steps; k++)
        {
            var r = solve(k);
            Assert.Equal(SolveStatus.MaxIterations, r.Status);
            Assert.Equal(k, r.Iterations);
            var expected = reference(k);
            for (int i = 0; i < 3; i++)
                Assert.True(Math.Abs(r.X[i] - expected[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                    $"step {k}, x[{i}]: solver {r.X[i]:R}, reference {expected[i]:R}");
        }
    }

    // torch.optim.SGD documented algorithm.
    private static double[] Sgd(int steps, double lr, double mu, double tau, double lambda, bool nesterov)
    {
        var theta = (double[])X0.Clone();
        var b = new double[3];
        for (int t = 1; t <= steps; t++)
        {
            var g = Quadratic.Grad(theta);
            for (int i = 0; i < 3; i++)
            {
                double gi = g[i];
                if (lambda != 0) gi += lambda * theta[i];
                if (mu != 0)
                {
                    b[i] = t > 1 ? mu * b[i] + (1 - tau) * gi : gi;
                    gi = nesterov ? gi + mu * b[i] : b[i];
                }
                g[i] = gi;
            }
            for (int i = 0; i < 3; i++) theta[i] -= lr * g[i];
        }
        return theta;
    }

    [Fact]
    public void Gd_fixed_step_is_x_minus_lr_times_gradient() =>
        AssertMatches(k => new GradientDescentSolver { LearningRate = 0.05 }.Minimize(new Quadratic(), X0, StepsOnly(k)),
            k => Sgd(k, 0.05, 0, 0, 0, false));

    [Theory]
    [InlineData(0.01, 0.9, 0.0, 0.0)]
    [InlineData(0.05, 0.5, 0.3, 0.1)]
    public void Momentum_matches_torch_sgd(double lr, double mu, double dampening, double weightDecay) =>
        AssertMatches(k => new MomentumSolver { LearningRate = lr, Momentum = mu, Dampening = dampening, WeightDecay = weightDecay }.Minimize(new Quadratic(), X0, StepsOnly(k)),
            k => Sgd(k, lr, mu, dampening, weightDecay, false));

    [Theory]
    [InlineData(0.01, 0.9, 0.0)]
    [InlineData(0.05, 0.7, 0.2)]
    public void Nesterov_matches_torch_sgd_with_nesterov(double lr, double mu, double weightDecay) =>
        AssertMatches(k => new MomentumSolver { LearningRate = lr, Momentum = mu, WeightDecay = weightDecay, Nesterov = true }.Minimize(new Quadratic(), X0, StepsOnly(k)),
            k => Sgd(k, lr, mu, 0, weightDecay, true));

    [Fact]
    public void Momentum_defaults_are_torch_defaults_with_lr_0_01()
    {
        var s = new MomentumSolver();
        Assert.Equal((0.01, 0.9, false, 0.0, 0.0), (s.LearningRate, s.Momentum, s.Nesterov, s.Dampening, s.WeightDecay));
    }

    // torch.optim.Adagrad documented algorithm.
    private static double[] Adagrad(int steps, double lr, double lrDecay, double lambda, double initial, double eps)
    {
        var theta = (double[])X0.Clone();
        var sum = new[] { initial, initial, initial };
        for (int t = 1; t <= steps; t++)
        {
            var g = Quadratic.Grad(theta);
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < 3; i++)
            {
                double gi = g[i] + lambda * theta[i];
                sum[i] += gi * gi;
                theta[i] -= clr * gi / (Math.Sqrt(sum[i]) + eps);
            }
        }
        return theta;
    }

    [Theory]
    [InlineData(0.01, 0.0, 0.0, 0.0, 1e-10)]
    [InlineData(0.3, 0.1, 0.05, 0.5, 1e-3)]
    public void Adagrad_matches_torch(double lr, double lrDecay, double weightDecay, double initial, double eps) =>
        AssertMatches(k => new AdagradSolver { LearningRate = lr, LrDecay = lrDecay, WeightDecay = weightDecay, InitialAccumulatorValue = initial, Eps = eps }.Minimize(new Quadratic(), X0, StepsOnly(k)),
            k => Adagrad(k, lr, lrDecay, weightDecay, initial, eps));

    // torch.optim.RMSprop documented algorithm.
    private static double[] Rmsprop(int steps, double lr, double alpha, double eps, double lambda, double mu, bool centered)
    {
        var theta = (double[])X0.Clone();
        var v = new double[3];
        var b = new double[3];
        var gAve = new double[3];
        for (int t = 1; t <= steps; t++)
        {
            var g = Quadratic.Grad(theta);
            for (int i = 0; i < 3; i++)
            {
                double gi = g[i] + lambda * theta[i];
                v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
                double vt = v[i];
                if (centered)
                {
                    gAve[i] = gAve[i] * alpha + (1 - alpha) * gi;
                    vt -= gAve[i] * gAve[i];
                }
                if (mu > 0)
                {
                    b[i] = mu * b[i] + gi / (Math.Sqrt(vt) + eps);
                    theta[i] -= lr * b[i];
                }
                else
                {
                    theta[i] -= lr * gi / (Math.Sqrt(vt) + eps);
                }
            }
        }
        return theta;
    }

    [Theory]
    [InlineData(0.01, 0.99, 1e-8, 0.0, 0.0, false)]
    [InlineData(0.02, 0.9, 1e-3, 0.1, 0.0, false)]
    [InlineData(0.01, 0.9, 1e-8, 0.0, 0.8, false)]
    [InlineData(0.01, 0.9, 1e-6, 0.05, 0.0, true)]
    [InlineData(0.005, 0.95, 1e-8, 0.05, 0.6, true)]
    public void Rmsprop_matches_torch(double lr, double alpha, double eps, double weightDecay, double momentum, bool centered) =>
        AssertMatches(k => new RmspropSolver { LearningRate = lr, Alpha = alpha, Eps = eps, WeightDecay = weightDecay, MomentumFactor = momentum, Centered = centered }.Minimize(new Quadratic(), X0, StepsOnly(k)),
            k => Rmsprop(k, lr, alpha, eps, weightDecay, momentum, centered));

    // torch.optim.Adam / AdamW documented algorithms (AMSGrad: v_max = max(v_max, v_t), v̂ = v_max / (1 − β₂ᵗ)).
    private static double[] Adam(int steps, double lr, double beta1, double beta2, double eps, double lambda, bool amsgrad, bool decoupled)
    {
        var theta = (double[])X0.Clone();
        var m = new double[3];
        var v = new double[3];
        var vMax = new double[3];
        for (int t = 1; t <= steps; t++)
        {
            var g = Quadratic.Grad(theta);
            for (int i = 0; i < 3; i++)
            {
                double gi = g[i];
                if (decoupled) theta[i] -= lr * lambda * theta[i];
                else gi += lambda * theta[i];
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
                double mHat = m[i] / (1 - Math.Pow(beta1, t));
                double vHat;
                if (amsgrad)
                {
                    vMax[i] = Math.Max(vMax[i], v[i]);
                    vHat = vMax[i] / (1 - Math.Pow(beta2, t));
                }
                else
                {
                    vHat = v[i] / (1 - Math.Pow(beta2, t));
                }
                theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        return theta;
    }

    [Theory]
    [InlineData(0.001, 0.9, 0.999, 1e-8, 0.0, false)]
    [InlineData(0.1, 0.8, 0.99, 1e-3, 0.0, false)]
    [InlineData(0.1, 0.9, 0.999, 1e-8, 0.1, false)]
    [InlineData(0.2, 0.5, 0.6, 1e-8, 0.0, true)]
    [InlineData(0.1, 0.9, 0.99, 1e-4, 0.05, true)]
    public void Adam_matches_torch(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad) =>
        AssertMatches(k => new AdamSolver { LearningRate = lr, Beta1 = beta1, Beta2 = beta2, Eps = eps, WeightDecay = weightDecay, Amsgrad = amsgrad }.Minimize(new Quadratic(), X0, StepsOnly(k)),
            k => Adam(k, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: false));

    [Theory]
    [InlineData(0.001, 0.9, 0.999, 1e-8, 0.01, false)]
    [InlineData(0.1, 0.9, 0.999, 1e-8, 0.5, false)]
    [InlineData(0.2, 0.5, 0.6, 1e-6, 0.3, true)]
    public void AdamW_matches_torch(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad) =>
        AssertMatches(k => new AdamWSolver { LearningRate = lr, Beta1 = beta1, Beta2 = beta2, Eps = eps, WeightDecay = weightDecay, Amsgrad = amsgrad }.Minimize(new Quadratic(), X0, StepsOnly(k)),
            k => Adam(k, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true));

    [Fact]
    public void Defaults_are_the_torch_defaults()
    {
        var adagrad = new AdagradSolver();
        Assert.Equal((0.01, 0.0, 0.0, 0.0, 1e-10), (adagrad.LearningRate, adagrad.LrDecay, adagrad.WeightDecay, adagrad.InitialAccumulatorValue, adagrad.Eps));
        var rms = new RmspropSolver();
        Assert.Equal((0.01, 0.99, 1e-8, 0.0, 0.0, false), (rms.LearningRate, rms.Alpha, rms.Eps, rms.WeightDecay, rms.MomentumFactor, rms.Centered));
        var adam = new AdamSolver();
        Assert.Equal((0.001, 0.9, 0.999, 1e-8, 0.0, false), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Eps, adam.WeightDecay, adam.Amsgrad));
        var adamw = new AdamWSolver();
        Assert.Equal((0.001, 0.9, 0.999, 1e-8, 0.01, false), (adamw.LearningRate, adamw.Beta1, adamw.Beta2, adamw.Eps, adamw.WeightDecay, adamw.Amsgrad));
        var gd = new GradientDescentSolver();
        Assert.Null(gd.LearningRate);
        Assert.Null(gd.LineSearch);
        Assert.Equal(10, new LbfgsSolver().Memory);
    }

    [Fact]
    public void Projected_first_order_steps_clip_every_iterate_into_the_box()
    {
        // Adam with a box that cuts the path: reference = torch update followed by clamping.
        var lower = new[] { 1.2, -1.0, 1.9 };
        var upper = new[] { 2.0, -0.6, 2.5 };
        var bounds = new Bounds(lower, upper);
        for (int k = 1; k <= Steps; k++)
        {
            var r = new AdamSolver { LearningRate = 0.2 }.Minimize(new Quadratic(), X0, StepsOnly(k), bounds);
            var theta = (double[])X0.Clone();
            var m = new double[3];
            var v = new double[3];
            for (int t = 1; t <= k; t++)
            {
                var g = Quadratic.Grad(theta);
                for (int i = 0; i < 3; i++)
                {
                    m[i] = 0.9 * m[i] + 0.1 * g[i];
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                    theta[i] -= 0.2 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
                    theta[i] = Math.Clamp(theta[i], lower[i], upper[i]);
                }
            }
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(r.X[i] - theta[i]) <= 1e-12, $"step {k}, x[{i}]");
        }
    }

    [Theory]
    [InlineData("momentum", 1e-8)]
    [InlineData("nesterov", 1e-8)]
    [InlineData("adagrad", 1e-8)]
    [InlineData("adam", 1e-8)]
    [InlineData("adamw", 1e-8)]
    [InlineData("gd", 1e-8)]
    // With a constant learning rate RMSprop's step g/√v stays O(1)·lr near the optimum (v tracks g²), so it only
    // reaches an lr-sized neighbourhood: the tolerance is scaled to lr = 1e−4.
    [InlineData("rmsprop", 2e-3)]
    public void First_order_methods_converge_on_the_quadratic(string solver, double tolerance)
    {
        // x* = A⁻¹b; AdamW's decoupled decay moves the fixed point, so it runs without decay here.
        var q = new Quadratic();
        var options = new SolveOptions { GradientTolerance = tolerance, MaxIterations = 200_000, RecordHistory = false };
        SolveResult r = solver switch
        {
            "momentum" => new MomentumSolver().Minimize(q, X0, options),
            "nesterov" => new MomentumSolver { Nesterov = true }.Minimize(q, X0, options),
            "adagrad" => new AdagradSolver { LearningRate = 0.5 }.Minimize(q, X0, options),
            "rmsprop" => new RmspropSolver { LearningRate = 1e-4 }.Minimize(q, X0, options),
            "adam" => new AdamSolver { LearningRate = 0.01 }.Minimize(q, X0, options),
            "adamw" => new AdamWSolver { LearningRate = 0.01, WeightDecay = 0 }.Minimize(q, X0, options),
            _ => new GradientDescentSolver().Minimize(q, X0, options),
        };
        Assert.True(SolveStatus.Converged == r.Status, r.ToString());
        Assert.Equal(solver, r.Solver);
        // The test is relative to max(|f|, s₀) (f* ≈ −1.05 here, f(x₀) = 0).
        var g = Quadratic.Grad(r.X);
        Assert.True(Math.Max(Math.Abs(g[0]), Math.Max(Math.Abs(g[1]), Math.Abs(g[2]))) <= tolerance * Math.Max(1, Math.Abs(r.Objective)), r.ToString());
        Assert.True(r.OptimalityError <= tolerance, r.ToString());
        Assert.True(Math.Abs(r.GradientNorm - Math.Max(Math.Abs(g[0]), Math.Max(Math.Abs(g[1]), Math.Abs(g[2])))) <= 1e-15);
    }
}
