using System;
using System.Linq;
using System.Reflection;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Models;

/// <summary>
/// The generated batch gradient of every kind of model (scalar and vector targets, a scalar input, hidden layers with
/// buffered activations, penalties on a subset of the weights, every loss) against central differences of the generated
/// loss, at random weights and data.
/// </summary>
public sealed class ModelGradientTests
{
    private delegate double VectorTargetGradient(double[,] inputs, double[,] targets, Span<double> gradient);
    private delegate double ScalarTargetGradient(double[,] inputs, double[] targets, Span<double> gradient);
    private delegate double ScalarInputGradient(double[] inputs, double[] targets, Span<double> gradient);
    private delegate void SetParameters(ReadOnlySpan<double> values);

    public static TheoryData<string, string, int> Models() => new()
    {
        { "logistic", "input x[d]; target y; var w[d]; var b; param lambda = 0.1; let z = dot(w, x) + b; predict sigmoid(z); loss bce_logits(z, y) + lambda * l2(w);", 1 },
        { "huber", "input x[d]; target y; var w[d]; var b; predict dot(w, x) + b; loss huber(dot(w, x) + b, y, 0.5) + 0.01 * l1(w);", 1 },
        { "hinge-squared", "input x[d]; target y; var w[d]; let m = 1 - y * dot(w, x); predict dot(w, x); loss softplus(5 * m) / 5 + 1e-3 * l2(w);", 1 },
        { "softmax", "dim k = 3; input x[d]; target y[k]; var W[k, d]; var b[k]; let z[c in 0..k] = sum(j in 0..d) W[c, j] * x[j] + b[c]; predict z; loss cce_logits(z, y) + 1e-2 * l2(W);", 3 },
        { "network", "dim k = 3; dim h = 5; input x[d]; target y[k]; var W1[h, d]; var b1[h]; var W2[k, h]; var b2[k]; "
            + "let hidden[j in 0..h] = tanh(sum(i in 0..d) W1[j, i] * x[i] + b1[j]); let z[c in 0..k] = sum(j in 0..h) W2[c, j] * hidden[j] + b2[c]; "
            + "let p[c in 0..k] = exp(z[c] - logsumexp(i in 0..k) z[i]); predict p; loss cce_logits(z, y) + 1e-3 * (l2(W1) + l2(W2));", 3 },
        { "two-layers", "dim k = 2; dim h = 4; input x[d]; target y[k]; var W1[h, d]; var W2[h, h]; var W3[k, h]; "
            + "let h1[j in 0..h] = tanh(sum(i in 0..d) W1[j, i] * x[i]); let h2[j in 0..h] = sigmoid(sum(i in 0..h) W2[j, i] * h1[i]); "
            + "let z[c in 0..k] = sum(j in 0..h) W3[c, j] * h2[j]; predict z; loss mse(z, y);", 2 },
        { "focal", "input x[d]; target y; var w[d]; var b; let p = sigmoid(dot(w, x) + b); predict p; loss focal(p, y, 2, 0.25);", 1 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void The_batch_gradient_matches_central_differences_of_the_loss(string name, string members, int targetWidth)
    {
        const int d = 4, rows = 7;
        string source = $"model M {{ dim d; {members} optimizer sgd {{ batch: all; }} }}";
        var assembly = GeneratedCode.Build(name + ".opt", source);
        var type = assembly.GetTypes().Single(t => t.Name == "M");
        dynamic model = Activator.CreateInstance(type, d)!;
        var random = new Random(name.Length * 7919);
        var inputs = new double[rows, d];
        for (int i = 0; i < rows; i++) for (int j = 0; j < d; j++) inputs[i, j] = random.NextDouble() * 2 - 1;
        int p = model.ParameterCount;
        var weights = Enumerable.Range(0, p).Select(_ => random.NextDouble() - 0.5).ToArray();
        var set = type.GetMethod("SetParameters")!.CreateDelegate<SetParameters>((object)model);
        set(weights);
        var gradient = new double[p];
        Func<double> loss;
        if (targetWidth == 1)
        {
            var targets = Enumerable.Range(0, rows).Select(i => name == "hinge-squared" ? (i % 2 == 0 ? 1.0 : -1.0) : i % 2).Select(v => (double)v).ToArray();
            var method = type.GetMethod("LossGradient")!.CreateDelegate<ScalarTargetGradient>((object)model);
            method(inputs, targets, gradient);
            loss = () => model.Loss(inputs, targets);
        }
        else
        {
            var targets = new double[rows, targetWidth];
            for (int i = 0; i < rows; i++) targets[i, i % targetWidth] = 1;
            var method = type.GetMethod("LossGradient")!.CreateDelegate<VectorTargetGradient>((object)model);
            method(inputs, targets, gradient);
            loss = () => model.Loss(inputs, targets);
        }
        for (int k = 0; k < p; k++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(weights[k]));
            var plus = (double[])weights.Clone();
            plus[k] += h;
            var minus = (double[])weights.Clone();
            minus[k] -= h;
            set(plus);
            double up = loss();
            set(minus);
            double down = loss();
            double fd = (up - down) / (2 * h);
            Assert.True(Math.Abs(fd - gradient[k]) <= 1e-6 * (1 + Math.Abs(gradient[k])), $"{name}: ∂/∂p[{k}] = {gradient[k]}, differences {fd}");
        }
    }

    [Fact]
    public void Names_hostile_to_CSharp_and_to_the_generated_members_still_compile_and_train()
    {
        // Keywords, the generated members and locals, the kernels' parameter names, a file name with comment and string
        // breakers: all must become valid, distinct C# names, and the class must still train.
        const string source = """
            namespace class.int;
            model double {
                dim int = 3;
                dim Fit = 2;
                input this[int];
                target out[Fit];
                var parameters[Fit, int] = uniform(-0.1, 0.1);
                var gradient[Fit];
                var Predict;
                param Loss = 0.01;
                param output = 1;
                let f[row in 0..Fit] = sum(rows in 0..int) parameters[row, rows] * this[rows] + gradient[row] + Predict;
                predict f;
                loss mse(f, out) * output + Loss * l2(parameters);
                optimizer adam(lr: 0.05) { batch: 2; epochs: 3; seed: 1; }
            }
            """;
        var assembly = GeneratedCode.Build("evil */ \\\"{x}\".opt", source);
        var type = assembly.GetTypes().Single(t => t.Name == "Double");
        dynamic model = Activator.CreateInstance(type)!;
        var inputs = new double[,] { { 1, 2, 3 }, { 0, 1, 0 }, { -1, 0, 2 } };
        var targets = new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } };
        double before = model.Loss(inputs, targets);
        OptDsl.Runtime.Training.TrainingReport report = model.Fit(inputs, targets);
        Assert.Equal(3, report.Epochs.Count);
        Assert.True((double)model.Loss(inputs, targets) < before);
    }

    [Fact]
    public void A_scalar_input_takes_a_vector_of_samples()
    {
        var assembly = GeneratedCode.Build("line.opt", "model Line { input t; target y; var a; var b; predict a * t + b; loss (a * t + b - y)^2; optimizer lbfgs(tolerance: 1e-12); }");
        var type = assembly.GetTypes().Single(t => t.Name == "Line");
        dynamic line = Activator.CreateInstance(type)!;
        var t = Enumerable.Range(0, 20).Select(i => i / 4.0).ToArray();
        var y = t.Select(v => 3 * v - 2).ToArray();
        OptDsl.Runtime.Training.TrainingReport report = line.Fit(t, y);
        Assert.Equal(OptDsl.Runtime.Training.StopReason.Converged, report.StopReason);
        Assert.Equal(3, (double)line.A, 1e-9);
        Assert.Equal(-2, (double)line.B, 1e-9);
        Assert.Equal(7, (double)line.Predict(3.0), 1e-9);
        var gradient = new double[2];
        double value = type.GetMethod("LossGradient")!.CreateDelegate<ScalarInputGradient>((object)line)(t, y, gradient);
        Assert.True(value < 1e-20 && gradient.All(g => Math.Abs(g) < 1e-9));
    }
}
