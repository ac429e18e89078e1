using System;
using System.Linq;
using OptDsl.Runtime.Training;
using OptDsl.Tests.Compiler;
using Xunit;
using Xunit.Abstractions;

namespace OptDsl.Tests.Models;

/// <summary>
/// Softmax regression and a one-hidden-layer network on scikit-learn's digits (1797 × 64, 10 classes; 75/25 split with
/// seed 42, standardized on the training part): test accuracies as docs/models.md reports them, and the network beats
/// the linear model.
/// </summary>
public sealed class DigitsModelTests(ITestOutputHelper output)
{
    internal const string Source = """
        model Softmax {
            dim d;
            dim k;
            input x[d];
            target y[k];
            var W[k, d] = 0;
            var b[k] = 0;
            param lambda = 1e-3;
            let z[c in 0..k] = sum(j in 0..d) W[c, j] * x[j] + b[c];
            let p[c in 0..k] = exp(z[c] - logsumexp(i in 0..k) z[i]);
            predict p;
            loss cce_logits(z, y) + lambda * l2(W);
            optimizer lbfgs(tolerance: 1e-6, max_iter: 1000);
        }

        model Network {
            dim d;
            dim k;
            dim h = 64;
            input x[d];
            target y[k];
            var W1[h, d] = glorot();
            var b1[h] = 0;
            var W2[k, h] = glorot();
            var b2[k] = 0;
            param lambda = 1e-4;
            let hidden[j in 0..h] = tanh(sum(i in 0..d) W1[j, i] * x[i] + b1[j]);
            let z[c in 0..k] = sum(j in 0..h) W2[c, j] * hidden[j] + b2[c];
            let p[c in 0..k] = exp(z[c] - logsumexp(i in 0..k) z[i]);
            predict p;
            loss cce_logits(z, y) + lambda * (l2(W1) + l2(W2));
            optimizer adam(lr: 3e-3) { batch: 32; epochs: 40; seed: 1; schedule: cosine(eta_min: 1e-5); }
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> s_assembly = new(() => GeneratedCode.Build("digits.opt", Source));

    internal static double Accuracy(double[,] probabilities, double[] labels) =>
        Enumerable.Range(0, labels.Length).Average(i =>
            Enumerable.Range(0, probabilities.GetLength(1)).MaxBy(c => probabilities[i, c]) == (int)labels[i] ? 1.0 : 0.0);

    private (double Train, double Test, TrainingReport Report) Train(string name)
    {
        var (training, test) = ModelData.Digits;
        dynamic model = s_assembly.Value.Create(name, 64, 10);
        TrainingReport report = model.Fit(training.Features, training.OneHotLabels(10), test.Features, test.OneHotLabels(10));
        double train = Accuracy(model.Predict(training.Features), training.Labels);
        double accuracy = Accuracy(model.Predict(test.Features), test.Labels);
        output.WriteLine($"{name}: {report}; train accuracy {train:P2}, test accuracy {accuracy:P2} ({test.Count} test digits)");
        return (train, accuracy, report);
    }

    [Fact]
    public void Softmax_regression_converges_and_classifies_the_test_digits()
    {
        var (train, test, report) = Train("Softmax");
        Assert.Equal(StopReason.Converged, report.StopReason);
        Assert.True(test >= 0.95, $"test accuracy {test}");
        Assert.True(train >= test);
    }

    [Fact]
    public void A_hidden_layer_beats_the_linear_model()
    {
        var (_, linear, _) = Train("Softmax");
        var (_, network, report) = Train("Network");
        Assert.Equal(StopReason.EpochsDone, report.StopReason);
        Assert.True(network > linear, $"network {network} vs softmax {linear}");
    }
}
