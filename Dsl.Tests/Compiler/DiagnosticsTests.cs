using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>Every diagnostic of the catalog, provoked by a bad input, reported with its id at the exact line and column.</summary>
public sealed class DiagnosticsTests
{
    // "$$" marks where the diagnostic must start; it is removed before compiling.
    /// <summary>A model for the tune block cases: a param, an update rule (so lr, batch and epochs are tunable).</summary>
    private const string TuneModel = "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  param lambda = 0.1;\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2 + lambda * l2(w);\n  optimizer sgd(lr: 0.1) { epochs: 3; schedule: step(step_size: 2); }\n}\n";

    /// <summary>A model trained by adam with a plateau schedule (whose 'eps' is also adam's).</summary>
    private const string AdamModel = "model A {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2;\n  optimizer adam(lr: 0.01) { schedule: plateau(factor: 0.5); }\n}\n";

    public static readonly TheoryData<string, string> Cases = new()
    {
        { "OPT0001", "problem P { var x; minimize x^2 $$}" },
        { "OPT0001", "problem P {\n  var x;\n  minimize x $$# 2;\n}" },
        { "OPT0001", "problem P { var x[2] = [1, 2]; minimize x[0]^2 + x[1]^2;$$" },
        { "OPT0002", "problem P {\n  var x;\n  minimize (x - $$y)^2;\n}" },
        { "OPT0002", "problem P {\n  dim n = 3;\n  var x[n];\n  minimize sum(i in 0..n) x[i]^2 + $$i;\n}" },
        { "OPT0003", "problem P {\n  var x;\n  var $$x;\n  minimize x^2;\n}" },
        { "OPT0003", "problem P { var x; minimize x^2; }\nproblem $$P { var y; minimize y^2; }" },
        { "OPT0004", "problem P {\n  var x[2];\n  var y[3];\n  minimize l2($$x - y);\n}" },
        { "OPT0004", "problem P {\n  dim m = 2; dim n = 3;\n  data A[m, n];\n  var x[m];\n  minimize l2($$A * x);\n}" },
        { "OPT0005", "problem P {\n  var x[2];\n  minimize $$x[0, 1]^2;\n}" },
        { "OPT0006", "problem P {\n  var x;\n  minimize $$exp(x, 2);\n}" },
        { "OPT0007", "problem P {\n  var x;\n  minimize $$expp(x);\n}" },
        { "OPT0008", "problem P {\n  var x;\n  minimize x^2;\n  solver $$lbgfs;\n}" },
        { "OPT0009", "problem P {\n  var x;\n  minimize x^2;\n  solver lbfgs($$memroy: 5);\n}" },
        { "OPT0010", "problem P {\n  var x;\n  minimize x^2;\n  solver lbfgs(memory: $$2.5);\n}" },
        { "OPT0010", "problem P {\n  var x;\n  minimize x^2;\n  solver gd(line_search: $$wolfe);\n}" },
        { "OPT0010", "problem P {\n  var x;\n  minimize x^2;\n  solver lbfgs(tolerance: $$-1);\n}" },
        { "OPT0011", "problem $$P {\n  var x;\n}" },
        { "OPT0012", "problem P {\n  var x;\n  minimize x^2;\n  $$maximize x;\n}" },
        { "OPT0013", "problem P {\n  var x[$$2.5];\n  minimize x[0]^2;\n}" },
        { "OPT0014", "problem P {\n  var x[3];\n  minimize $$x * 2;\n}" },
        { "OPT0015", "problem P {\n  var x;\n  minimize $$abs(x - 1);\n  solver lbfgs;\n}" },
        { "OPT0016", "problem P {\n  dim n = $$-1 + 0;\n  var x;\n  minimize x^2;\n}" },
        { "OPT0017", "problem P {\n  var x[2] = $$[1, 2, 3];\n  minimize x[0]^2;\n}" },
        { "OPT0017", "problem P {\n  var x in [$$5, 1];\n  minimize x^2;\n}" },
        { "OPT0018", "problem P {\n  var x in [0, 1];\n  minimize x^2;\n  solver $$newton;\n}" },
        { "OPT0019", "problem P {\n  var x;\n  minimize $$exp(x);\n  solver lm;\n}" },
        { "OPT0020", "problem P {\n  var x;\n  minimize x^2;\n  subject to { x $$< 1; }\n  solver auglag;\n}" },
        { "OPT0021", "problem P {\n  var x[2];\n  var k;\n  minimize x[$$k]^2;\n}" },
        { "OPT0022", "problem P {\n  var x;\n  param a = $$x;\n  minimize x^2;\n}" },
        { "OPT0023", "problem P {\n  var x[2];\n  minimize x[$$2]^2;\n}" },
        // Issue 9's examples: literal and dim-relative indices that leave their array over the loop.
        { "OPT0023", "problem P {\n  var x[3];\n  minimize sum(i in 1..4) (x[$$i]-i)^2;\n}" },
        { "OPT0023", "problem P {\n  dim n;\n  var x[n];\n  minimize sum(i in 0..n) (x[$$i+1]-i)^2;\n}" },
        { "OPT0023", "problem P {\n  dim m; dim n;\n  data A[m, n];\n  var x[n];\n  minimize sum(i in 0..m) sum(j in 0..n) (A[i, $$j+1] * x[j])^2;\n}" },
        { "OPT0024", "problem P {\n  var x;\n  minimize x^2;\n  $$predict x;\n}" },
        { "OPT0024", "problem P {\n  var x;\n  minimize x^2;\n  subject to { $$bounds: x >= 1; }\n}" },
        { "OPT0025", "problem P {\n  var x;\n  var $$unused;\n  minimize x^2;\n}" },
        // The '{' of the block is the first level; the 20,000th '(' is one too many.
        { "OPT0026", "problem P { var x; minimize " + new string('(', 19_999) + "$$(x" + new string(')', 20_000) + "; }" },
        { "OPT0009", "problem P {\n  var x;\n  objective a = x^2;\n  objective b = (x - 1)^2;\n  pareto { minimize a; minimize b; $$steps: 3; }\n}" },
        { "OPT0010", "problem P {\n  var x;\n  objective a = x^2;\n  objective b = (x - 1)^2;\n  pareto { minimize a; minimize b; method: $$nbi; }\n}" },
        { "OPT0012", "problem P {\n  var x;\n  $$minimize x^2;\n  pareto { minimize x^2; minimize (x - 1)^2; }\n}" },
        { "OPT0024", "problem P {\n  var x;\n  $$pareto { minimize x^2; }\n}" },
        { "OPT0003", "problem P {\n  var x[2];\n  minimize x[0]^2 + x[1]^2;\n  subject to {\n    a: x[0] >= 1;\n    $$a: x[1] >= 1;\n  }\n}" },
        { "OPT0020", "problem P {\n  var x[2];\n  minimize x[0]^2 + x[1]^2;\n  subject to {\n    $$c1: x[0] >= 1;\n    x[1] >= 1;\n  }\n}" },
        { "OPT0020", "problem P {\n  var x[2];\n  minimize x[0]^2 + x[1]^2;\n  subject to {\n    x[0] >= 1;\n    $$c0: x[1] >= 1;\n  }\n}" },
        { "OPT0020", "problem P {\n  var x;\n  objective a = x^2;\n  objective b = (x - 1)^2;\n  subject to { pareto_b: x <= 3; }\n  $$pareto { minimize a; minimize b; method: epsilon; }\n}" },
        { "OPT0003", "problem P {\n  var x;\n  minimize x^2;\n  solver lbfgs(memory: 3,\n    $$memory: 4);\n}" },
        { "OPT0027", "problem $$rosenbrock {\n  var x;\n  minimize x^2;\n}" },
        { "OPT0027", "problem $$Objective {\n  var x;\n  minimize x^2;\n}" },
        { "OPT0027", "problem P {\n  var x;\n  param $$objective = 2;\n  minimize objective * x^2;\n}" },
        { "OPT0027", "problem P {\n  var x;\n  param a = 2;\n  param $$A = 3;\n  minimize a * A * x^2;\n}" },
        { "OPT0028", "problem P {\n  var x;\n  minimize sum(i in $$3..1) x^2;\n}" },
        { "OPT0029", "problem P {\n  var x[$$65536 * 65536];\n  minimize x[0]^2;\n}" },
        { "OPT0030", "problem P {\n  var x;\n  minimize x^2 + $$0/0;\n}" },
        { "OPT0030", "problem P {\n  var x;\n  minimize x^2 + $$(1/0) * 0;\n}" },
        { "OPT0030", "problem P {\n  var x;\n  param p = $$0/0;\n  minimize p * x^2;\n}" },
        { "OPT0030", "problem P {\n  var x;\n  minimize x^2 + 2 * $$log(-1);\n}" },
        { "OPT0031", "problem $$P {\n  param a = 1;\n  minimize a;\n}" },
        { "OPT0032", "problem P {\n  var x;\n  param cap = $$inf;\n  minimize x^2;\n  subject to { x <= cap; }\n}" },
        { "OPT0032", "problem P {\n  var x;\n  param w = $$-1/0;\n  minimize w * x^2;\n}" },
        { "OPT0022", "problem P {\n  param a = 2;\n  var x in [0, $$a];\n  minimize x^2;\n}" },
        { "OPT0022", "problem P {\n  var x = $$b;\n  param b = 2;\n  minimize x^2;\n}" },
        { "OPT0022", "problem P {\n  var x;\n  param b = $$c * 2;\n  param c = 3;\n  minimize b * x^2;\n}" },
        { "OPT0022", "problem P {\n  var x in [0, $$x];\n  minimize x^2;\n}" },
        { "OPT0022", "problem P {\n  var y;\n  var x in [0, $$y];\n  minimize x^2 + y^2;\n}" },
        { "OPT0002", "problem P {\n  var x;\n  let unused = $$undefined_name + 1;\n  minimize x^2;\n}" },
        { "OPT0006", "problem P {\n  var x;\n  objective bad = $$exp(x, 2);\n  minimize x^2;\n}" },
        { "OPT0003", "problem P {\n  var x;\n  objective a = x^2;\n  objective b = (x - 1)^2;\n  pareto { minimize a; minimize b; points: 5; $$points: 7; }\n}" },
        { "OPT0016", "problem P {\n  dim a = $$b;\n  dim b = a;\n  var x;\n  minimize x^2;\n}" },
        { "OPT0033", "model $$M {\n  dim d;\n  input x[d];\n  var w[d];\n  predict dot(w, x);\n  loss dot(w, x)^2;\n  optimizer sgd;\n}" },
        { "OPT0033", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  predict $$dot(w, x) + y;\n  loss (dot(w, x) - y)^2;\n  optimizer sgd;\n}" },
        { "OPT0033", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  predict dot(w, x);\n  loss $$l2(w);\n  optimizer sgd;\n}" },
        { "OPT0033", "model M {\n  dim d;\n  input x[d];\n  input $$u[d];\n  target y;\n  var w[d];\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2;\n  optimizer sgd;\n}" },
        { "OPT0033", "model $$M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2;\n}" },
        { "OPT0034", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer $$adamax(lr: 0.1);\n}" },
        { "OPT0034", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer $$bfgs;\n}" },
        { "OPT0035", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer adam($$beta: 0.9);\n}" },
        { "OPT0035", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer adam($$batch: 32);\n}" },
        { "OPT0035", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer adam { $$batches: 32; }\n}" },
        { "OPT0035", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { schedule: step($$size: 10); }\n}" },
        { "OPT0035", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { early_stop: ($$wait: 3); }\n}" },
        { "OPT0036", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { schedule: $$linear(steps: 3); }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { batch: $$0; }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { epochs: $$1.5; }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { schedule: plateau(factor: $$2); }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { schedule: $$step(gamma: 0.5); }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { schedule: cyclic(base_lr: 0.1, max_lr: $$0.01); }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { early_stop: $$(min_delta: 0.1); }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer lbfgs { $$batch: 32; }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { parallel: $$0; }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer sgd { parallel: $$1000; }\n}" },
        { "OPT0010", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  let z = dot(w, x);\n  predict z;\n  loss (z - y)^2;\n  optimizer newton { $$shuffle: false; }\n}" },
        { "OPT0004", "model M {\n  dim d;\n  $$input x[d, d];\n  target y;\n  var w[d];\n  predict dot(w, x[0, :]);\n  loss (dot(w, x[0, :]) - y)^2;\n  optimizer sgd;\n}" },
        { "OPT0004", "model M {\n  dim d;\n  input x[d];\n  target y[3];\n  var W[2, d];\n  let z[c in 0..2] = sum(j in 0..d) W[c, j] * x[j];\n  predict z;\n  loss $$cce_logits(z, y);\n  optimizer sgd;\n}" },
        { "OPT0017", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d] = $$uniform(1, -1);\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2;\n  optimizer sgd;\n}" },
        { "OPT0017", "model M {\n  dim d;\n  input x[d];\n  target y;\n  $$var w[d] = glorot();\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2;\n  optimizer sgd;\n}" },
        { "OPT0024", "model M {\n  dim d;\n  input x[d];\n  target y;\n  var w[d];\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2;\n  $$solver lbfgs;\n}" },
        { "OPT0031", "model $$M {\n  dim d;\n  input x[d];\n  target y;\n  predict x[0];\n  loss (x[0] - y)^2;\n  optimizer sgd;\n}" },
        { "OPT0900", "model M {\n  dim d;\n  input x[d];\n  target y;\n  data $$c[d];\n  var w[d];\n  predict dot(w, x);\n  loss (dot(w, x) - y)^2;\n  optimizer sgd;\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  epochs in range(5, 20);\n  search $$hyperband(max_epochs: 27);\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search $$hyperband(max_epochs: 27);\n  prune: median;\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search $$hyperband(eta: 3);\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search $$bayes(seed: 3);\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search hyperband(max_epochs: 27, $$trials: 9);\n}" },
        { "OPT0010", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search hyperband(max_epochs: 27, eta: $$1);\n}" },
        { "OPT0010", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search hyperband(max_epochs: 27, iterations: $$0);\n}" },
        { "OPT0900", TuneModel + "tune M as T {\n  $$shuffle in {0, 1};\n  search grid;\n}" },
        { "OPT0039", TuneModel + "tune M as T {\n  step_size in {$$0, 2};\n  search grid;\n}" },
        { "OPT0040", TuneModel + "tune M as T {\n  step_size in {1, $$1.5};\n  search grid;\n}" },
        { "OPT0038", TuneModel + "tune M as T {\n  $$t_max in {10, 20};\n  search grid;\n}" },
        { "OPT0040", AdamModel + "tune A as T {\n  $$amsgrad in {0, 1};\n  search grid;\n}" },
        { "OPT0039", AdamModel + "tune A as T {\n  $$factor in range(0.5, 1.5);\n  search random(trials: 3);\n}" },
        { "OPT0041", AdamModel + "tune A as T {\n  $$eps in {1e-8, 1e-6};\n  search grid;\n}" },
        { "OPT0039", AdamModel + "tune A as T {\n  beta1 in range(0.5, $$1);\n  search random(trials: 3);\n}" },
        { "OPT0002", "tune $$M as T {\n  lr in logrange(1e-4, 1e-1);\n  search random(trials: 3);\n}" },
        { "OPT0024", "problem P { var x; minimize x^2; }\ntune $$P as T {\n  lr in logrange(1e-4, 1e-1);\n  search random(trials: 3);\n}" },
        { "OPT0038", TuneModel + "tune M as T {\n  $$alpha in {1, 2};\n  search grid;\n}" },
        { "OPT0038", TuneModel + "tune M as T {\n  $$w in {1, 2};\n  search grid;\n}" },
        { "OPT0038", "model F {\n  input t;\n  target y;\n  var a;\n  predict a * t;\n  loss (a * t - y)^2;\n  optimizer lbfgs;\n}\ntune F as T {\n  $$lr in logrange(1e-4, 1e-1);\n  search random(trials: 3);\n}" },
        { "OPT0039", TuneModel + "tune M as T {\n  lr in $$logrange(1e-1, 1e-4);\n  search random(trials: 3);\n}" },
        { "OPT0039", TuneModel + "tune M as T {\n  lr in logrange($$0, 1e-1);\n  search random(trials: 3);\n}" },
        { "OPT0039", TuneModel + "tune M as T {\n  lambda in $$range(0.5, 0.5);\n  search random(trials: 3);\n}" },
        { "OPT0039", TuneModel + "tune M as T {\n  lr in {0.1, $$-0.1};\n  search grid;\n}" },
        { "OPT0039", TuneModel + "tune M as T {\n  lambda in {0.1, $$0.1};\n  search grid;\n}" },
        { "OPT0039", TuneModel + "tune M as T {\n  lambda in $$0.5;\n  search grid;\n}" },
        { "OPT0040", TuneModel + "tune M as T {\n  batch in {16, $$32.5};\n  search grid;\n}" },
        { "OPT0040", TuneModel + "tune M as T {\n  epochs in $$range(1.5, 10);\n  search random(trials: 3);\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search $$grid;\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search $$random(seed: 1);\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  search $$annealing;\n}" },
        { "OPT0041", TuneModel + "tune M as $$T {\n  lr in logrange(1e-4, 1e-1);\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  batch in {16, 32};\n  search grid;\n  $$search grid;\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  batch in {16, 32};\n  search grid($$trials: 3);\n}" },
        { "OPT0041", TuneModel + "tune M as T {\n  batch in {16, 32};\n  search grid;\n  $$pruner: median;\n}" },
        { "OPT0010", TuneModel + "tune M as T {\n  batch in {16, 32};\n  search grid;\n  prune: $$mean;\n}" },
        { "OPT0010", TuneModel + "tune M as T {\n  batch in {16, 32};\n  search random(trials: $$0);\n}" },
        { "OPT0003", TuneModel + "tune M as T {\n  batch in {16, 32};\n  $$batch in {64};\n  search grid;\n}" },
        { "OPT0022", TuneModel + "tune M as T {\n  lambda in {0, $$lambda};\n  search grid;\n}" },
        { "OPT0037", "problem P {\n  var $$x;\n  minimize x^2;\n  solver bayes(trials: 20);\n}" },
        { "OPT0010", "problem P {\n  var x in [0, 1];\n  minimize x^2;\n  solver bayes(trials: $$5000);\n}" },
        { "OPT0037", "problem P {\n  var x in [0, 1];\n  var $$y in [0, inf];\n  minimize x^2 + y^2;\n  solver cmaes;\n}" },
        { "OPT0037", "problem P {\n  var $$x[2];\n  minimize x[0]^2 + x[1]^2;\n  solver cmaes(sigma0: 0.2);\n}" },
        { "OPT0010", "problem P {\n  var x in [0, 1];\n  minimize x^2;\n  solver cmaes(population: $$1);\n}" },
        { "OPT0015", "problem P {\n  var x in [-1, 1];\n  minimize $$abs(x);\n  solver nelder_mead(polish: lbfgs);\n}" },
        { "OPT0020", "problem P {\n  var x;\n  minimize x^2;\n  solver $$ipm;\n}" },
        { "OPT0020", "problem P {\n  var x;\n  minimize x^2;\n  subject to { x >= 1; }\n  solver $$lbfgs;\n}" },
                { "OPT0037", "problem P {\n  var $$x[2] in [0, inf];\n  minimize x[0]^2 + x[1]^2;\n  solver pso(particles: 10);\n}" },
        { "OPT0037", "problem P {\n  var $$x[2] in [1, 1];\n  minimize x[0]^2 + x[1]^2;\n  solver ga;\n}" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_reports_the_diagnostic_at_its_line_and_column(string id, string marked)
    {
        int at = marked.IndexOf("$$", StringComparison.Ordinal);
        string text = marked.Remove(at, 2);
        int line = text.Take(at).Count(c => c == '\n');
        int column = at - (text.LastIndexOf('\n', Math.Max(0, at - 1)) + 1);
        if (at == 0) column = 0;

        var output = OptCompiler.Compile("bad.opt", text, "Tests");
        var match = output.Diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(match.Count > 0, $"expected {id}, got:\n{string.Join("\n", output.Diagnostics)}");
        Assert.Contains(match, d => d.Span.Line == line && d.Span.Column == column && d.Path == "bad.opt");
        Assert.All(match, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
    }

    [Fact]
    public void Every_descriptor_in_the_catalog_is_provoked_by_a_test()
    {
        var tested = new HashSet<string>(Cases.Select(c => (string)c[0]));
        var untested = Descriptors.All.Where(d => d != Descriptors.InternalError && !tested.Contains(d.Id)).Select(d => d.Id).ToList();
        Assert.Empty(untested);
    }

    [Fact]
    public void Catalog_ids_are_unique_and_documented()
    {
        Assert.Equal(Descriptors.All.Length, Descriptors.All.Select(d => d.Id).Distinct().Count());
        string doc = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        foreach (var d in Descriptors.All) Assert.Contains("## " + d.Id, doc);
    }

    /// <summary>Every tolerance option of every built solver, with a problem that solver takes.</summary>
    public static TheoryData<string, string> ToleranceOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var solver in OptDsl.Compiler.Semantics.SolverCatalog.All.Where(s => s.IsBuilt))
            foreach (var option in solver.Options.Where(o => o.Name.Contains("tol", StringComparison.Ordinal)))
                data.Add(solver.Name, option.Name);
        return data;
    }

