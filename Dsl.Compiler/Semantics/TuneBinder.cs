using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

/// <summary>How a hyperparameter's values are spread (the runtime's <c>OptDsl.Runtime.Tuning.DimensionKind</c>).</summary>
public enum DimensionKind
{
    LogRange,
    Range,
    Choice,
}

/// <summary>What a tune block's hyperparameter sets on the model.</summary>
public enum TuneTarget
{
    /// <summary>A <c>param</c> of the model (its property).</summary>
    Param,
    /// <summary><c>lr</c>: the optimizer's base learning rate.</summary>
    LearningRate,
    /// <summary><c>batch</c>: rows per batch (an integer, at least 1).</summary>
    Batch,
    /// <summary><c>epochs</c>: passes over the training data (an integer, at least 1).</summary>
    Epochs,
    /// <summary><c>clip_norm</c>: the gradient clipping norm (0 is off).</summary>
    ClipNorm,
    /// <summary><c>warmup</c>: epochs of linear warm-up before the schedule.</summary>
    Warmup,
    /// <summary>An option of the model's update rule (<c>beta1</c>, <c>momentum</c>, ...).</summary>
    OptimizerOption,
    /// <summary>An option of the model's learning-rate schedule (<c>gamma</c>, <c>t_max</c>, ...).</summary>
    ScheduleOption,
}

/// <summary>One hyperparameter of a tune block, checked: its target, its values, and the text it was written as.</summary>
/// <param name="Spec">The kind of value the target takes (for an optimizer or schedule option, the option's own).</param>
public sealed record BoundTuneDimension(string Name, TuneTarget Target, DimensionKind Kind, double Low, double High, bool IsInteger,
                                        EquatableArray<double> Values, string Text, int Line, OptionSpec Spec);

/// <summary>A checked <c>tune M as S { ... }</c> block.</summary>
/// <param name="MaxEpochs">hyperband's R (the epochs of a trial that is never pruned); 0 for the other searches.</param>
/// <param name="Eta">hyperband's η (the factor between rungs); 0 for the other searches.</param>
/// <param name="Iterations">hyperband's runs of all its brackets; 1 for the other searches.</param>
public sealed record BoundTune(string Name, SourceSpan NameSpan, int Line, string Model, EquatableArray<BoundTuneDimension> Dimensions,
                               string Method, int Trials, int Seed, bool MedianPruning, string SearchText, int SearchLine,
                               int MaxEpochs = 0, int Eta = 0, int Iterations = 1)
{
    /// <summary>Hyperband's trials, Σ n_s over its brackets (the runtime's HyperbandPruner.TrialCount, computed the same way).</summary>
    public static int HyperbandTrials(int maxEpochs, int eta)
    {
        int sMax = 0;
        while (Math.Pow(eta, sMax + 1) <= maxEpochs) sMax++;
        int total = 0;
        for (int s = sMax; s >= 0; s--) total += (int)Math.Ceiling((sMax + 1) * Math.Pow(eta, s) / (s + 1) - 1e-9);
        return total;
    }
}

/// <summary>
/// Checks a tune block against the model it searches (bound from the same file): each hyperparameter names a param or a
/// tunable setting with values of the right kind, the search method and its options, the pruner. Reports OPT0038–OPT0041
/// (and OPT0900 for the parts of the language not built yet) at the offending token.
/// </summary>
internal sealed class TuneBinder(string path, List<OptDiagnostic> diagnostics)
{
    /// <summary>Search methods of the language; those not built yet are rejected with OPT0900.</summary>
    private static readonly string[] Methods = ["grid", "random", "bayes", "hyperband"];

    private int _errors;
    private int _iterations = 1;

    private void Report(DiagnosticDescriptor descriptor, SourceSpan span, params object[] args)
    {
        var d = descriptor.Create(path, span, args);
        if (d.Level == DiagnosticLevel.Error) _errors++;
        diagnostics.Add(d);
    }

