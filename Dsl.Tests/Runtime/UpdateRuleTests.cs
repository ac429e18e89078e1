using System;
using System.Linq;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// The public update rules driven step by step, as a training loop drives them batch by batch: a different gradient and a
/// different learning rate at every step (0 included), each step compared with an independent transcription of the
/// documented formula (torch.optim's SGD, Adagrad, RMSprop, Adam, AdamW; Adam written with the bias-corrected moments
/// m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)), to 1e−12, together with the rule's exposed state and step count.
/// </summary>
public class UpdateRuleTests
{
    private const int N = 3;
    private const int Steps = 9;

    /// <summary>The learning rate of each step (a schedule with a warm-up, a zero and a decay).</summary>
    private static readonly double[] s_learningRates = [0.01, 0.05, 0.2, 0.0, 0.1, 0.03, 0.3, 0.07, 0.001];

    private static readonly double[] s_start = [1.5, -0.7, 2.0];

    /// <summary>The gradient of each step: a fresh "batch" gradient, of varied size and sign.</summary>
    private static double[][] Gradients()
    {
        var random = new Random(42);
        return Enumerable.Range(0, Steps)
            .Select(t => Enumerable.Range(0, N).Select(_ => (2 * random.NextDouble() - 1) * Math.Pow(10, random.Next(-2, 2))).ToArray())
            .ToArray();
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private static void AssertClose(double[] expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"{what}[{i}]");
    }

    /// <summary>
    /// Drives <paramref name="rule"/> through the steps; after each, <paramref name="reference"/> takes the same step on
    /// its own copy and the two points are compared, then <paramref name="state"/> compares the buffers.
    /// </summary>
    private static void Drive<TRule>(TRule rule, Action<int, double[], double[], double> reference, Action<TRule, int>? state = null)
        where TRule : UpdateRule
    {
        var gradients = Gradients();
        var x = (double[])s_start.Clone();
        var expected = (double[])s_start.Clone();
        Assert.Equal(0, rule.StepCount);
        for (int t = 1; t <= Steps; t++)
        {
            double lr = s_learningRates[t - 1];
            rule.Step(x, gradients[t - 1], lr);
            reference(t, expected, gradients[t - 1], lr);
            Assert.Equal(t, rule.StepCount);
            AssertClose(expected, x, $"step {t}, x");
            state?.Invoke(rule, t);
        }
    }

    [Fact]
    public void Gradient_descent_is_x_minus_lr_times_gradient() =>
        Drive(new GradientDescentRule(N), (t, x, g, lr) =>
        {
            for (int i = 0; i < N; i++) x[i] -= lr * g[i];
        });