    private static string ToleranceProblem(string solver, string option, string value) =>
        "problem P {\n  var x[2]" + (OptDsl.Compiler.Semantics.SolverCatalog.Find(solver)!.NeedsFiniteBounds ? " in [-5, 5]" : "") + " = 1;\n  minimize (x[0] - 1)^2 + (x[1] + 2)^2;\n"
        + (solver is "ipm" or "auglag" ? "  subject to { x[0] + x[1] <= 10; }\n" : "")
        + $"  solver {solver}({option}: {value});\n}}";

    [Theory]
    [MemberData(nameof(ToleranceOptions))]
    public void A_tolerance_of_zero_is_accepted_and_a_negative_one_is_located(string solver, string option)
    {
        // 0 turns the test off (docs/solvers.md); the runtime takes it too (BuildTimeValidationTests solves with it).
        Assert.Empty(OptCompiler.Compile("zero.opt", ToleranceProblem(solver, option, "0"), null).Diagnostics);

        string text = ToleranceProblem(solver, option, "-1");
        var d = Assert.Single(OptCompiler.Compile("negative.opt", text, null).Diagnostics);
        string line = text.Split('\n').Single(l => l.Contains("solver ", StringComparison.Ordinal));
        Assert.Equal(("OPT0010", text.Split('\n').ToList().IndexOf(line), line.IndexOf("-1", StringComparison.Ordinal)), (d.Id, d.Span.Line, d.Span.Column));
        Assert.Equal($"Option '{option}' must be zero or positive", d.Message);
    }

