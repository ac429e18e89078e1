using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

/// <summary>
/// Binds one model block: declarations and expressions through the shared <see cref="DeclarationBinder"/> and
/// <see cref="ExpressionBinder"/> (the input and the target are bound as one sample's data), then what only a model has:
/// random starts of weights, the prediction, the per-sample loss split into its sample terms and its penalty, and the
/// optimizer with its options and training settings.
/// </summary>
internal sealed class ModelBinder : BlockBinder
{
    private static readonly string[] RandomStartKinds = ["uniform", "normal", "glorot"];

    public ModelBinder(string path, string text, List<OptDiagnostic> diagnostics) : base(path, text, diagnostics)
    {
    }

    private bool HasNewErrors => _c.Diagnostics.Skip(_errorsAtStart).Any(d => d.Level == DiagnosticLevel.Error);

    public BoundModel? Bind(ModelSyntax model)
    {
        _errorsAtStart = _c.Diagnostics.Count;

        // Random starts are the model's own: the declaration binder sees the var without a start (0), the class draws it.
        var randomStarts = new List<RandomStart>();
        var members = new List<MemberSyntax>();
        foreach (var member in model.Members)
        {
            if (member is VarSyntax { Start: CallSyntax call } v && RandomStartKinds.Contains(call.Name))
            {
                var start = BindRandomStart(v, call);
                if (start is not null) randomStarts.Add(start);
                members.Add(v with { Start = null });
            }
            else if (member is SampleSyntax s)
            {
                members.Add(new DataSyntax(s.Span, s.Name, s.NameSpan, s.Shape));
            }
            else
            {
                members.Add(member);
            }
        }

        // Pass 1: names. Inputs and targets are registered as data of one sample.
        var inputs = new List<SampleSyntax>();
        var targets = new List<SampleSyntax>();
        for (int k = 0; k < members.Count; k++)
        {
            var original = model.Members[k];
            switch (original)
            {
                case SampleSyntax s:
                    if (s.Shape.Count > 1)
                    {
                        Report(Descriptors.ShapeMismatch, s.Span, $"{s.Keyword} '{s.Name}' has {s.Shape.Count} dimensions; an {s.Keyword} is a scalar or a vector (one row of the {s.Keyword}s matrix)");
                        _declarations.Declare(s.Name, s.NameSpan, members[k]);
                        continue;
                    }
                    if (_declarations.Register(members[k])) (s.Keyword == "input" ? inputs : targets).Add(s);
                    continue;
                case DataSyntax d:
                    Report(Descriptors.NotBuiltYet, d.NameSpan, $"'data' in a model (constants beside the training data; use a param, or an input column)");
                    _declarations.Declare(d.Name, d.NameSpan, d);
                    continue;
                case ObjectiveSyntax o:
                    Report(Descriptors.WrongKindOfName, o.Span, "A model has a 'loss', not named objectives");
                    continue;
                case GoalSyntax g:
                    Report(Descriptors.WrongKindOfName, g.Span, $"A model minimizes its 'loss'; '{(g.Maximize ? "maximize" : "minimize")}' belongs in a problem block");
                    continue;
                case ConstraintsSyntax c:
                    Report(Descriptors.WrongKindOfName, c.Span, "A model has no constraints; write a problem block for a constrained fit");
                    continue;
                case ParetoSyntax p:
                    Report(Descriptors.WrongKindOfName, p.Span, "A pareto block belongs in a problem block");
                    continue;
                case SolverSyntax s:
                    Report(Descriptors.WrongKindOfName, s.Span, $"A model is trained by an 'optimizer NAME(...) {{ ... }}', not a solver line (optimizers: {ModelCatalog.OptimizerNames})");
                    continue;
            }
            _declarations.Register(members[k]);
        }
        foreach (var extra in inputs.Skip(1)) Report(Descriptors.InvalidModel, extra.NameSpan, $"A model has one input (a vector of features); '{inputs[0].Name}' is declared at line {inputs[0].Span.Line + 1}");
        foreach (var extra in targets.Skip(1)) Report(Descriptors.InvalidModel, extra.NameSpan, $"A model has one target (a scalar, or a vector such as a one-hot class); '{targets[0].Name}' is declared at line {targets[0].Span.Line + 1}");
        if (inputs.Count == 0) Report(Descriptors.InvalidModel, model.NameSpan, $"Model '{model.Name}' has no 'input' (one sample's features, e.g. 'input x[d];')");
        if (targets.Count == 0) Report(Descriptors.InvalidModel, model.NameSpan, $"Model '{model.Name}' has no 'target' (one sample's label, e.g. 'target y;')");

        // Pass 2: dims, the sample's data, vars (the weights, laid out in one parameter vector) and params.
        var parameterCount = _declarations.BindAll(members);
        // A dim the input or target defines is known before any data: the constructor takes it.
        foreach (var d in _c.Dims.Values) d.BoundBy = null;
        if (!members.OfType<VarSyntax>().Any()) Report(Descriptors.NoVariables, model.NameSpan, model.Name);
        foreach (var start in randomStarts) CheckRandomStart(start);

        var predictSyntax = model.Members.OfType<PredictSyntax>().ToList();
        var lossSyntax = model.Members.OfType<LossSyntax>().ToList();
        var optimizerSyntax = model.Members.OfType<OptimizerSyntax>().ToList();
        foreach (var extra in predictSyntax.Skip(1)) Report(Descriptors.DuplicateDeclaration, extra.Span, "predict", predictSyntax[0].Span.Line + 1);
        foreach (var extra in lossSyntax.Skip(1)) Report(Descriptors.DuplicateDeclaration, extra.Span, "loss", lossSyntax[0].Span.Line + 1);
        foreach (var extra in optimizerSyntax.Skip(1)) Report(Descriptors.DuplicateDeclaration, extra.NameSpan, "optimizer", optimizerSyntax[0].Span.Line + 1);
        if (predictSyntax.Count == 0) Report(Descriptors.InvalidModel, model.NameSpan, $"Model '{model.Name}' has no 'predict' (its output for one sample, e.g. 'predict sigmoid(z);')");
        if (lossSyntax.Count == 0) Report(Descriptors.InvalidModel, model.NameSpan, $"Model '{model.Name}' has no 'loss' (one sample's loss, e.g. 'loss bce_logits(z, y);')");
        if (optimizerSyntax.Count == 0) Report(Descriptors.InvalidModel, model.NameSpan, $"Model '{model.Name}' has no 'optimizer' (e.g. 'optimizer adam(lr: 1e-3) {{ batch: 32; epochs: 20; }}')");

        DataSymbol? input = inputs.Count > 0 && _c.Data.TryGetValue(inputs[0].Name, out var i) ? i : null;
        DataSymbol? target = targets.Count > 0 && _c.Data.TryGetValue(targets[0].Name, out var t) ? t : null;
        var sampleNames = new HashSet<string>(new[] { input?.Name, target?.Name }.Where(n => n is not null).Select(n => n!), StringComparer.Ordinal);

        var prediction = predictSyntax.Count > 0 ? BindPrediction(predictSyntax[0], target) : null;
        Expr sampleLoss = Expr.Zero, penalty = Expr.Zero;
        if (lossSyntax.Count > 0 && BindLoss(lossSyntax[0], sampleNames) is var (sampleTerms, penaltyTerms))
            (sampleLoss, penalty) = (sampleTerms, penaltyTerms);
        var optimizer = optimizerSyntax.Count > 0 ? BindOptimizer(optimizerSyntax[0]) : null;

        // Lets nothing used: still checked, so a mistake in them is reported, not hidden.
        var lowered = _expressions.LoweredLets;
        foreach (var let in _c.Lets.Values.Where(l => !lowered.Contains(l.Name)))
        {
            if (let.Indices.Count == 0) _expressions.LowerLetBody(let.Name, let.Value, Scope.Root(), []);
            else _expressions.LetAsArray(let, Scope.Root());
        }

        var vars = _c.Vars.Values.OrderBy(v => v.Line).ToList();
        if (optimizer is { Spec.IsFullBatch: true })
        {
            foreach (var (function, span) in _c.NonSmooth)
                Report(Descriptors.NonDifferentiable, span, function, optimizer.Spec.Name);
        }
        if (lossSyntax.Count > 0 && !HasNewErrors)
        {
            var used = new HashSet<string>(ExprGraph.TopologicalOrder(Expr.Add(sampleLoss, penalty)).Where(n => n.Kind == ExprKind.Var).Select(n => n.Symbol!));
            foreach (var v in vars.Where(v => !used.Contains(v.Name)))
                Report(Descriptors.UnusedVariable, ((VarSyntax)_c.Declared[v.Name]).NameSpan, v.Name);
        }
        if (vars.FirstOrDefault(v => v.HasBounds) is { } bounded)
            Report(Descriptors.InvalidVariableInit, ((VarSyntax)_c.Declared[bounded.Name]).Span, $"The weights of a model have no bounds ('{bounded.Name}'); write a problem block for a bounded fit, or penalize with the loss");

        if (HasNewErrors || input is null || target is null || prediction is null || optimizer is null) return null;

        var dims = _c.Dims.Values.OrderBy(d => d.Line).ToList();
        var parameters = _c.Params.Values.OrderBy(x => x.Line).ToList();
        var lbfgs = SolverCatalog.Find("lbfgs")!;
        BoundProblem Problem(Expr objective, IReadOnlyList<DataSymbol> data, string text) => new()
        {
            Name = model.Name,
            NameSpan = model.NameSpan,
            Line = model.Span.Line + 1,
            Dims = dims,
            Data = data,
            Params = parameters,
            Vars = vars,
            VariableCount = parameterCount,
            Objective = objective,
            Maximize = false,
            ObjectiveText = text,
            ObjectiveLine = lossSyntax[0].Span.Line + 1,
            Constraints = [],
            ConstraintCount = new IntConst(0),
            Solver = new BoundSolver(lbfgs.Name, model.Span.Line + 1, lbfgs, []),
            IndexChecks = _c.IndexChecks.ToList(),
            ValueNames = _c.ValueNames,
        };
        string lossText = _c.TextOf(lossSyntax[0].Value.Span);
        return new BoundModel
        {
            Name = model.Name,
            NameSpan = model.NameSpan,
            Line = model.Span.Line + 1,
            Sample = Problem(sampleLoss, [input, target], lossText),
            Penalty = Problem(penalty, [], lossText),
            Input = input,
            Target = target,
            Prediction = prediction,
            LossText = lossText,
            LossLine = lossSyntax[0].Span.Line + 1,
            Optimizer = optimizer,
            RandomStarts = randomStarts,
        };
    }