    [Theory]
    [InlineData(0.9, 0.0, 0.0, false)]
    [InlineData(0.5, 0.3, 0.1, false)]
    [InlineData(0.9, 0.0, 0.0, true)]
    [InlineData(0.7, 0.0, 0.2, true)]
    [InlineData(0.0, 0.0, 0.1, false)]
    public void Momentum_follows_torch_sgd(double mu, double tau, double lambda, bool nesterov)
    {
        var b = new double[N];
        Drive(new MomentumRule(N, mu, tau, lambda, nesterov), (t, x, g, lr) =>
        {
            var d = new double[N];
            for (int i = 0; i < N; i++)
            {
                double gi = g[i] + lambda * x[i];
                if (mu != 0)
                {
                    b[i] = t > 1 ? mu * b[i] + (1 - tau) * gi : gi;
                    gi = nesterov ? gi + mu * b[i] : b[i];
                }
                d[i] = gi;
            }
            for (int i = 0; i < N; i++) x[i] -= lr * d[i];
        }, (rule, t) => AssertClose(mu != 0 ? b : new double[N], rule.MomentumBuffer, $"step {t}, momentum buffer"));
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0, 1e-10)]
    [InlineData(0.1, 0.05, 0.5, 1e-3)]
    public void Adagrad_follows_torch(double eta, double lambda, double initial, double eps)
    {
        var sum = Enumerable.Repeat(initial, N).ToArray();
        Drive(new AdagradRule(N, eta, lambda, initial, eps), (t, x, g, lr) =>
        {
            double clr = lr / (1 + (t - 1) * eta);
            for (int i = 0; i < N; i++)
            {
                double gi = g[i] + lambda * x[i];
                sum[i] += gi * gi;
                x[i] -= clr * gi / (Math.Sqrt(sum[i]) + eps);
            }
        }, (rule, t) => AssertClose(sum, rule.SquaredGradientSum, $"step {t}, squared-gradient sum"));
    }

    [Theory]
    [InlineData(0.99, 1e-8, 0.0, 0.0, false)]
    [InlineData(0.9, 1e-6, 0.05, 0.5, false)]
    [InlineData(0.8, 1e-8, 0.0, 0.3, true)]
    [InlineData(0.95, 1e-8, 0.1, 0.0, true)]
    public void Rmsprop_follows_torch(double alpha, double eps, double lambda, double mu, bool centered)
    {
        var v = new double[N];
        var gAve = new double[N];
        var b = new double[N];
        Drive(new RmspropRule(N, alpha, eps, lambda, mu, centered), (t, x, g, lr) =>
        {
            for (int i = 0; i < N; i++)
            {
                double gi = g[i] + lambda * x[i];
                v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
                double vTilde = v[i];
                if (centered)
                {
                    gAve[i] = alpha * gAve[i] + (1 - alpha) * gi;
                    vTilde -= gAve[i] * gAve[i];
                }
                if (mu > 0)
                {
                    b[i] = mu * b[i] + gi / (Math.Sqrt(vTilde) + eps);
                    x[i] -= lr * b[i];
                }
                else
                {
                    x[i] -= lr * gi / (Math.Sqrt(vTilde) + eps);
                }
            }
        }, (rule, t) =>
        {
            AssertClose(v, rule.SquareAverage, $"step {t}, square average");
            AssertClose(gAve, rule.GradientAverage, $"step {t}, gradient average");
            AssertClose(b, rule.MomentumBuffer, $"step {t}, momentum buffer");
        });
    }

    /// <summary>Adam as in Kingma &amp; Ba's Algorithm 1, with torch's coupled weight decay, AdamW's decoupled one and AMSGrad.</summary>
    private static Action<int, double[], double[], double> AdamReference(double beta1, double beta2, double eps, double lambda, bool amsgrad, bool decoupled,
        double[] m, double[] v, double[] vMax) => (t, x, g, lr) =>
    {
        for (int i = 0; i < N; i++)
        {
            double gi = g[i];
            if (decoupled) x[i] -= lr * lambda * x[i];
            else gi += lambda * x[i];
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            vMax[i] = amsgrad ? Math.Max(vMax[i], v[i]) : 0;
            double mHat = m[i] / (1 - Math.Pow(beta1, t));
            double vHat = (amsgrad ? vMax[i] : v[i]) / (1 - Math.Pow(beta2, t));
            x[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
        }
    };

    [Theory]
    [InlineData(0.9, 0.999, 1e-8, 0.0, false)]
    [InlineData(0.8, 0.99, 1e-6, 0.05, false)]
    [InlineData(0.9, 0.999, 1e-8, 0.0, true)]
    [InlineData(0.5, 0.9, 1e-8, 0.1, true)]
    public void Adam_follows_the_bias_corrected_formula(double beta1, double beta2, double eps, double lambda, bool amsgrad)
    {
        double[] m = new double[N], v = new double[N], vMax = new double[N];
        Drive(new AdamRule(N, beta1, beta2, eps, lambda, amsgrad), AdamReference(beta1, beta2, eps, lambda, amsgrad, decoupled: false, m, v, vMax), (rule, t) =>
        {
            AssertClose(m, rule.FirstMoment, $"step {t}, first moment");
            AssertClose(v, rule.SecondMoment, $"step {t}, second moment");
            AssertClose(vMax, rule.MaxSecondMoment, $"step {t}, max second moment");
        });
    }

    [Theory]
    [InlineData(0.9, 0.999, 1e-8, 0.01, false)]
    [InlineData(0.8, 0.99, 1e-6, 0.3, true)]
    public void AdamW_decays_the_weights_before_the_adam_step(double beta1, double beta2, double eps, double lambda, bool amsgrad)
    {
        double[] m = new double[N], v = new double[N], vMax = new double[N];
        Drive(new AdamWRule(N, beta1, beta2, eps, lambda, amsgrad), AdamReference(beta1, beta2, eps, lambda, amsgrad, decoupled: true, m, v, vMax), (rule, t) =>
        {
            AssertClose(m, rule.FirstMoment, $"step {t}, first moment");
            AssertClose(v, rule.SecondMoment, $"step {t}, second moment");
            AssertClose(vMax, rule.MaxSecondMoment, $"step {t}, max second moment");
        });
    }

    [Fact]
    public void Adams_first_step_moves_each_coordinate_by_about_the_learning_rate()
    {
        // Bias correction: after one step m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε), whatever β₁ and β₂ are.
        var rule = new AdamRule(N, beta1: 0.9, beta2: 0.999);
        var x = new double[N];
        double[] g = [3e-3, -40.0, 0.5];
        rule.Step(x, g, 0.25);
        for (int i = 0; i < N; i++) AssertClose(-0.25 * g[i] / (Math.Abs(g[i]) + 1e-8), x[i], $"x[{i}]");
        AssertClose([0.1 * g[0], 0.1 * g[1], 0.1 * g[2]], rule.FirstMoment, "m after one step (not bias-corrected)");
    }

    public static TheoryData<string> RuleNames() => new(["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]);

    private static UpdateRule Create(string name) => name switch
    {
        "gd" => new GradientDescentRule(N),
        "momentum" => new MomentumRule(N, 0.8, 0.1, 0.05),
        "nesterov" => new MomentumRule(N, 0.8, nesterov: true),
        "adagrad" => new AdagradRule(N, 0.1, 0.05, 0.5),
        "rmsprop" => new RmspropRule(N, 0.9, 1e-8, 0.05, 0.5, centered: true),
        "adam" => new AdamRule(N, weightDecay: 0.05, amsgrad: true),
        "adamw" => new AdamWRule(N, amsgrad: true),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Reset_returns_the_rule_to_its_first_step(string name)
    {
        var gradients = Gradients();
        var fresh = Create(name);
        var xFresh = (double[])s_start.Clone();
        var reused = Create(name);
        var xReused = (double[])s_start.Clone();
        for (int t = 0; t < 4; t++) reused.Step(xReused, gradients[Steps - 1 - t], 0.1);
        reused.Reset();
        Assert.Equal(0, reused.StepCount);

        xReused = (double[])s_start.Clone();
        for (int t = 0; t < Steps; t++)
        {
            fresh.Step(xFresh, gradients[t], s_learningRates[t]);
            reused.Step(xReused, gradients[t], s_learningRates[t]);
            Assert.Equal(xFresh, xReused);
        }
        Assert.Equal(Steps, reused.StepCount);
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Step_checks_its_arguments_and_names_the_rule(string name)
    {
        var rule = Create(name);
        string type = rule.GetType().Name;
        var x = new double[N];
        var g = new double[N];
        Assert.Contains(type, Assert.Throws<ArgumentException>("x", () => rule.Step(new double[N + 1], g, 0.1)).Message);
        Assert.Contains(type, Assert.Throws<ArgumentException>("gradient", () => rule.Step(x, new double[N - 1], 0.1)).Message);
        foreach (double lr in new[] { -0.1, double.NaN, double.PositiveInfinity })
            Assert.Contains(type, Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => rule.Step(x, g, lr)).Message);
        Assert.Equal(0, rule.StepCount); // a refused step is not counted
        Assert.Equal(new double[N], x);
    }

    [Fact]
    public void Invalid_coefficients_are_refused_with_the_rule_and_parameter_named()
    {
        Assert.Contains("AdamRule", Assert.Throws<ArgumentException>("beta1", () => new AdamRule(N, beta1: 1.0)).Message);
        Assert.Contains("AdamWRule", Assert.Throws<ArgumentException>("weightDecay", () => new AdamWRule(N, weightDecay: -1)).Message);
        Assert.Contains("RmspropRule", Assert.Throws<ArgumentException>("alpha", () => new RmspropRule(N, alpha: double.NaN)).Message);
        Assert.Contains("AdagradRule", Assert.Throws<ArgumentException>("eps", () => new AdagradRule(N, eps: -1e-3)).Message);
        Assert.Contains("MomentumRule", Assert.Throws<ArgumentException>("nesterov", () => new MomentumRule(N, momentum: 0, nesterov: true)).Message);
        Assert.Contains("GradientDescentRule", Assert.Throws<ArgumentOutOfRangeException>("dimension", () => new GradientDescentRule(-1)).Message);
    }

    /// <summary>f(x) = ½Σ cᵢxᵢ² − Σ xᵢ, a convex quadratic.</summary>
    private sealed class Quadratic : IGradientProblem
    {
        private static readonly double[] s_c = [4, 1, 0.25];
        public int Dimension => N;
        public double Objective(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 0; i < N; i++) f += 0.5 * s_c[i] * x[i] * x[i] - x[i];
            return f;
        }
        public double Gradient(ReadOnlySpan<double> x, Span<double> g)
        {
            for (int i = 0; i < N; i++) g[i] = s_c[i] * x[i] - 1;
            return Objective(x);
        }
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void The_solvers_take_the_steps_of_their_rule(string name)
    {
        const double lr = 0.02;
        const int k = 12;
        Solver<IGradientProblem> solver = name switch
        {
            "gd" => new GradientDescentSolver { LearningRate = lr },
            "momentum" => new MomentumSolver { LearningRate = lr, Momentum = 0.8, Dampening = 0.1, WeightDecay = 0.05 },
            "nesterov" => new MomentumSolver { LearningRate = lr, Momentum = 0.8, Nesterov = true },
            "adagrad" => new AdagradSolver { LearningRate = lr, LrDecay = 0.1, WeightDecay = 0.05, InitialAccumulatorValue = 0.5 },
            "rmsprop" => new RmspropSolver { LearningRate = lr, Alpha = 0.9, WeightDecay = 0.05, MomentumFactor = 0.5, Centered = true },
            "adam" => new AdamSolver { LearningRate = lr, WeightDecay = 0.05, Amsgrad = true },
            "adamw" => new AdamWSolver { LearningRate = lr, Amsgrad = true },
            _ => throw new ArgumentException(name, nameof(name)),
        };
        var result = solver.Minimize(new Quadratic(), s_start, new SolveOptions { MaxIterations = k, GradientTolerance = 0, StepTolerance = 0 });
        Assert.Equal(SolveStatus.MaxIterations, result.Status);

        var rule = Create(name);
        var x = (double[])s_start.Clone();
        var g = new double[N];
        for (int t = 0; t < k; t++)
        {
            new Quadratic().Gradient(x, g);
            rule.Step(x, g, lr);
        }
        Assert.Equal(x, result.X);
    }
}
