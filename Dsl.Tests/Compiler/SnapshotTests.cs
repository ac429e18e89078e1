using System.Collections.Generic;
using System.Linq;
using System.Text;
using OptDsl.Compiler;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The generated C# of every language feature, pinned. A snapshot changes only on purpose: review the diff like code.
/// Each case also has to compile cleanly (no warnings) against OptDsl.Runtime.
/// </summary>
public sealed class SnapshotTests
{
    public static readonly Dictionary<string, string> Features = new()
    {
        ["scalar_objective"] = """
            namespace Demo.Optimization;
            problem Rosenbrock {
                var x[2] = [-1.2, 1.0];
                minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2;
                solver lbfgs(memory: 10, tolerance: 1e-10, max_iter: 500);
            }
            """,
        ["data_let_least_squares"] = """
            // y = b1 * exp(-b2 * t)
            problem ExpDecay {
                dim m;
                data t[m];
                data y[m];
                var b[2] = [1, 0.1];
                let r[i in 0..m] = y[i] - b[0] * exp(-b[1] * t[i]);
                minimize sum(i in 0..m) r[i]^2;
                solver lm;
            }
            """,
        ["runtime_dim"] = """
            problem ExtendedRosenbrock {
                dim n;
                var x[2 * n] = 1;
                minimize sum(i in 0..n) (100 * (x[2*i + 1] - x[2*i]^2)^2 + (1 - x[2*i])^2);
            }
            """,
        ["matrix_vector_params_two_vars"] = """
            problem Ridge {
                dim m;
                dim n;
                data A[m, n];
                data y[m];
                param lambda = 0.1;
                var w[n];
                var bias;
                minimize mse(A * w + bias, y) + lambda * l2(w);
                solver newton(trust_region: true);
            }
            """,
        ["maximize_bounds_starts"] = """
            problem Box {
                var x[2] in [[0, -1], [2, 1]] = [1, 0];
                var y in [0, inf];
                maximize log(1 + x[0]) + x[1] * y - y^2;
                solver lbfgs;
            }
            """,
        ["constraints"] = """
            problem Hs071 {
                var x[4] in [1, 5] = [1, 5, 5, 1];
                minimize x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2];
                subject to {
                    product: x[0] * x[1] * x[2] * x[3] >= 25;
                    sphere: sum(i in 0..4) x[i]^2 == 40;
                }
                solver ipm(mu0: 0.1, tolerance: 1e-8);
            }
            problem Chain {
                dim n;
                data cap[n];
                var x[n];
                minimize sum(i in 0..n) (x[i] - 1)^2;
                subject to {
                    order: forall(i in 0..n-1) x[i] <= x[i+1];
                    limit: forall(i in 0..n) x[i] <= cap[i];
                    1 <= x[0] + x[1] <= 4;
                }
                solver auglag(inner: bfgs, rho: 5);
            }
            """,
        ["smooth_functions"] = """
            problem Smooth {
                var x[3] = [0.5, 0.2, 0.1];
                minimize exp(x[0]) + log(2 + x[1]) + log1p(x[2]^2) + sqrt(1 + x[0]^2) + sin(x[1]) * cos(x[2])
                       + tan(0.1 * x[0]) + atan(x[1]) + tanh(x[2]) + sigmoid(x[0] - x[1]) + softplus(x[2])
                       + pow(1 + x[0]^2, 1.5) + sq(x[1] - x[2]) + x[0]^x[1];
            }
            """,
        ["nonsmooth_functions"] = """
            problem Kinks {
                var x[2] = [1, -1];
                minimize abs(x[0] - 1) + relu(x[1]) + max(x[0], x[1]) - min(x[0], 2 * x[1]) + l1(x);
                solver gd(lr: 0.01);
            }
            """,
        ["norms_and_dot"] = """
            problem Norms {
                dim n = 3;
                data a[n];
                var x[n] = 1;
                minimize norm(x) + l2(x - a) + dot(a, x)^2;
            }
            """,
        ["regression_losses"] = """
            problem Regression {
                dim m;
                data X[m, 2];
                data y[m];
                var w[2];
                param delta = 1.5;
                minimize mse(X * w, y) + mae(X * w, y) + huber(X * w, y, delta);
                solver bfgs;
            }
            """,
        ["classification_losses"] = """
            problem Classification {
                dim m;
                dim k;
                data X[m, 3];
                data y[m];
                data Y[m, k];
                data s[m];
                var w[3];
                var V[k, 3];
                minimize bce(sigmoid(X * w), y) + bce_logits(X * w, y) + hinge(X * w, s) + focal(sigmoid(X * w), y, 2, 0.25)
                       + cce_logits(V * X[0, :], Y[0, :]) + sum(i in 0..m) cce(softplus(Y[i, :]), Y[i, :]) + log(sigmoid(w[0]));
                solver adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, max_iter: 2000);
            }
            """,
        ["reductions"] = """
            problem Reductions {
                dim n = 4;
                data A[n, n];
                var x[n] = 0.5;
                minimize prod(i in 0..n) (1 + x[i]^2) + logsumexp(i in 0..n) x[i]
                       + sum(i in 0..n, j in 0..n) A[i, j] * x[i] * x[j]
                       + sum(i in 0..n) sum(j in 0..i) x[i] * x[j]
                       + sum(i in 0..n) dot(A[i, :], x)^2 + sum(i in 0..n) ((i + 1) / 5) * x[i];
            }
            """,
        ["named_objectives"] = """
            problem Blend {
                var x[2] = 0;
                objective risk = (x[0] - 1)^2 + x[1]^2;
                objective energy = x[0]^2 + (x[1] + 2)^2;
                minimize 0.7 * risk + 0.3 * energy;
                solver newton_cg(cg_tol: 0.1);
            }
            """,
        ["pareto"] = """
            problem Portfolio {
                dim n;
                data mu[n];
                data S[n, n];
                var w[n] in [0, 1] = 0.25;
                objective risk = dot(w, S * w);
                objective gain = dot(mu, w);
                pareto { minimize risk; maximize gain; points: 15; method: epsilon; }
                subject to { budget: sum(i in 0..n) w[i] == 1; }
            }
            """,
        // The weighted-sum method: no epsilon rows, and a finite level is refused instead of ignored.
        ["pareto_weighted_sum"] = """
            problem Targets {
                var p[2] = [1, 0.5];
                objective near_origin = p[0]^2 + p[1]^2;
                objective near_two = (p[0] - 2)^2 + p[1]^2;
                pareto { minimize near_origin; minimize near_two; points: 5; }
            }
            """,
        ["first_order_solvers"] = """
            problem WithGd { var x = 3; minimize (x - 1)^2; solver gd(lr: 0.1, line_search: armijo, time_limit_s: 2.5); }
            problem WithMomentum { var x = 3; minimize (x - 1)^2; solver momentum(lr: 0.1, beta: 0.8); }
            problem WithNesterov { var x = 3; minimize (x - 1)^2; solver nesterov(lr: 0.1, beta: 0.9); }
            problem WithAdagrad { var x = 3; minimize (x - 1)^2; solver adagrad(lr: 0.5); }
            problem WithRmsprop { var x = 3; minimize (x - 1)^2; solver rmsprop(lr: 0.01, rho: 0.9, centered: true, momentum: 0.5); }
            problem WithAdamW { var x = 3; minimize (x - 1)^2; solver adamw(lr: 0.05, weight_decay: 0.01, amsgrad: true, seed: 7); }
            """,
        ["derivative_free_solvers"] = """
            problem WithNelderMead { var x[2] = [-1.2, 1]; minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2; solver nelder_mead(simplex_tol: 1e-10, restarts: 5, max_evals: 5000); }
            problem KinkedNelderMead { var x in [-5, 5] = 3; minimize abs(x - 1); solver nelder_mead; }
            problem WithCmaes { var x[3] in [-5.12, 5.12] = 3; minimize 30 + sum(i in 0..3) (x[i]^2 - 10 * cos(2 * pi * x[i])); solver cmaes(sigma0: 0.25, population: 12, restarts: 4, parallel: 2, polish: lbfgs, seed: 7); }
            problem WithPso { var x[2] in [-5, 5] = 3; minimize (x[0] - 1)^2 + (x[1] + 2)^2; solver pso(particles: 24, inertia: 0.6, acceleration: 1.4, topology: ring, parallel: 2, polish: bfgs); }
            problem WithGa { var x[2] in [-5, 5] = 3; minimize abs(x[0] - 1) + abs(x[1] + 2); solver ga(population: 40, generations: 300, mutation: 0.25, crossover: 0.8, seed: 2); }
            problem WithAnneal { var x[2] in [-5, 5] = 3; minimize (x[0] - 1)^2 + (x[1] + 2)^2; solver anneal(temperature: 5, cooling: 0.8, reheats: 2, polish: lbfgs); }
            problem WithBayes { var x[2] in [-5, 5] = 3; minimize (x[0] - 1)^2 + (x[1] + 2)^2; solver bayes(trials: 25, acquisition: ucb, polish: lbfgs, seed: 4); }
            problem WithReplicaExchange { var x[2] in [-5, 5] = 3; minimize abs(x[0] - 1) + abs(x[1] + 2); solver replica_exchange(replicas: 6, temperature: 3, parallel: 2, seed: 9); }
            """,
        ["model_logistic"] = """
            namespace Demo.Models;
            model LogisticRegression {
                dim d;
                input x[d];
                target y;
                var w[d] = 0;
                var b = 0;
                param lambda = 1e-3;
                let z = dot(w, x) + b;
                predict sigmoid(z);
                loss bce_logits(z, y) + lambda * l2(w);
                optimizer adam(lr: 0.05, beta2: 0.99) {
                    batch: 32; epochs: 100; shuffle: true; seed: 7;
                    schedule: cosine(t_max: 100, eta_min: 1e-4); warmup: 3; clip_norm: 1.0; parallel: 2;
                    early_stop: (patience: 5, min_delta: 1e-4, restore_best: true);
                }
            }
            """,
        // A hidden layer: buffered activations, backpropagation's order for the first layer's gradient, vector prediction.
        ["model_network"] = """
            model Network {
                dim d;
                dim k;
                dim h = 16;
                input x[d];
                target y[k];
                var W1[h, d] = glorot();
                var b1[h] = uniform(-0.1, 0.1);
                var W2[k, h] = normal(0, 0.1);
                var b2[k] = 0;
                let hidden[j in 0..h] = tanh(sum(i in 0..d) W1[j, i] * x[i] + b1[j]);
                let z[c in 0..k] = sum(j in 0..h) W2[c, j] * hidden[j] + b2[c];
                let p[c in 0..k] = exp(z[c] - logsumexp(i in 0..k) z[i]);
                predict p;
                loss cce_logits(z, y) + 1e-4 * (l2(W1) + l2(W2));
                optimizer sgd(lr: 0.1) { batch: 1; epochs: 5; schedule: step(step_size: 2, gamma: 0.5); }
            }
            """,
        // Full-batch Newton (Hessian-vector products of the loss) on a scalar input; every other update rule's constructor.
        ["model_full_batch_and_rules"] = """
            model Line { input t; target y; var a; var b = 1; predict a * t + b; loss huber(a * t + b, y, 1.5); optimizer newton(tolerance: 1e-10, max_iter: 50); }
            model LbfgsFit { input t; target y; var a; predict a * t; loss (a * t - y)^2; optimizer lbfgs(memory: 5); }
            model MomentumFit { input t; target y; var a; predict a * t; loss (a * t - y)^2; optimizer momentum(lr: 0.1, beta: 0.8, dampening: 0.1) { batch: all; schedule: exponential(gamma: 0.9); } }
            model NesterovFit { input t; target y; var a; predict a * t; loss (a * t - y)^2; optimizer nesterov(lr: 0.1, beta: 0.9, weight_decay: 1e-4) { schedule: plateau(factor: 0.5, patience: 2, cooldown: 1); } }
            model AdagradFit { input t; target y; var a; predict a * t; loss (a * t - y)^2; optimizer adagrad(lr: 0.5, lr_decay: 0.01); }
            model RmspropFit { input t; target y; var a; predict a * t; loss (a * t - y)^2; optimizer rmsprop(lr: 0.01, rho: 0.9, centered: true) { schedule: cyclic(base_lr: 0.001, max_lr: 0.01, step_size: 10); } }
            model AdamWFit { input t; target y; var a; predict a * t; loss (a * t - y)^2; optimizer adamw(lr: 0.05, weight_decay: 0.01, amsgrad: true) { shuffle: false; seed: 3; } }
            """,
        // Names hostile to C#: keywords, generated locals and members, g_/v_ prefixes, PascalCase clashes, scalar data.
        ["tune_blocks"] = """
            model Net {
                dim d;
                dim h = 8;
                input x[d];
                target y;
                var W[h, d] = glorot();
                var v[h] = 0;
                param lambda = 1e-4;
                let z = sum(j in 0..h) v[j] * tanh(sum(i in 0..d) W[j, i] * x[i]);
                predict sigmoid(z);
                loss bce_logits(z, y) + lambda * l2(W);
                optimizer adam(lr: 3e-3) { batch: 32; epochs: 40; early_stop: (patience: 5, restore_best: true); }
            }
            tune Net as NetSearch {
                lr in logrange(1e-4, 1e-1);
                lambda in {0, 1e-4, 1e-3};
                batch in {16, 32, 64};
                epochs in range(10, 200);
                search random(trials: 30, seed: 1);
                prune: median;
            }
            tune Net as net_grid {
                batch in range(8, 10);
                lambda in {0, 0.01};
                search grid;
            }
            tune Net as NetBayes {
                lr in logrange(1e-4, 1e-1);
                batch in logrange(8, 256);
                search bayes(trials: 40, seed: 2);
            }
            tune Net as NetBand {
                lr in logrange(1e-4, 1e-1);
                lambda in logrange(1e-6, 1e-2);
                search hyperband(max_epochs: 81, eta: 3, iterations: 2, seed: 7);
            }
            tune Net as NetOptions {
                beta1 in range(0.8, 0.95);
                eps in {1e-8, 1e-6};
                clip_norm in {0, 1};
                warmup in range(1, 5);
                search random(trials: 10, seed: 3);
            }
            """,
        ["hostile_names"] = """
            namespace class.int;
            problem double {
                dim int = 3;
                data event[int];
                data this;
                param params = 2;
                param Params = 3;
                param objective = 4;
                var x[int];
                var g_x;
                var gradient;
                let return[new in 0..int] = x[new] - event[new];
                minimize sum(t0 in 0..int) params * return[t0]^2 + this * g_x^2 + Params * objective * gradient^2;
                subject to { class: forall(ref in 0..int) x[ref] + g_x <= 4; }
                solver ipm;
            }
            """,
    };