    // ---- Weights -------------------------------------------------------------------------------------------

    private RandomStart? BindRandomStart(VarSyntax v, CallSyntax call)
    {
        if (call.Name == "glorot")
        {
            if (call.Arguments.Count != 0)
            {
                Report(Descriptors.WrongArity, call.Span, "glorot", "no arguments", call.Arguments.Count);
                return null;
            }
            return new RandomStart(v.Name, "glorot", 0, 0, _c.TextOf(call.Span));
        }
        if (call.Arguments.Count != 2)
        {
            Report(Descriptors.WrongArity, call.Span, call.Name, call.Name == "uniform" ? "2 arguments (low, high)" : "2 arguments (mean, standard deviation)", call.Arguments.Count);
            return null;
        }
        var a = _expressions.ConstantValue(call.Arguments[0], $"The first argument of {call.Name}");
        var b = _expressions.ConstantValue(call.Arguments[1], $"The second argument of {call.Name}");
        if (a is not { Length: 1 } || b is not { Length: 1 }) return null;
        double x = a[0], y = b[0];
        if (double.IsNaN(x) || double.IsInfinity(x) || double.IsNaN(y) || double.IsInfinity(y))
        {
            Report(Descriptors.InvalidVariableInit, call.Span, $"The start of '{v.Name}' must be finite");
            return null;
        }
        if (call.Name == "uniform" && !(x < y))
        {
            Report(Descriptors.InvalidVariableInit, call.Span, $"uniform(low, high) needs low < high; '{v.Name}' has low {Expr.Format(x)} and high {Expr.Format(y)}");
            return null;
        }
        if (call.Name == "normal" && !(y > 0))
        {
            Report(Descriptors.InvalidVariableInit, call.Span, $"normal(mean, std) needs a positive standard deviation; '{v.Name}' has {Expr.Format(y)}");
            return null;
        }
        return new RandomStart(v.Name, call.Name, x, y, _c.TextOf(call.Span));
    }