    [Fact]
    public void Every_built_solver_has_a_tolerance_option()
    {
        var solvers = ToleranceOptions().Select(row => (string)row[0]).Distinct().Count();
        Assert.Equal(OptDsl.Compiler.Semantics.SolverCatalog.All.Count(s => s.IsBuilt), solvers);
        Assert.Contains(ToleranceOptions(), row => (string)row[1] == "cg_tol");
    }

    [Theory]
    [InlineData("  epochs in range(10, 200);\n  search random(trials: 20, seed: 1);\n  prune: median;\n")]
    [InlineData("  epochs in range(10, 200);\n  search bayes(trials: 20, seed: 1);\n  prune: median;\n")]
    [InlineData("  epochs in {10, 20};\n  search grid;\n")]
    [InlineData("  search hyperband(max_epochs: 81, eta: 3, seed: 1);\n")]
    public void Every_search_of_the_language_compiles(string search)
    {
        // The members of the language's tune block: choices, ranges, the search and its options, a pruner.
        string text = TuneModel + "tune M as T {\n  lr in logrange(1e-4, 1e-1);\n  batch in {16, 32};\n  lambda in range(0, 1);\n" + search + "}\n";
        if (search.Contains("grid", StringComparison.Ordinal)) text = text.Replace("lr in logrange(1e-4, 1e-1)", "lr in {0.01, 0.1}").Replace("range(0, 1)", "{0, 1}");
        var output = OptCompiler.Compile("tune.opt", text, null);
        Assert.DoesNotContain(output.Diagnostics, d => d.Level != DiagnosticLevel.Info);
        Assert.Contains(output.Sources, s => s.HintName == "T.g.cs");
    }