    public static IEnumerable<object[]> Names => Features.Keys.Select(k => new object[] { k });

    /// <summary>The compiler's whole output for a file: its diagnostics, then each generated source.</summary>
    public static string Render(CompileOutput output)
    {
        var sb = new StringBuilder();
        foreach (var d in output.Diagnostics) sb.Append("// diagnostic: ").Append(d).Append('\n');
        foreach (var s in output.Sources) sb.Append("// ==== ").Append(s.HintName).Append(" ====\n").Append(s.Text);
        return sb.ToString();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_code_of_feature(string feature)
    {
        var output = OptCompiler.Compile(feature + ".opt", Features[feature].Replace("\r\n", "\n"), "Snapshots");
        Assert.NotEmpty(output.Sources);
        Snapshot.Match(Render(output), SnapshotNameExtension.Create(feature));
    }

    [Fact]
    public void Every_feature_compiles_cleanly_against_the_runtime()
    {
        // Constrained problems report OPT0900 (their solvers are not built yet) but still generate code.
        var sources = Features.Select(f => OptCompiler.Compile(f.Key + ".opt", f.Value, "Snapshots." + f.Key))
            .SelectMany(o => o.Sources).ToList();
        var trees = sources.Select(s => Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(s.Text, path: s.HintName));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Snapshots", trees, OptDsl.Tests.Generator.CompilationReferences.Consumer,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