    private void CheckRandomStart(RandomStart start)
    {
        if (start.Kind != "glorot" || !_c.Vars.TryGetValue(start.Var, out var v) || v.Shape.Count == 2) return;
        var syntax = (VarSyntax)_c.Declared[start.Var];
        Report(Descriptors.InvalidVariableInit, syntax.Span, $"glorot() draws a weight matrix W[fan_out, fan_in]; '{start.Var}' has {v.Shape.Count} dimension(s): use uniform(low, high) or normal(mean, std)");
    }

    // ---- Prediction and loss -------------------------------------------------------------------------------

    private BoundPrediction? BindPrediction(PredictSyntax predict, DataSymbol? target)
    {
        var value = _expressions.Lower(predict.Value, Scope.Root());
        if (value is ErrorValue) return null;
        string text = _c.TextOf(predict.Value.Span);
        int line = predict.Span.Line + 1;
        if (value is ScalarValue s)
        {
            if (ReadsSample(s.Expr, target)) ReportPredictReadsTarget(predict, target!);
            return new BoundPrediction(s.Expr, null, null, null, text, line);
        }
        if (value is ArrayValue a && a.Shape.Count == 1)
        {
            var index = new IndexVar("k", new IntConst(0), a.Shape[0], 0);
            var element = a.At([new IntIndex(index)], 1);
            if (ReadsSample(element, target)) ReportPredictReadsTarget(predict, target!);
            return new BoundPrediction(null, index, element, a.Shape[0], text, line);
        }
        Report(Descriptors.ShapeMismatch, predict.Value.Span, $"A prediction is a scalar or a vector, but this has shape {Shapes.Describe(value.Shape)}");
        return null;
    }