    [Fact]
    public void A_reduction_scope_slip_explains_itself()
    {
        var output = OptCompiler.Compile("slip.opt", "problem P { dim n = 2; var x[2*n]; minimize sum(i in 0..n) 100 * x[2*i]^2 + (1 - x[2*i])^2; }", null);
        var d = Assert.Single(output.Diagnostics, d => d.Id == "OPT0002");
        Assert.Contains("sum(i in ...) (a + b)", d.Message);
    }

    [Theory]
    [InlineData("problem P { var x; minimize x ** 2; }", new[] { 30 })]
    [InlineData("problem P { var x[2]; minimize (x[0] - 1)**2 + x[1]**4; }", new[] { 41, 51 })]
    public void A_python_power_says_to_write_a_caret(string text, int[] columns)
    {
        var output = OptCompiler.Compile("power.opt", text, null);
        Assert.Equal(columns, output.Diagnostics.Select(d => d.Span.Column));
        foreach (var d in output.Diagnostics)
        {
            Assert.Equal("OPT0001", d.Id);
            Assert.Equal("'**' is not an operator: powers are written with '^' (x^2)", d.Message);
            Assert.Equal((0, 2), (d.Span.Line, d.Span.Length));
        }
    }

    /// <summary>A function known by another name elsewhere gets the way to write it here, and that way compiles.</summary>
    [Theory]
    [InlineData("log10", "x")]
    [InlineData("log2", "x")]
    [InlineData("ln", "x")]
    [InlineData("exp2", "x")]
    [InlineData("expm1", "x")]
    [InlineData("square", "x")]
    [InlineData("fabs", "x")]
    [InlineData("arctan", "x")]
    [InlineData("logistic", "x")]
    [InlineData("cosh", "x")]
    [InlineData("sinh", "x")]
    [InlineData("hypot", "a, b")]
    [InlineData("power", "x, y")]
    public void An_unknown_function_suggests_the_way_to_write_it(string name, string arguments)
    {
        const string Vars = "var x = 2; var y = 1.5; var a = 1; var b = 2;";
        var output = OptCompiler.Compile("f.opt", $"problem P {{ {Vars} minimize {name}({arguments}) + x^2 + y^2 + a^2 + b^2; }}", null);
        var d = Assert.Single(output.Diagnostics);
        Assert.Equal("OPT0007", d.Id);
        int at = d.Message.IndexOf("; write ", StringComparison.Ordinal);
        Assert.True(at > 0, d.Message);
        string suggestion = d.Message.Substring(at + "; write ".Length).Split(" or ")[0];
        var fixedOutput = OptCompiler.Compile("f.opt", $"problem P {{ {Vars} minimize {suggestion} + x^2 + y^2 + a^2 + b^2; solver lbfgs; }}", null);
        Assert.DoesNotContain(fixedOutput.Diagnostics, x => x.Level == DiagnosticLevel.Error);
    }

