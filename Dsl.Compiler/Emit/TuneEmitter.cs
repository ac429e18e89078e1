using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

/// <summary>
/// The C# of a tune block: a class named after it, constructed with the model's dims, whose <c>Run</c> trains the model
/// once per trial through <c>OptDsl.Runtime.Tuning.Tuner</c> and returns the study.
/// </summary>
internal sealed class TuneEmitter
{
    private const string Version = "0.1.0";
    private const string Tuning = "global::OptDsl.Runtime.Tuning";

    private readonly SourceWriter _w = new();
    private readonly BoundTune _t;
    private readonly BoundModel _m;
    private readonly ProblemNames _model;
    private readonly string _class;
    private readonly string _file;
    private readonly string? _namespace;

    private TuneEmitter(BoundTune tune, BoundModel model, ProblemNames modelNames, string className, string fileName, string? ns)
    {
        _t = tune;
        _m = model;
        _model = modelNames;
        _class = className;
        _file = fileName;
        _namespace = ns;
    }

    public static string Emit(BoundTune tune, BoundModel model, ProblemNames modelNames, string className, string fileName, string? ns) =>
        new TuneEmitter(tune, model, modelNames, className, fileName, ns).Emit();

    private string Where(int line) => $"{_file}:{line}";
    private string WhereXml(int line) => CSharpNames.XmlText(Where(line));
    private static string Xml(string text) => CSharpNames.XmlText(text);
    private static string Comment(string text) => CSharpNames.CommentText(text);
    private string Model => _model.ClassName;
    private IReadOnlyList<DimSymbol> Dims => _m.Sample.Dims.Where(d => d.Fixed is null).ToList();
    private string InputType => _m.Input.Shape.Count == 1 ? "double[,]" : "double[]";
    private string TargetType => _m.Target.Shape.Count == 1 ? "double[,]" : "double[]";