    private void ReportPredictReadsTarget(PredictSyntax predict, DataSymbol target) =>
        Report(Descriptors.InvalidModel, predict.Value.Span, $"The prediction reads the target '{target.Name}', which is not known when predicting; predict from the input and the weights");

    private static bool ReadsSample(Expr e, DataSymbol? symbol) =>
        symbol is not null && ExprGraph.TopologicalOrder(e).Any(n => n.Kind == ExprKind.Data && n.Symbol == symbol.Name);

    /// <summary>The loss as (terms that read the sample, terms that do not), or null when reported.</summary>
    private (Expr Sample, Expr Penalty)? BindLoss(LossSyntax loss, HashSet<string> sampleNames)
    {
        var value = _expressions.Lower(loss.Value, Scope.Root());
        if (value is ErrorValue) return null;
        if (value is not ScalarValue s)
        {
            Report(Descriptors.ExpectedScalar, loss.Value.Span, "The loss of one sample (array losses such as mse(p, y) average over their elements)", Shapes.Describe(value.Shape));
            return null;
        }
        Expr sample = Expr.Zero, penalty = Expr.Zero;
        foreach (var (term, negate) in Terms(s.Expr, false))
        {
            bool readsSample = ExprGraph.TopologicalOrder(term).Any(n => n.Kind == ExprKind.Data && sampleNames.Contains(n.Symbol!));
            if (readsSample) sample = negate ? Expr.Sub(sample, term) : Expr.Add(sample, term);
            else penalty = negate ? Expr.Sub(penalty, term) : Expr.Add(penalty, term);
        }
        if (sampleNames.Count > 0 && sample.IsConst)
        {
            Report(Descriptors.InvalidModel, loss.Value.Span, $"The loss does not read the sample ({string.Join(" or ", sampleNames.Select(n => $"'{n}'"))}): there is nothing to learn from the data");
            return null;
        }
        return (sample, penalty);
    }