    [Fact]
    public void A_product_of_a_product_is_not_mistaken_for_a_power()
    {
        var output = OptCompiler.Compile("times.opt", "problem P { var x; minimize x * * 2; }", null);
        Assert.DoesNotContain(output.Diagnostics, d => d.Message.Contains("'**'"));
        Assert.Contains(output.Diagnostics, d => d.Id == "OPT0001");
    }

    [Fact]
    public void Long_chains_and_deep_nesting_compile_without_exhausting_the_stack()
    {
        string chain = "problem Chain { var x[5000]; minimize " + string.Join(" + ", System.Linq.Enumerable.Range(0, 5000).Select(i => $"(x[{i}] - {i})^2")) + "; }";
        var output = OptCompiler.Compile("chain.opt", chain, null);
        Assert.Empty(output.Diagnostics);
        Assert.Matches(@"double (t\d+) = x\[4999\] - 4999\.0;[\s\S]*gradient\[4999\] \+= 2\.0 \* \1;", output.Sources[0].Text);

        string nested = "problem Nested { var x; minimize " + new string('(', 15_000) + "exp(x) - x" + new string(')', 15_000) + "; }";
        output = OptCompiler.Compile("nested.opt", nested, null);
        Assert.Empty(output.Diagnostics);
    }

    [Fact]
    public void Errors_produce_no_source_and_valid_files_produce_no_diagnostics()
    {
        Assert.Empty(OptCompiler.Compile("bad.opt", "problem P { var x; minimize y; }", null).Sources);
        var good = OptCompiler.Compile("good.opt", "problem P { var x; minimize (x - 1)^2; }", null);
        Assert.Empty(good.Diagnostics);
        Assert.Single(good.Sources);
    }

    internal static string RepositoryRoot()
    {
        var dir = new System.IO.DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "OptDsl.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("OptDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