    private string Emit()
    {
        _w.FileHeader(Version, Comment(_file), $"tune '{Comment(_t.Name)}'", _t.Line, _namespace);
        string sampler = _t.SearchText;
        _w.Line($"/// <summary>");
        _w.Line($"/// The hyperparameter search <c>{Xml(_t.Name)}</c> over model <see cref=\"{Model}\"/> ({WhereXml(_t.Line)}): {Xml(sampler)}" +
                $"{(_t.MedianPruning ? ", median pruning" : "")}{(_t.Method == "hyperband" ? $" (successive halving of trials of up to {_t.MaxEpochs} epochs)" : "")}, {_t.Trials} trial{(_t.Trials == 1 ? "" : "s")}, each judged by the validation loss of its training without the loss's penalty.");
        _w.Line("/// </summary>");
        _w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"OptDsl\", \"{Version}\")]");
        using (_w.Block($"public sealed partial class {_class}"))
        {
            EmitConstructor();
            EmitSpace();
            EmitRun();
        }
        return _w.ToString();
    }

    private void EmitConstructor()
    {
        var dims = Dims;
        foreach (var d in dims)
            _w.Line($"private readonly int {Field(d)}; // dim {Comment(d.Name)} of model {Comment(_m.Name)}");
        if (dims.Count > 0) _w.Line();
        _w.Line($"/// <summary>A search over models <see cref=\"{Model}\"/> of these dims (as its constructor takes them).</summary>");
        SharedMembers.DimConstructor(_w, _class, dims, _model.Parameter, Field, Where);
        _w.Line();
    }

    /// <summary>A trial's value as the option's constructor parameter takes it: an int for a count, else the double.</summary>
    private static string Value(BoundTuneDimension d, int k) => d.IsInteger ? $"(int)values[{k}]" : $"values[{k}]";

    private static string Field(DimSymbol d) => "_" + CSharpNames.Identifier(d.Name).TrimStart('@');

    private void EmitSpace()
    {
        _w.Line("/// <summary>The hyperparameters searched, in the order of the tune block (and of each trial's values).</summary>");
        _w.Line($"public static {Tuning}.SearchSpace Space {{ get; }} = new {Tuning}.SearchSpace(new {Tuning}.TuneDimension[]");
        _w.Line("{");
        _w.Indent();
        foreach (var d in _t.Dimensions)
        {
            string name = CSharpNames.StringLiteral(d.Name);
            string integer = d.IsInteger ? ", isInteger: true" : "";
            string create = d.Kind switch
            {
                DimensionKind.Choice => $"{Tuning}.TuneDimension.Choice({name}, new double[] {{ {string.Join(", ", d.Values.Select(CSharpNames.Literal))} }}{integer})",
                DimensionKind.Range => $"{Tuning}.TuneDimension.Range({name}, {CSharpNames.Literal(d.Low)}, {CSharpNames.Literal(d.High)}{integer})",
                _ => $"{Tuning}.TuneDimension.LogRange({name}, {CSharpNames.Literal(d.Low)}, {CSharpNames.Literal(d.High)}{integer})",
            };
            _w.Line($"{create}, // {Comment(d.Text)} ({Comment(Where(d.Line))})");
        }
        _w.Unindent();
        _w.Line("});");
        _w.Line();
    }

    private void EmitRun()
    {
        _w.Line("/// <summary>");
        _w.Line($"/// Runs the search: for each trial a new <see cref=\"{Model}\"/> with the trial's hyperparameters, trained by <c>Fit</c> on the training data");
        _w.Line("/// and judged after each epoch on the validation data (the pruner listens). The study holds every trial and the best trial's model.");
        _w.Line("/// </summary>");
        _w.Line($"/// <param name=\"inputs\">One training sample per row, as <see cref=\"{Model}.Fit\"/> takes them.</param>");
        _w.Line("/// <param name=\"targets\">The training targets.</param>");
        _w.Line("/// <param name=\"validationInputs\">The validation samples every trial is judged by.</param>");
        _w.Line("/// <param name=\"validationTargets\">The validation targets.</param>");
        _w.Line("/// <param name=\"options\">Progress (after each trial) and cancellation.</param>");
        string signature = $"public {Tuning}.Study<{Model}> Run({InputType} inputs, {TargetType} targets, {InputType} validationInputs, {TargetType} validationTargets, {Tuning}.TuneOptions? options = null)";
        using (_w.Block(signature))
        {
            _w.Line("global::System.ArgumentNullException.ThrowIfNull(inputs);");
            _w.Line("global::System.ArgumentNullException.ThrowIfNull(targets);");
            _w.Line("if (validationInputs is null || validationTargets is null)");
            _w.Line($"    throw new global::System.ArgumentNullException(validationInputs is null ? nameof(validationInputs) : nameof(validationTargets), {CSharpNames.StringLiteral($"tune {_t.Name} judges each trial by its validation loss: give validation data.")});");
            string sampler = _t.Method switch
            {
                "grid" => $"new {Tuning}.GridSampler()",
                "bayes" => $"new {Tuning}.TpeSampler({_t.Trials}, {_t.Seed})",
                _ => $"new {Tuning}.RandomSampler({_t.Trials}, {_t.Seed})",
            };
            string pruner = _t.Method == "hyperband" ? (_t.Iterations > 1 ? $"new {Tuning}.HyperbandPruner({_t.MaxEpochs}, {_t.Eta}, {_t.Iterations})" : $"new {Tuning}.HyperbandPruner({_t.MaxEpochs}, {_t.Eta})") : _t.MedianPruning ? $"new {Tuning}.MedianPruner()" : "null";
            _w.Line($"// search {Comment(_t.SearchText)} ({Comment(Where(_t.SearchLine))})");
            _w.Line($"return {Tuning}.Tuner.Run<{Model}>({CSharpNames.StringLiteral(_t.Name)}, Space, {sampler}, {pruner}, options, (values, trial) =>");
            _w.Line("{");
            _w.Indent();
            _w.Line($"var model = new {Model}({string.Join(", ", Dims.Select(Field))});");
            var settings = new List<string>();
            var ruleOverrides = new Dictionary<string, string>();
            var scheduleOverrides = new Dictionary<string, string>();
            string? warmup = null;
            for (int k = 0; k < _t.Dimensions.Count; k++)
            {
                var d = _t.Dimensions[k];
                string comment = $" // {Comment(d.Text)}";
                switch (d.Target)
                {
                    case TuneTarget.Param:
                        _w.Line($"model.{_model.Property(d.Name)} = values[{k}];{comment}");
                        break;
                    case TuneTarget.LearningRate:
                        _w.Line($"model.LearningRate = values[{k}];{comment}");
                        break;
                    case TuneTarget.Batch:
                        settings.Add($"BatchSize = (int)values[{k}]");
                        break;
                    case TuneTarget.Epochs:
                        settings.Add($"Epochs = (int)values[{k}]");
                        break;
                    case TuneTarget.ClipNorm:
                        settings.Add($"ClipNorm = values[{k}]");
                        break;
                    case TuneTarget.OptimizerOption:
                        ruleOverrides[d.Name] = Value(d, k);
                        break;
                    case TuneTarget.ScheduleOption:
                        scheduleOverrides[d.Name] = Value(d, k);
                        break;
                    case TuneTarget.Warmup:
                        warmup = $"(int)values[{k}]";
                        break;
                }
            }
            if (_t.Method == "hyperband") settings.Add($"Epochs = {_t.MaxEpochs}");
            if (settings.Count > 0) _w.Line($"model.TrainingOptions = model.TrainingOptions with {{ {string.Join(", ", settings)} }};");
            if (ruleOverrides.Count + scheduleOverrides.Count > 0 || warmup is not null)
            {
                // The update rule and schedule of the .opt, with the trial's options in place of the written ones.
                var tuned = _t.Dimensions.Where(d => d.Target is TuneTarget.OptimizerOption or TuneTarget.ScheduleOption or TuneTarget.Warmup).Select(d => d.Text);
                _w.Line($"// {Comment(string.Join("; ", tuned))}");
                _w.Line($"var rule = {ModelEmitter.RuleExpression(_m.Optimizer, _m.Sample.VariableCount is Ir.IntConst ? $"{Model}.ParameterCount" : "model.ParameterCount", ruleOverrides)};");
                _w.Line($"var schedule = {ModelEmitter.ScheduleExpression(_m.Optimizer.Settings, scheduleOverrides, warmup)};");
                _w.Line("var report = model.FitWith(rule, schedule, inputs, targets, validationInputs, validationTargets, trial, trial.CancellationToken);");
            }
            else _w.Line("var report = model.Fit(inputs, targets, validationInputs, validationTargets, trial, trial.CancellationToken);");
            string restores = _m.Optimizer.Spec.IsFullBatch ? "false" : "model.TrainingOptions.EarlyStopping?.RestoreBest ?? false";
            _w.Line($"return new {Tuning}.TrialRun<{Model}>(model, report, {restores});");
            _w.Unindent();
            _w.Line("});");
        }
    }
}