    /// <summary>The terms of a sum (each with its sign), walked down chains of + and - iteratively.</summary>
    private static IEnumerable<(Expr Term, bool Negate)> Terms(Expr e, bool negate)
    {
        var pending = new Stack<(Expr, bool)>();
        pending.Push((e, negate));
        while (pending.Count > 0)
        {
            var (x, neg) = pending.Pop();
            switch (x.Kind)
            {
                case ExprKind.Add:
                    pending.Push((x.Args[1], neg));
                    pending.Push((x.Args[0], neg));
                    break;
                case ExprKind.Sub:
                    pending.Push((x.Args[1], !neg));
                    pending.Push((x.Args[0], neg));
                    break;
                case ExprKind.Neg:
                    pending.Push((x.Args[0], !neg));
                    break;
                default:
                    yield return (x, neg);
                    break;
            }
        }
    }

    // ---- Optimizer -----------------------------------------------------------------------------------------

    private BoundOptimizer? BindOptimizer(OptimizerSyntax o)
    {
        var spec = ModelCatalog.FindOptimizer(o.Name);
        if (spec is null)
        {
            string hint = SolverCatalog.Find(o.Name) is not null ? $" ('{o.Name}' is a solver of problem blocks)" : "";
            Report(Descriptors.UnknownOptimizer, o.NameSpan, o.Name, hint, ModelCatalog.OptimizerNames);
            return null;
        }
        double lr = ModelCatalog.DefaultLearningRate(spec.Name);
        var options = new List<(OptionSpec, object)>();
        var seen = new Dictionary<string, OptionSyntax>(StringComparer.Ordinal);
        foreach (var option in o.Options)
        {
            var optionSpec = spec.Options.FirstOrDefault(x => x.Name == option.Name);
            if (optionSpec is null)
            {
                string where = ModelCatalog.Settings.Contains(option.Name) ? $" ('{option.Name}' is a training setting: write it in the optimizer's braces, '{{ {option.Name}: ...; }}')" : "";
                Report(Descriptors.UnknownModelOption, option.NameSpan, $"optimizer {spec.Name}", option.Name, string.Join(", ", spec.Options.Select(x => x.Name)) + where);
                continue;
            }
            if (!Unique(seen, option)) continue;
            var value = _options.Value(optionSpec, option);
            if (value is null) continue;
            if (optionSpec.Name == "lr") lr = (double)value;
            else options.Add((optionSpec, value));
        }
        var settings = BindSettings(o, spec);
        if (settings is null) return null;
        return new BoundOptimizer(spec, o.Span.Line + 1, _c.TextOf(o.NameSpan.To(o.Span)), lr, options, settings);
    }

    private static readonly string[] MiniBatchOnly = ["batch", "shuffle", "schedule", "warmup", "early_stop", "clip_norm", "epochs"];