    /// <summary>The checked block, or null when it has errors (reported).</summary>
    public BoundTune? Bind(TuneSyntax tune, BoundModel? model)
    {
        if (model is null) return null;
        bool fullBatch = model.Optimizer.Spec.IsFullBatch;
        var dimensions = new List<BoundTuneDimension>();
        var spans = new Dictionary<string, SourceSpan>();
        TuneSearchSyntax? search = null;
        bool median = false;
        foreach (var member in tune.Members)
        {
            switch (member)
            {
                case TuneChoiceSyntax or TuneRangeSyntax:
                    var d = Dimension(member, model, fullBatch);
                    if (d is null) break;
                    if (dimensions.Any(x => x.Name == d.Name))
                    {
                        var span = member is TuneChoiceSyntax c ? c.NameSpan : ((TuneRangeSyntax)member).NameSpan;
                        Report(Descriptors.DuplicateDeclaration, span, d.Name, dimensions.First(x => x.Name == d.Name).Line);
                        break;
                    }
                    dimensions.Add(d);
                    spans[d.Name] = member is TuneChoiceSyntax cs ? cs.NameSpan : ((TuneRangeSyntax)member).NameSpan;
                    break;
                case TuneSearchSyntax s:
                    if (search is not null) Report(Descriptors.InvalidTune, s.Span, $"tune block '{tune.Name}' already has a search at line {search.Span.Line + 1}");
                    else search = s;
                    break;
                case TuneOptionSyntax { Option: var o }:
                    if (o.Name != "prune")
                    {
                        Report(Descriptors.InvalidTune, o.NameSpan, $"a tune block has no option '{o.Name}'; its options: prune");
                        break;
                    }
                    if (o.Value is ExprOptionValue { Value: NameSyntax { Name: "median" } }) median = true;
                    else Report(Descriptors.InvalidOptionValue, o.Value.Span, "prune", "must be: median");
                    break;
            }
        }
        ScheduleRules(model, dimensions, spans);
        if (dimensions.Count == 0 && _errors == 0)
            Report(Descriptors.InvalidTune, tune.NameSpan, $"tune block '{tune.Name}' searches nothing: add a hyperparameter, e.g. 'lr in logrange(1e-4, 1e-1);'");
        if (search is null)
        {
            Report(Descriptors.InvalidTune, tune.NameSpan, $"tune block '{tune.Name}' has no search: add 'search grid;' or 'search random(trials: 20, seed: 1);'");
            return null;
        }
        var (method, trials, seed, maxEpochs, eta) = Search(search, dimensions);
        if (method == "hyperband")
        {
            if (fullBatch)
                Report(Descriptors.InvalidTune, search.MethodSpan, $"'hyperband' judges trials by epochs, and model '{model.Name}' trains with '{model.Optimizer.Spec.Name}' in one full-batch solve; use 'random', 'bayes' or 'grid'");
            if (dimensions.FirstOrDefault(d => d.Target == TuneTarget.Epochs) is { } epochs)
                Report(Descriptors.InvalidTune, search.MethodSpan, $"'hyperband' gives every trial up to max_epochs ({maxEpochs}) epochs and stops the poor ones early; remove '{epochs.Text}' (line {epochs.Line})");
            if (median)
                Report(Descriptors.InvalidTune, search.MethodSpan, "'hyperband' prunes by successive halving; remove 'prune: median'");
        }
        if (_errors > 0 || method is null) return null;
        return new BoundTune(tune.Name, tune.NameSpan, tune.Span.Line + 1, model.Name, new EquatableArray<BoundTuneDimension>(dimensions.ToArray()),
            method, trials, seed, median, Text(search), search.Span.Line + 1, maxEpochs, eta, _iterations);
    }