    private TrainingSettings? BindSettings(OptimizerSyntax o, OptimizerSpec spec)
    {
        var settings = new TrainingSettings();
        var seen = new Dictionary<string, OptionSyntax>(StringComparer.Ordinal);
        int errors = _c.Diagnostics.Count;
        foreach (var s in o.Settings)
        {
            if (!ModelCatalog.Settings.Contains(s.Name))
            {
                string hint = spec.Options.Any(x => x.Name == s.Name) ? $" ('{s.Name}' is an option of {spec.Name}: write it in the parentheses, '{spec.Name}({s.Name}: ...)')" : "";
                Report(Descriptors.UnknownModelOption, s.NameSpan, "The optimizer block", s.Name, string.Join(", ", ModelCatalog.Settings) + hint);
                continue;
            }
            if (!Unique(seen, s)) continue;
            if (spec.IsFullBatch && MiniBatchOnly.Contains(s.Name))
            {
                Report(Descriptors.InvalidOptionValue, s.NameSpan, s.Name,
                    $"does not apply to '{spec.Name}', which minimizes the loss over the whole training set in one solve (its options: {string.Join(", ", spec.Options.Select(x => x.Name))}; its one setting: parallel)");
                continue;
            }
            switch (s.Name)
            {
                case "batch":
                    if (s.Value is ExprOptionValue { Value: NameSyntax { Name: "all" } }) settings = settings with { Batch = 0 };
                    else if (BatchSize(s) is int b) settings = settings with { Batch = b };
                    break;
                case "epochs":
                    if (Setting(s, OptionKind.PositiveCount) is int e) settings = settings with { Epochs = e };
                    break;
                case "shuffle":
                    if (Setting(s, OptionKind.Bool) is bool sh) settings = settings with { Shuffle = sh };
                    break;
                case "seed":
                    if (Setting(s, OptionKind.Count) is int seed) settings = settings with { Seed = seed };
                    break;
                case "clip_norm":
                    if (Setting(s, OptionKind.PositiveReal) is double c) settings = settings with { ClipNorm = c };
                    break;
                case "warmup":
                    if (Setting(s, OptionKind.PositiveCount) is int w) settings = settings with { Warmup = w };
                    break;
                case "parallel":
                    if (_options.Value(new OptionSpec(s.Name, OptionKind.PositiveCount, s.Name, Max: ModelCatalog.MaxParallelism), s) is int threads)
                        settings = settings with { Parallel = threads };
                    break;
                case "schedule":
                    if (BindSchedule(s) is { } schedule) settings = settings with { Schedule = schedule };
                    break;
                case "early_stop":
                    if (BindEarlyStop(s) is { } early) settings = settings with { EarlyStop = early };
                    break;
            }
        }
        if (_c.Diagnostics.Count > errors && _c.Diagnostics.Skip(errors).Any(d => d.Level == DiagnosticLevel.Error)) return null;
        if (settings.Schedule is { Spec.Name: "cosine" } cosine && !cosine.Options.Any(x => x.Option.Name == "t_max"))
        {
            // CosineAnnealingLR needs T_max; a schedule over the whole run (t_max = epochs) is what it is mostly set to.
            var tMax = cosine.Spec.Options.First(x => x.Name == "t_max");
            settings = settings with { Schedule = cosine with { Options = [.. cosine.Options, (tMax, (object)settings.Epochs)] } };
        }
        return settings;
    }

    private object? Setting(OptionSyntax s, OptionKind kind) =>
        _options.Value(new OptionSpec(s.Name, kind, s.Name, Choices: kind == OptionKind.Bool ? ["true", "false"] : null), s);

    /// <summary><c>batch: 32</c>: a whole number of at least 1 (<c>batch: all</c> is handled by the caller).</summary>
    private int? BatchSize(OptionSyntax s)
    {
        if (s.Value is not ExprOptionValue { Value: var e })
        {
            Report(Descriptors.InvalidOptionValue, s.Value.Span, "batch", "takes a single value: a number of rows, or 'all'");
            return null;
        }
        var v = _expressions.ConstantValue(e, "The batch size");
        if (v is not { Length: 1 }) return null;
        if (v[0] >= 1 && Expr.IsInteger(v[0]) && v[0] <= int.MaxValue) return (int)v[0];
        Report(Descriptors.InvalidOptionValue, e.Span, "batch", "must be a whole number of at least 1, or 'all' (the whole training set)");
        return null;
    }

    private BoundSchedule? BindSchedule(OptionSyntax s)
    {
        (string Name, SourceSpan Span, IReadOnlyList<OptionSyntax> Options)? call = s.Value switch
        {
            ExprOptionValue { Value: NameSyntax n } => (n.Name, n.Span, []),
            CallOptionValue c => (c.Name, new SourceSpan(c.Span.Start, c.Name.Length, c.Span.Line, c.Span.Column, c.Span.Line, c.Span.Column + c.Name.Length), c.Options),
            _ => null,
        };
        if (call is null)
        {
            Report(Descriptors.InvalidOptionValue, s.Value.Span, "schedule", $"is a schedule such as cosine(t_max: 100) or step(step_size: 10, gamma: 0.5); schedules: {ModelCatalog.ScheduleNames}");
            return null;
        }
        var spec = ModelCatalog.FindSchedule(call.Value.Name);
        if (spec is null)
        {
            Report(Descriptors.UnknownSchedule, call.Value.Span, call.Value.Name, ModelCatalog.ScheduleNames);
            return null;
        }
        var options = new List<(OptionSpec, object)>();
        var seen = new Dictionary<string, OptionSyntax>(StringComparer.Ordinal);
        bool ok = true;
        foreach (var o in call.Value.Options)
        {
            var option = spec.Options.FirstOrDefault(x => x.Name == o.Name);
            if (option is null)
            {
                Report(Descriptors.UnknownModelOption, o.NameSpan, $"schedule {spec.Name}", o.Name, spec.Options.Count == 0 ? "(none)" : string.Join(", ", spec.Options.Select(x => x.Name)));
                ok = false;
                continue;
            }
            if (!Unique(seen, o)) { ok = false; continue; }
            var value = _options.Value(option, o);
            if (value is null) { ok = false; continue; }
            options.Add((option, value));
        }
        if (!ok) return null;
        foreach (var required in spec.Required.Where(r => !seen.ContainsKey(r)))
        {
            Report(Descriptors.InvalidOptionValue, s.Value.Span, "schedule", $"'{spec.Name}' needs '{required}' ({spec.Name}({string.Join(", ", spec.Required.Select(r => r + ": ..."))}))");
            ok = false;
        }
        double Get(string name) => options.FirstOrDefault(x => x.Item1.Name == name).Item2 is double d ? d : double.NaN;
        if (spec.Name == "plateau" && seen.TryGetValue("factor", out var factor) && !(Get("factor") < 1))
        {
            Report(Descriptors.InvalidOptionValue, factor.Value.Span, "factor", "must lie in (0, 1): the rate is multiplied by it on a plateau");
            ok = false;
        }
        if (spec.Name == "cyclic" && Get("max_lr") < Get("base_lr"))
        {
            Report(Descriptors.InvalidOptionValue, seen["max_lr"].Value.Span, "max_lr", "must be at least base_lr");
            ok = false;
        }
        return ok ? new BoundSchedule(spec, options, _c.TextOf(s.Value.Span)) : null;
    }

    private BoundEarlyStop? BindEarlyStop(OptionSyntax s)
    {
        if (s.Value is not TupleOptionValue tuple)
        {
            Report(Descriptors.InvalidOptionValue, s.Value.Span, "early_stop", "is a list of options: (patience: 5, min_delta: 1e-4, restore_best: true)");
            return null;
        }
        int patience = 0;
        double minDelta = 0;
        bool restoreBest = false, ok = true;
        var seen = new Dictionary<string, OptionSyntax>(StringComparer.Ordinal);
        foreach (var o in tuple.Options)
        {
            var option = ModelCatalog.EarlyStopOptions.FirstOrDefault(x => x.Name == o.Name);
            if (option is null)
            {
                Report(Descriptors.UnknownModelOption, o.NameSpan, "early_stop", o.Name, string.Join(", ", ModelCatalog.EarlyStopOptions.Select(x => x.Name)));
                ok = false;
                continue;
            }
            if (!Unique(seen, o)) { ok = false; continue; }
            switch (_options.Value(option, o))
            {
                case int p: patience = p; break;
                case double d: minDelta = d; break;
                case bool b: restoreBest = b; break;
                default: ok = false; break;
            }
        }
        if (ok && !seen.ContainsKey("patience"))
        {
            Report(Descriptors.InvalidOptionValue, s.Value.Span, "early_stop", "needs 'patience' (the epochs without improvement before stopping)");
            ok = false;
        }
        return ok ? new BoundEarlyStop(patience, minDelta, restoreBest) : null;
    }
}