    private BoundTuneDimension? Dimension(TuneMemberSyntax member, BoundModel model, bool fullBatch)
    {
        var (name, nameSpan) = member switch
        {
            TuneChoiceSyntax c => (c.Name, c.NameSpan),
            TuneRangeSyntax r => (r.Name, r.NameSpan),
            _ => throw new InvalidOperationException(),
        };
        if (Target(name, nameSpan, model, fullBatch) is not { } resolved) return null;
        var (target, spec) = resolved;
        bool integer = spec.Kind is OptionKind.Count or OptionKind.PositiveCount;
        int line = member.Span.Line + 1;
        if (member is TuneChoiceSyntax choice)
        {
            var values = new List<double>();
            foreach (var e in choice.Values)
            {
                if (Constant(e, $"a choice of '{name}'") is not { } v) return null;
                if (integer && v != Math.Floor(v))
                {
                    Report(Descriptors.TuneTypeMismatch, e.Span, $"'{name}' is a whole number, and the choice {Format(v)} is not");
                    return null;
                }
                if (!Valid(spec, v, e.Span, name)) return null;
                if (values.Contains(v))
                {
                    Report(Descriptors.InvalidSearchRange, e.Span, $"the choices of '{name}' list {Format(v)} twice");
                    return null;
                }
                values.Add(v);
            }
            return new BoundTuneDimension(name, target, DimensionKind.Choice, values.Min(), values.Max(), integer,
                new EquatableArray<double>(values.ToArray()), $"{name} in {{{string.Join(", ", values.Select(Format))}}}", line, spec);
        }
        var range = (TuneRangeSyntax)member;
        if (range.Value is not CallSyntax { Name: "logrange" or "range" } call)
        {
            Report(Descriptors.InvalidSearchRange, range.Value.Span, $"'{name}' takes a set {{v1, v2, ...}}, 'logrange(a, b)' or 'range(a, b)'");
            return null;
        }
        if (call.Arguments.Count != 2)
        {
            Report(Descriptors.WrongArity, call.Span, call.Name, "2 arguments (the ends, both included)", call.Arguments.Count);
            return null;
        }
        if (Constant(call.Arguments[0], $"the lower end of '{name}'") is not { } low || Constant(call.Arguments[1], $"the upper end of '{name}'") is not { } high)
            return null;
        bool log = call.Name == "logrange";
        if (integer && (low != Math.Floor(low) || high != Math.Floor(high)))
        {
            Report(Descriptors.TuneTypeMismatch, call.Span, $"'{name}' is a whole number: {call.Name}({Format(low)}, {Format(high)}) needs whole ends");
            return null;
        }
        if (log && !(low > 0))
        {
            Report(Descriptors.InvalidSearchRange, call.Arguments[0].Span, $"logrange needs a positive lower end; '{name}' has {Format(low)}");
            return null;
        }
        if (!(low < high))
        {
            Report(Descriptors.InvalidSearchRange, call.Span, low == high
                ? $"the range of '{name}' is empty: {call.Name}({Format(low)}, {Format(high)}) holds one value; give a set {{{Format(low)}}} or a wider range"
                : $"the range of '{name}' is inverted: {call.Name}({Format(low)}, {Format(high)}) needs lower < upper");
            return null;
        }
        if (!Valid(spec, low, call.Arguments[0].Span, name) || !Valid(spec, high, call.Arguments[1].Span, name)) return null;
        return new BoundTuneDimension(name, target, log ? DimensionKind.LogRange : DimensionKind.Range, low, high, integer,
            EquatableArray<double>.Empty, $"{name} in {call.Name}({Format(low)}, {Format(high)})", line, spec);
    }

    /// <summary>
    /// The schedules' rules between options, as the model binder checks them for written values, over every value a
    /// search may draw: plateau's factor below 1, cyclic's max_lr at least its base_lr.
    /// </summary>
    private void ScheduleRules(BoundModel model, List<BoundTuneDimension> dimensions, Dictionary<string, SourceSpan> spans)
    {
        if (model.Optimizer.Settings.Schedule is not { } schedule) return;
        BoundTuneDimension? Tuned(string option) => dimensions.FirstOrDefault(d => d.Target == TuneTarget.ScheduleOption && d.Name == option);
        double Written(string option) => schedule.Options.FirstOrDefault(x => x.Option.Name == option).Value is double v ? v : double.NaN;
        if (schedule.Spec.Name == "plateau" && Tuned("factor") is { } factor && !(factor.High < 1))
            Report(Descriptors.InvalidSearchRange, spans[factor.Name], $"'{factor.Text}' reaches {Format(factor.High)}, and plateau's factor must lie in (0, 1): the rate is multiplied by it on a plateau");
        if (schedule.Spec.Name == "cyclic" && (Tuned("base_lr") is not null || Tuned("max_lr") is not null))
        {
            double baseHigh = Tuned("base_lr")?.High ?? Written("base_lr"), maxLow = Tuned("max_lr")?.Low ?? Written("max_lr");
            if (!(maxLow >= baseHigh))
                Report(Descriptors.InvalidSearchRange, spans[(Tuned("max_lr") ?? Tuned("base_lr"))!.Name],
                    $"cyclic needs max_lr at least base_lr for every trial, and the search may draw base_lr up to {Format(baseHigh)} with max_lr down to {Format(maxLow)}");
        }
    }

    /// <summary>What <paramref name="name"/> sets on the model and the kind of value it takes, or null (reported).</summary>
    private (TuneTarget Target, OptionSpec Spec)? Target(string name, SourceSpan span, BoundModel model, bool fullBatch)
    {
        if (model.Sample.Params.Any(p => p.Name == name)) return (TuneTarget.Param, new OptionSpec(name, OptionKind.Real, name));
        (TuneTarget Target, OptionSpec Spec)? setting = name switch
        {
            "lr" => (TuneTarget.LearningRate, new OptionSpec(name, OptionKind.PositiveReal, "LearningRate")),
            "batch" => (TuneTarget.Batch, new OptionSpec(name, OptionKind.PositiveCount, "BatchSize", Max: int.MaxValue)),
            "epochs" => (TuneTarget.Epochs, new OptionSpec(name, OptionKind.PositiveCount, "Epochs", Max: int.MaxValue)),
            "clip_norm" => (TuneTarget.ClipNorm, new OptionSpec(name, OptionKind.NonNegativeReal, "ClipNorm")),
            "warmup" => (TuneTarget.Warmup, new OptionSpec(name, OptionKind.PositiveCount, "warmup", Max: 1_000_000)),
            _ => null,
        };
        var optimizerOption = fullBatch ? null : model.Optimizer.Spec.Options.FirstOrDefault(o => o.Name == name && name != "lr");
        var scheduleOption = model.Optimizer.Settings.Schedule?.Spec.Options.FirstOrDefault(o => o.Name == name);
        if (fullBatch && (setting is not null || model.Optimizer.Spec.Options.Any(o => o.Name == name)))
        {
            if (setting is null)
            {
                Report(Descriptors.NotBuiltYet, span, $"Tuning the option '{name}' of the full-batch optimizer '{model.Optimizer.Spec.Name}'");
                return null;
            }
            Report(Descriptors.UnknownTuneTarget, span, name, model.Name,
                $"its optimizer '{model.Optimizer.Spec.Name}' trains on the whole training set in one solve, without a learning rate, batches, epochs or a schedule; {Tunable(model, fullBatch)}");
            return null;
        }
        if (setting is not null) return setting;
        if (optimizerOption is not null && scheduleOption is not null)
        {
            Report(Descriptors.InvalidTune, span, $"'{name}' is an option of both the optimizer '{model.Optimizer.Spec.Name}' and the schedule '{model.Optimizer.Settings.Schedule!.Spec.Name}'; the tune block cannot tell which to search");
            return null;
        }
        var option = optimizerOption ?? scheduleOption;
        if (option is not null)
        {
            if (option.Kind is OptionKind.Bool or OptionKind.Choice)
            {
                Report(Descriptors.TuneTypeMismatch, span, $"'{name}' is a {(option.Kind == OptionKind.Bool ? "yes/no" : "word")} option, and a tune block searches numbers");
                return null;
            }
            return (optimizerOption is not null ? TuneTarget.OptimizerOption : TuneTarget.ScheduleOption, option);
        }
        if (ModelCatalog.Settings.Contains(name))
        {
            Report(Descriptors.NotBuiltYet, span, $"Tuning the training setting '{name}' (tunable: params, lr, batch, epochs, clip_norm, warmup, and the options of the optimizer and its schedule)");
            return null;
        }
        bool otherSchedule = ModelCatalog.Schedules.Any(sc => sc.Options.Any(o => o.Name == name));
        string kind = model.Sample.Vars.Any(v => v.Name == name) ? $"'{name}' is a weight of model '{model.Name}', which training sets; "
            : otherSchedule ? $"'{name}' is an option of a schedule the model does not use; " : "";
        Report(Descriptors.UnknownTuneTarget, span, name, model.Name, kind + Tunable(model, fullBatch));
        return null;
    }

    private static string Tunable(BoundModel model, bool fullBatch)
    {
        var names = model.Sample.Params.Select(p => $"param '{p.Name}'").ToList();
        if (!fullBatch)
        {
            names.AddRange(["'lr'", "'batch'", "'epochs'", "'clip_norm'", "'warmup'"]);
            names.AddRange(model.Optimizer.Spec.Options.Where(o => o.Name != "lr" && o.Kind is not (OptionKind.Bool or OptionKind.Choice)).Select(o => $"'{o.Name}'"));
            if (model.Optimizer.Settings.Schedule is { } schedule)
                names.AddRange(schedule.Spec.Options.Where(o => o.Kind is not (OptionKind.Bool or OptionKind.Choice)).Select(o => $"'{o.Name}'"));
        }
        return names.Count == 0 ? "it has nothing to tune (declare a 'param')" : "it can tune: " + string.Join(", ", names.Distinct());
    }

    /// <summary>The runtime's own limits on the value of a setting or option (OptionLimits, shared with the runtime).</summary>
    private bool Valid(OptionSpec spec, double v, SourceSpan span, string name)
    {
        string? problem = spec.Kind switch
        {
            _ when !Finite(v) => "must be finite",
            OptionKind.PositiveReal when !Runtime.Internal.OptionLimits.IsPositive(v) => "must be positive",
            OptionKind.NonNegativeReal when !Runtime.Internal.OptionLimits.IsNonNegative(v) => "must be zero or positive",
            OptionKind.UnitInterval when !Runtime.Internal.OptionLimits.IsInUnitInterval(v) => "must lie in [0, 1)",
            OptionKind.Count when v < 0 || v > int.MaxValue => "must be a whole number of at least 0",
            OptionKind.PositiveCount when v < 1 || v > int.MaxValue => "must be at least 1",
            _ when v > spec.Max => $"must be at most {Format(spec.Max!.Value)}",
            _ when v < spec.Min => $"must be at least {Format(spec.Min!.Value)}",
            _ => null,
        };
        if (problem is null) return true;
        Report(Descriptors.InvalidSearchRange, span, $"'{name}' takes {Format(v)}, but {problem}");
        return false;
    }

    private (string? Method, int Trials, int Seed, int MaxEpochs, int Eta) Search(TuneSearchSyntax s, List<BoundTuneDimension> dimensions)
    {
        if (!Methods.Contains(s.Method))
        {
            Report(Descriptors.InvalidTune, s.MethodSpan, $"there is no search '{s.Method}'; searches: {string.Join(", ", Methods)}");
            return (null, 0, 0, 0, 0);
        }
        string[] allowed = s.Method switch
        {
            "grid" => [],
            "hyperband" => ["max_epochs", "eta", "iterations", "seed"],
            _ => ["trials", "seed"],
        };
        var given = new Dictionary<string, int>();
        foreach (var o in s.Options)
        {
            if (!allowed.Contains(o.Name))
            {
                Report(Descriptors.InvalidTune, o.NameSpan, allowed.Length == 0
                    ? $"'{s.Method}' takes no options (it runs every combination once)"
                    : $"'{s.Method}' has no option '{o.Name}'; its options: {string.Join(", ", allowed)}");
                continue;
            }
            if (o.Value is not ExprOptionValue { Value: var e } || Constant(e, $"'{o.Name}'") is not { } v) continue;
            (double min, double max, string rule) = o.Name switch
            {
                "trials" => (1.0, MaxTrials, $"must be a whole number from 1 to {MaxTrials:N0}"),
                "max_epochs" => (1.0, 1_000_000, "must be a whole number from 1 to 1,000,000"),
                "eta" => (2.0, 100, "must be a whole number from 2 to 100"),
                "iterations" => (1.0, 1000, "must be a whole number from 1 to 1,000"),
                _ => (int.MinValue, int.MaxValue, "must be a whole number"),
            };
            if (v != Math.Floor(v) || v < min || v > max)
            {
                Report(Descriptors.InvalidOptionValue, e.Span, o.Name, rule);
                continue;
            }
            given[o.Name] = (int)v;
        }
        int seed = given.TryGetValue("seed", out int sd) ? sd : 0;
        if (s.Method is "random" or "bayes" && !given.ContainsKey("trials") && _errors == 0)
            Report(Descriptors.InvalidTune, s.MethodSpan, $"'{s.Method}' needs its number of trials: {s.Method}(trials: 20, seed: 1)");
        if (s.Method == "hyperband")
        {
            if (!given.TryGetValue("max_epochs", out int r))
            {
                if (_errors == 0) Report(Descriptors.InvalidTune, s.MethodSpan, "'hyperband' needs the epochs of a full trial: hyperband(max_epochs: 81, eta: 3, seed: 1)");
                return (null, 0, 0, 0, 0);
            }
            int eta = given.TryGetValue("eta", out int et) ? et : 3;
            _iterations = given.TryGetValue("iterations", out int it) ? it : 1;
            long total = (long)BoundTune.HyperbandTrials(r, eta) * _iterations;
            if (total > MaxTrials)
            {
                Report(Descriptors.InvalidTune, s.MethodSpan, $"this hyperband runs {total:N0} trials, more than {MaxTrials:N0}");
                return (null, 0, 0, 0, 0);
            }
            return (s.Method, (int)total, seed, r, eta);
        }
        if (s.Method == "grid")
        {
            long count = 1;
            foreach (var d in dimensions)
            {
                if (d.Kind != DimensionKind.Choice && !(d.Kind == DimensionKind.Range && d.IsInteger))
                {
                    Report(Descriptors.InvalidTune, s.MethodSpan, $"'grid' runs every combination and needs finitely many values, but '{d.Text}' is continuous: give a set {{...}}, or use 'random'");
                    return (null, 0, 0, 0, 0);
                }
                count *= d.Kind == DimensionKind.Choice ? d.Values.Count : (long)(d.High - d.Low) + 1;
                if (count > MaxTrials)
                {
                    Report(Descriptors.InvalidTune, s.MethodSpan, $"the grid has more than {MaxTrials:N0} combinations");
                    return (null, 0, 0, 0, 0);
                }
            }
            return (s.Method, (int)count, seed, 0, 0);
        }
        return (s.Method, given.TryGetValue("trials", out int t) ? t : 0, seed, 0, 0);
    }

    private const int MaxTrials = Runtime.Internal.OptionLimits.MaxTuneTrials;

    /// <summary>A constant number: literals with + - * / ^ and unary minus; null (reported) otherwise.</summary>
    private double? Constant(ExprSyntax e, string what)
    {
        double? v = Evaluate(e);
        if (v is null) Report(Descriptors.NotConstant, e.Span, what);
        else if (!Finite(v.Value))
        {
            Report(Descriptors.InvalidSearchRange, e.Span, $"{what} is {Format(v.Value)}, not a finite number");
            return null;
        }
        return v;
    }

    private static double? Evaluate(ExprSyntax e) => e switch
    {
        NumberSyntax n => n.Value,
        UnarySyntax { Op: '-' } u => -Evaluate(u.Operand),
        BinarySyntax b when Evaluate(b.Left) is { } l && Evaluate(b.Right) is { } r => b.Op switch
        {
            '+' => l + r,
            '-' => l - r,
            '*' => l * r,
            '/' => l / r,
            '^' => Math.Pow(l, r),
            _ => null,
        },
        _ => null,
    };

    private static string Text(TuneSearchSyntax s) =>
        s.Options.Count == 0 ? s.Method : $"{s.Method}({string.Join(", ", s.Options.Select(o => o.Name + ": " + (o.Value is ExprOptionValue { Value: var e } && Evaluate(e) is { } v ? Format(v) : "?")))})";

    private static bool Finite(double v) => !double.IsNaN(v) && !double.IsInfinity(v);

    internal static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
