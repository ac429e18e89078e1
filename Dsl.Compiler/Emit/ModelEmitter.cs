using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Schedule;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

/// <summary>
/// Prints the C# class of one model: its weights as properties, params, training settings, Predict, Loss, Fit, Save and
/// Load, and the kernels of one sample (loss, gradient, prediction) that the batch loops call row by row. Every decision
/// was made before; this only writes. Generated code keeps to C# 10 (the oldest the package supports).
/// </summary>
internal sealed class ModelEmitter
{
    private const string Runtime = "global::OptDsl.Runtime";
    private const string Training = "global::OptDsl.Runtime.Training";
    private const string Span = "global::System.Span<double>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<double>";
    private const string Version = "0.1.0";

    private readonly BoundModel _m;
    private readonly ModelPlan _plan;
    private readonly ProblemNames _names;
    private readonly string _file;
    private readonly string? _namespace;
    private readonly SourceWriter _w = new();

    private ModelEmitter(BoundModel model, ModelPlan plan, ProblemNames names, string fileName, string? ns)
    {
        _m = model;
        _plan = plan;
        _names = names;
        _file = fileName;
        _namespace = ns;
    }

    /// <param name="fileName">The .opt file's name as the user sees it: untrusted text, escaped wherever it is written.</param>
    public static string Emit(BoundModel model, ModelPlan plan, ProblemNames names, string fileName, string? ns) =>
        new ModelEmitter(model, plan, names, fileName, ns).Emit();

    private BoundProblem P => _m.Sample;
    private string Class => _names.ClassName;
    private bool VectorInput => _m.Input.Shape.Count == 1;
    private bool VectorTarget => _m.Target.Shape.Count == 1;
    private bool VectorPrediction => _m.Prediction.Scalar is null;
    private bool FullBatch => _m.Optimizer.Spec.IsFullBatch;
    private bool SecondOrder => _m.Optimizer.Spec.NeedsSecondOrder;

    private string Where(int line) => $"{_file}:{line}";
    private string WhereXml(int line) => CSharpNames.XmlText(Where(line));
    private string WhereComment(int line) => CSharpNames.CommentText(Where(line));
    private static string Xml(string text) => CSharpNames.XmlText(text);
    private static string Comment(string text) => CSharpNames.CommentText(text);
    private string Int(IntExpr e) => MemberInts.Print(e, _names, outermost: true);

    private static string ShapeText(string name, IReadOnlyList<IntExpr> shape) => shape.Count == 0 ? name : $"{name}[{string.Join(", ", shape)}]";

    /// <summary>"var w[d] (file.opt:5)": how messages and documentation name a declaration.</summary>
    private string Declaration(string kind, string name, IReadOnlyList<IntExpr> shape, int line) => $"{kind} {ShapeText(name, shape)} ({Where(line)})";

    private string InputType => VectorInput ? "double[,]" : "double[]";
    private string TargetType => VectorTarget ? "double[,]" : "double[]";
    private string InputLocal => _names.Local(_m.Input.Name);
    private string TargetLocal => _names.Local(_m.Target.Name);

    private string Emit()
    {
        _w.FileHeader(Version, Comment(_file), $"model '{Comment(_m.Name)}'", _m.Line, _namespace);
        _w.Line($"/// <summary>The model <c>{Xml(_m.Name)}</c> from {WhereXml(_m.Line)}: predicts <c>{Xml(_m.Prediction.Text)}</c>, trained by <c>{Xml(_m.Optimizer.Spec.Name)}</c> on the mean of the per-sample loss <c>{Xml(_m.LossText)}</c>.</summary>");
        _w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"OptDsl\", \"{Version}\")]");
        using (_w.Block($"public sealed partial class {Class}"))
        {
            EmitFieldsAndConstructor();
            EmitInitialize();
            EmitWeights();
            EmitTrainingSettings();
            EmitPredict();
            EmitLoss();
            EmitFit();
            EmitSaveLoad();
            EmitBatches();
            EmitKernels();
            EmitNestedTypes();
        }
        return _w.ToString();
    }

    // ---- Fields, constructor, dims, params -----------------------------------------------------------------

    private IEnumerable<DimSymbol> RuntimeDims => P.Dims.Where(d => d.Fixed is null);

    private void EmitFieldsAndConstructor()
    {
        foreach (var d in RuntimeDims)
            _w.Line($"private readonly int {_names.Field(d.Name)}; // dim {Comment(d.Name)} ({WhereComment(d.Line)}), a constructor argument");
        foreach (var p in P.Params)
            _w.Line($"private double {_names.Field(p.Name)} = {CSharpNames.Literal(p.Default)}; // param {Comment(p.Name)} ({WhereComment(p.Line)})");
        _w.Line($"private readonly double[] _parameters; // the weights {Comment(string.Join(", ", P.Vars.Select(v => ShapeText(v.Name, v.Shape))))}, in that order, each row-major");
        _w.Line();

        var dims = RuntimeDims.ToList();
        _w.Line($"/// <summary>Creates the model with every weight at its start{(_m.RandomStarts.Count > 0 ? $" (random starts drawn with the optimizer's seed, {_m.Optimizer.Settings.Seed}; see <see cref=\"Initialize\"/>)" : "")}.</summary>");
        SharedMembers.DimConstructor(_w, Class, dims, _names.Parameter, d => _names.Field(d.Name), Where, () =>
        {
            foreach (var check in P.IndexChecks) SharedMembers.IndexCheck(_w, check, _names, Where(check.Line));
            if (!P.VariableCount.IsConstant) _w.Line($"ParameterCount = checked({Int(P.VariableCount)});");
            _w.Line("_parameters = new double[ParameterCount];");
            _w.Line($"Initialize({_m.Optimizer.Settings.Seed});");
        });
        _w.Line();

        foreach (var d in dims)
        {
            _w.Line($"/// <summary>dim {Xml(d.Name)} ({WhereXml(d.Line)}).</summary>");
            _w.Line($"public int {_names.Property(d.Name)} => {_names.Field(d.Name)};");
            _w.Line();
        }
        foreach (var p in P.Params) SharedMembers.ParamProperty(_w, p, _names, Where(p.Line), WhereXml(p.Line));
        _w.Line($"/// <summary>The number of weights: {Xml(string.Join(", ", P.Vars.Select(v => ShapeText(v.Name, v.Shape))))}, laid out in that order, each row-major.</summary>");
        _w.Line(P.VariableCount is IntConst count ? $"public const int ParameterCount = {count.Value};" : "public int ParameterCount { get; }");
        _w.Line();
    }

    private void EmitInitialize()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Puts every weight back at its start: " + string.Join("; ", P.Vars.Select(v => Xml(ShapeText(v.Name, v.Shape)) + " = " + Xml(StartText(v)))) + ".");
        if (_m.RandomStarts.Count > 0)
            _w.Line("/// Random starts are drawn in declaration order from <c>new System.Random(seed)</c>: the same seed gives the same weights, to the bit.");
        _w.Line("/// </summary>");
        using (_w.Block("public void Initialize(int seed)"))
        {
            if (_m.RandomStarts.Count > 0) _w.Line("var random = new global::System.Random(seed);");
            else _w.Line("_ = seed; // no random start: the seed is not used");
            _w.Line("var weights = global::System.MemoryExtensions.AsSpan(_parameters);");
            _w.Line("weights.Clear();");
            foreach (var v in P.Vars)
            {
                string slice = $"weights.Slice({Int(v.Offset)}, {Int(v.Size)})";
                var random = _m.RandomStarts.FirstOrDefault(r => r.Var == v.Name);
                if (random is not null)
                {
                    _w.Line(random.Kind switch
                    {
                        "uniform" => $"{Training}.ModelSupport.Uniform({slice}, random, {CSharpNames.Literal(random.A)}, {CSharpNames.Literal(random.B)}); // {Comment(v.Name)} = {Comment(random.Text)}",
                        "normal" => $"{Training}.ModelSupport.Normal({slice}, random, {CSharpNames.Literal(random.A)}, {CSharpNames.Literal(random.B)}); // {Comment(v.Name)} = {Comment(random.Text)}",
                        _ => $"{Training}.ModelSupport.Glorot({slice}, random, {Int(v.Shape[0])}, {Int(v.Shape[1])}); // {Comment(v.Name)} = {Comment(random.Text)}",
                    });
                }
                else if (v.Start is { Length: 1 } s && s[0] != 0)
                {
                    _w.Line($"{slice}.Fill({CSharpNames.Literal(s[0])}); // {Comment(v.Name)}");
                }
                else if (v.Start is { Length: > 1 } list)
                {
                    _w.Line($"global::System.MemoryExtensions.CopyTo(new double[] {{ {string.Join(", ", list.Select(CSharpNames.Literal))} }}, {slice}); // {Comment(v.Name)}");
                }
            }
        }
        _w.Line();
    }

    private string StartText(VarSymbol v) =>
        _m.RandomStarts.FirstOrDefault(r => r.Var == v.Name) is { } r ? r.Text
        : v.Start is { Length: 1 } s ? Expr.Format(s[0])
        : v.Start is { } list ? "[" + string.Join(", ", list.Select(Expr.Format)) + "]"
        : "0";

    // ---- Weights -------------------------------------------------------------------------------------------

    private void EmitWeights()
    {
        foreach (var v in P.Vars)
        {
            string name = _names.Property(v.Name);
            string decl = Declaration("var", v.Name, v.Shape, v.Line);
            string offset = Int(v.Offset), size = Int(v.Size);
            switch (v.Shape.Count)
            {
                case 0:
                    _w.Line($"/// <summary>{Xml(decl)}; a finite number.</summary>");
                    using (_w.Block($"public double {name}"))
                    {
                        _w.Line($"get => _parameters[{offset}];");
                        _w.Line($"set => _parameters[{offset}] = double.IsFinite(value) ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, {CSharpNames.StringLiteral(decl + " must be a finite number.")});");
                    }
                    break;
                case 1:
                    _w.Line($"/// <summary>{Xml(decl)}: a copy of the current values; setting copies the values in (length and finiteness checked).</summary>");
                    using (_w.Block($"public double[] {name}"))
                    {
                        _w.Line($"get => global::System.MemoryExtensions.AsSpan(_parameters, {offset}, {size}).ToArray();");
                        using (_w.Block("set"))
                        {
                            _w.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
                            _w.Line($"{Training}.ModelSupport.FromVector(value, global::System.MemoryExtensions.AsSpan(_parameters, {offset}, {size}), {CSharpNames.StringLiteral(decl)});");
                        }
                    }
                    break;
                default:
                    _w.Line($"/// <summary>{Xml(decl)}: a copy of the current values; setting copies the values in (shape and finiteness checked).</summary>");
                    using (_w.Block($"public double[,] {name}"))
                    {
                        _w.Line($"get => {Training}.ModelSupport.ToMatrix(global::System.MemoryExtensions.AsSpan(_parameters, {offset}, {size}), {Int(v.Shape[0])}, {Int(v.Shape[1])});");
                        _w.Line($"set => {Training}.ModelSupport.FromMatrix(value, global::System.MemoryExtensions.AsSpan(_parameters, {offset}, {size}), {Int(v.Shape[0])}, {Int(v.Shape[1])}, {CSharpNames.StringLiteral(decl)});");
                    }
                    break;
            }
            _w.Line();
        }
        _w.Line("/// <summary>A copy of every weight, laid out as <see cref=\"ParameterCount\"/> describes.</summary>");
        _w.Line("public double[] GetParameters() => (double[])_parameters.Clone();");
        _w.Line();
        _w.Line("/// <summary>Sets every weight from one vector laid out as <see cref=\"ParameterCount\"/> describes (length and finiteness checked).</summary>");
        _w.Line($"public void SetParameters({ReadOnlySpan} values) => {Training}.ModelSupport.FromVector(values, _parameters, {CSharpNames.StringLiteral($"model {_m.Name}'s parameter vector")});");
        _w.Line();
    }

    // ---- Training settings ---------------------------------------------------------------------------------

    private void EmitTrainingSettings()
    {
        var o = _m.Optimizer;
        var s = o.Settings;
        string where = WhereXml(o.Line);
        if (FullBatch)
        {
            var solveOptions = o.Options.Where(x => x.Option.OnSolveOptions).ToList();
            _w.Line($"/// <summary>The stopping rules of <c>optimizer {Xml(o.Spec.Name)}</c> ({where}) for <see cref=\"Fit\"/>: a full-batch solve of the mean training loss.</summary>");
            _w.Line(solveOptions.Count == 0
                ? $"public {Runtime}.SolveOptions SolveOptions {{ get; set; }} = new {Runtime}.SolveOptions();"
                : $"public {Runtime}.SolveOptions SolveOptions {{ get; set; }} = new {Runtime}.SolveOptions {{ {string.Join(", ", solveOptions.Select(x => $"{x.Option.Property} = {SharedMembers.OptionValue(x.Option, x.Value)}"))} }};");
            _w.Line();
            _w.Line($"/// <summary>Threads per evaluation of the training loss and its gradient ({(s.Parallel > 1 ? "<c>parallel</c>" : "1 unless set")}): the rows are cut into that many fixed parts added in order, so a run is the same to the bit for the same number.</summary>");
            using (_w.Block("public int Parallelism"))
            {
                _w.Line("get => _parallelism;");
                _w.Line($"set => _parallelism = value >= 1 && value <= {ModelCatalog.MaxParallelism} ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"Parallelism must be 1 to {ModelCatalog.MaxParallelism}.\");");
            }
            _w.Line($"private int _parallelism = {System.Math.Max(1, s.Parallel)};");
            _w.Line();
            return;
        }

        _w.Line($"/// <summary>The base learning rate of <c>optimizer {Xml(o.Spec.Name)}</c> ({where}); a positive finite number.</summary>");
        using (_w.Block("public double LearningRate"))
        {
            _w.Line("get => _learningRate;");
            _w.Line($"set => _learningRate = value > 0 && double.IsFinite(value) ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"The learning rate must be a positive finite number.\");");
        }
        _w.Line($"private double _learningRate = {CSharpNames.Literal(o.LearningRate)};");
        _w.Line();

        var init = new List<string>
        {
            $"Epochs = {s.Epochs}",
            $"BatchSize = {s.Batch}",
            $"Shuffle = {(s.Shuffle ? "true" : "false")}",
            $"Seed = {s.Seed}",
        };
        if (s.ClipNorm > 0) init.Add($"ClipNorm = {CSharpNames.Literal(s.ClipNorm)}");
        if (s.Parallel > 1) init.Add($"Parallelism = {s.Parallel}");
        if (s.EarlyStop is { } e)
            init.Add($"EarlyStopping = new {Training}.EarlyStopping({e.Patience}, {CSharpNames.Literal(e.MinDelta)}, {(e.RestoreBest ? "true" : "false")})");
        _w.Line($"/// <summary>Epochs, batch size{(s.Batch == 0 ? " (0: the whole training set)" : "")}, shuffling, seed{(s.ClipNorm > 0 ? ", gradient clipping" : "")}{(s.Parallel > 1 ? ", threads per batch" : "")}{(s.EarlyStop is not null ? ", early stopping" : "")}: the settings of the optimizer block ({where}).</summary>");
        _w.Line($"public {Training}.TrainingOptions TrainingOptions {{ get; set; }} = new {Training}.TrainingOptions");
        _w.Line("{");
        _w.Indent();
        foreach (var line in init) _w.Line(line + ",");
        _w.Unindent();
        _w.Line("};");
        _w.Line();

        string optionText = string.Join(", ", o.Options.Select(x => $"{x.Option.Name}: {SharedMembers.OptionText(x.Value)}"));
        _w.Line($"/// <summary>A new update rule <c>{Xml(o.Spec.Name)}({Xml(optionText)})</c> ({where}): <see cref=\"Fit\"/> starts each run with a fresh one.</summary>");
        _w.Line($"public {Runtime}.UpdateRule CreateUpdateRule() => {RuleExpression(o, "ParameterCount")};");
        _w.Line();

        string schedule = ScheduleExpression(s);
        string scheduleText = (s.Schedule?.Text ?? "constant") + (s.Warmup > 0 ? $", after {s.Warmup} warm-up epoch(s)" : "");
        _w.Line($"/// <summary>A new learning-rate schedule: <c>{Xml(scheduleText)}</c> ({where}).</summary>");
        _w.Line($"public {Training}.LearningRateSchedule CreateSchedule() => {schedule};");
        _w.Line();
    }

    /// <summary>
    /// The C# that constructs the optimizer's update rule: its fixed arguments, then each option as written, or as
    /// <paramref name="overrides"/> (by .opt option name, a C# expression) says. Shared with the tune blocks' emitter.
    /// </summary>
    internal static string RuleExpression(BoundOptimizer o, string parameterCount, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var arguments = new List<string> { parameterCount };
        arguments.AddRange((o.Spec.FixedArguments ?? []).Select(f => $"{f.Property}: {f.CSharpValue}"));
        arguments.AddRange(Options(o.Spec.Options, o.Options, overrides));
        return $"new {Runtime}.{o.Spec.ClassName}({string.Join(", ", arguments)})";
    }

    /// <summary>The C# that constructs the schedule of <paramref name="s"/> (warm-up included), with the options of <paramref name="overrides"/> replaced.</summary>
    internal static string ScheduleExpression(TrainingSettings s, IReadOnlyDictionary<string, string>? overrides = null, string? warmup = null)
    {
        string schedule = s.Schedule is { } b
            ? $"new {Training}.{b.Spec.ClassName}({string.Join(", ", Options(b.Spec.Options, b.Options, overrides))})"
            : $"new {Training}.ConstantSchedule()";
        warmup ??= s.Warmup > 0 ? s.Warmup.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return warmup is null ? schedule : $"new {Training}.WarmupSchedule({schedule}, {warmup})";
    }

    /// <summary>Named constructor arguments: the written options in order (an override replacing its value), then the overridden options not written.</summary>
    private static IEnumerable<string> Options(IReadOnlyList<OptionSpec> specs, IReadOnlyList<(OptionSpec Option, object Value)> written, IReadOnlyDictionary<string, string>? overrides)
    {
        foreach (var x in written)
            yield return $"{x.Option.Property}: {(overrides is not null && overrides.TryGetValue(x.Option.Name, out var e) ? e : SharedMembers.OptionValue(x.Option, x.Value))}";
        if (overrides is null) yield break;
        foreach (var spec in specs)
            if (overrides.TryGetValue(spec.Name, out var e) && !written.Any(x => x.Option.Name == spec.Name))
                yield return $"{spec.Property}: {e}";
    }

    // ---- Predict and Loss ----------------------------------------------------------------------------------

    private string InputDeclaration => Declaration("input", _m.Input.Name, _m.Input.Shape, _m.Input.Line);
    private string TargetDeclaration => Declaration("target", _m.Target.Name, _m.Target.Shape, _m.Target.Line);

    /// <summary>The row of sample <paramref name="row"/> of <paramref name="matrix"/> as the kernels take it (a span, or the scalar).</summary>
    private static string SampleOf(bool vector, string matrix, string row) => vector ? $"{Training}.ModelSupport.Row({matrix}, {row})" : $"{matrix}[{row}]";

    private void EmitPredict()
    {
        string inputParameter = VectorInput ? $"{ReadOnlySpan} {InputLocal}" : $"double {InputLocal}";
        string text = Xml(_m.Prediction.Text);
        string where = WhereXml(_m.Prediction.Line);
        string inputWidth = VectorInput ? Int(_m.Input.Shape[0]) : "1";
        string outputs = VectorPrediction ? Int(_m.Prediction.Length!) : "1";
        if (!VectorPrediction)
        {
            _w.Line($"/// <summary>The prediction <c>{text}</c> ({where}) for one sample.</summary>");
            using (_w.Block($"public double Predict({inputParameter})"))
            {
                if (VectorInput) RequireLength(InputLocal, inputWidth, InputDeclaration);
                _w.Line($"return PredictSample(_parameters, {InputLocal});");
            }
            _w.Line();
            _w.Line($"/// <summary>The prediction <c>{text}</c> ({where}) for each sample (row) of <paramref name=\"inputs\"/>.</summary>");
            using (_w.Block($"public double[] Predict({InputType} inputs)"))
            {
                RequireInputs("inputs");
                _w.Line("var predictions = new double[rows];");
                _w.Line($"for (int row = 0; row < rows; row++) predictions[row] = PredictSample(_parameters, {SampleOf(VectorInput, "inputs", "row")});");
                _w.Line("return predictions;");
            }
            _w.Line();
            return;
        }
        _w.Line($"/// <summary>Writes the prediction <c>{text}</c> ({where}) for one sample into <paramref name=\"output\"/>.</summary>");
        using (_w.Block($"public void Predict({inputParameter}, {Span} output)"))
        {
            if (VectorInput) RequireLength(InputLocal, inputWidth, InputDeclaration);
            RequireLength("output", outputs, "the prediction");
            _w.Line($"PredictSample(_parameters, {InputLocal}, output);");
        }
        _w.Line();
        _w.Line($"/// <summary>The prediction <c>{text}</c> ({where}) for one sample.</summary>");
        using (_w.Block($"public double[] Predict({inputParameter})"))
        {
            _w.Line($"var output = new double[{outputs}];");
            _w.Line($"Predict({InputLocal}, output);");
            _w.Line("return output;");
        }
        _w.Line();
        _w.Line($"/// <summary>The prediction <c>{text}</c> ({where}) for each sample (row) of <paramref name=\"inputs\"/>: one row of outputs per sample.</summary>");
        using (_w.Block($"public double[,] Predict({InputType} inputs)"))
        {
            RequireInputs("inputs");
            _w.Line($"var predictions = new double[rows, {outputs}];");
            _w.Line($"var output = new double[{outputs}];");
            using (_w.Block("for (int row = 0; row < rows; row++)"))
            {
                _w.Line($"PredictSample(_parameters, {SampleOf(VectorInput, "inputs", "row")}, output);");
                _w.Line("for (int k = 0; k < output.Length; k++) predictions[row, k] = output[k];");
            }
            _w.Line("return predictions;");
        }
        _w.Line();
    }

    private void RequireLength(string span, string expected, string what) =>
        _w.Line($"{Training}.ModelSupport.RequireLength({span}.Length, {expected}, nameof({span}), {CSharpNames.StringLiteral(what)});");

    /// <summary>Declares <c>int rows</c>: the checked row count of an inputs argument.</summary>
    private void RequireInputs(string inputs) =>
        _w.Line(VectorInput
            ? $"int rows = {Training}.ModelSupport.RequireSamples({inputs}, {Int(_m.Input.Shape[0])}, nameof({inputs}), {CSharpNames.StringLiteral(InputDeclaration)});"
            : $"int rows = {Training}.ModelSupport.RequireSamples({inputs}, nameof({inputs}), {CSharpNames.StringLiteral(InputDeclaration)});");

    private void EmitLoss()
    {
        _w.Line($"/// <summary>The mean over the samples (rows) of the loss <c>{Xml(_m.LossText)}</c> ({WhereXml(_m.LossLine)}) at the current weights.</summary>");
        using (_w.Block($"public double Loss({InputType} inputs, {TargetType} targets)"))
        {
            _w.Line("var samples = CheckedSamples(inputs, targets, nameof(inputs), nameof(targets));");
            _w.Line("return BatchLoss(_parameters, samples, samples.AllRows());");
        }
        _w.Line();
        _w.Line($"/// <summary>Writes the gradient of <see cref=\"Loss\"/> with respect to the weights (laid out as <see cref=\"GetParameters\"/>) into <paramref name=\"gradient\"/>, and returns the loss.</summary>");
        using (_w.Block($"public double LossGradient({InputType} inputs, {TargetType} targets, {Span} gradient)"))
        {
            _w.Line("var samples = CheckedSamples(inputs, targets, nameof(inputs), nameof(targets));");
            RequireLength("gradient", "ParameterCount", $"model {_m.Name} has ParameterCount");
            _w.Line("return BatchLossAndGradient(_parameters, samples, samples.AllRows(), gradient);");
        }
        _w.Line();
    }

    // ---- Fit -----------------------------------------------------------------------------------------------

    private void EmitFit()
    {
        var o = _m.Optimizer;
        string how = FullBatch
            ? $"minimizes the mean training loss over the whole training set with <c>{Xml(o.Spec.Name)}</c> (one solve; each iteration is reported as an epoch, the validation loss at the end)"
            : $"runs epochs of {(o.Settings.Batch == 0 ? "full batches" : "mini-batches")} with the update rule of <see cref=\"CreateUpdateRule\"/> and the rates of <see cref=\"CreateSchedule\"/>, as <see cref=\"TrainingOptions\"/> says";
        _w.Line($"/// <summary>");
        _w.Line($"/// Trains the weights in place, from their current values (a second call continues: a warm start; the optimizer's state and");
        _w.Line($"/// schedule start afresh). It {how}. Same seed, same data: the same weights and report, to the bit.");
        _w.Line($"/// </summary>");
        _w.Line($"/// <param name=\"inputs\">One sample per row: {Xml(InputDeclaration)}.</param>");
        _w.Line($"/// <param name=\"targets\">One target per row: {Xml(TargetDeclaration)}.</param>");
        _w.Line("/// <param name=\"validationInputs\">Validation samples (with <paramref name=\"validationTargets\"/>), or null.</param>");
        _w.Line("/// <param name=\"validationTargets\">The validation targets, or null.</param>");
        _w.Line("/// <param name=\"progress\">Told after each epoch.</param>");
        _w.Line("/// <param name=\"cancellationToken\">Stops training (the report says so; the weights are those reached).</param>");
        string fitParameters = $"{InputType} inputs, {TargetType} targets, {InputType}? validationInputs = null, {TargetType}? validationTargets = null, " +
                               $"global::System.IProgress<{Training}.EpochInfo>? progress = null, global::System.Threading.CancellationToken cancellationToken = default";
        if (!FullBatch)
        {
            _w.Line($"public {Training}.TrainingReport Fit({fitParameters}) =>");
            _w.Line("    FitWith(CreateUpdateRule(), CreateSchedule(), inputs, targets, validationInputs, validationTargets, progress, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary><see cref=\"Fit\"/> with another update rule and schedule: the tune blocks of the file set optimizer and schedule options through it.</summary>");
        }
        using (_w.Block(FullBatch
                   ? $"public {Training}.TrainingReport Fit({fitParameters})"
                   : $"internal {Training}.TrainingReport FitWith({Runtime}.UpdateRule rule, {Training}.LearningRateSchedule schedule, {fitParameters})"))
        {
            _w.Line("var training = CheckedSamples(inputs, targets, nameof(inputs), nameof(targets));");
            _w.Line("Samples? validation = null;");
            using (_w.Block("if (validationInputs is not null || validationTargets is not null)"))
            {
                _w.Line("if (validationInputs is null || validationTargets is null) throw new global::System.ArgumentException(\"Validation needs both validationInputs and validationTargets.\", validationInputs is null ? nameof(validationInputs) : nameof(validationTargets));");
                _w.Line("validation = CheckedSamples(validationInputs, validationTargets, nameof(validationInputs), nameof(validationTargets));");
            }
            if (FullBatch)
            {
                var solverOptions = o.Options.Where(x => !x.Option.OnSolveOptions).ToList();
                _w.Line(solverOptions.Count == 0
                    ? $"var solver = new {Runtime}.{o.Spec.ClassName}();"
                    : $"var solver = new {Runtime}.{o.Spec.ClassName} {{ {string.Join(", ", solverOptions.Select(x => $"{x.Option.Property} = {SharedMembers.OptionValue(x.Option, x.Value)}"))} }};");
                _w.Line($"return {Training}.FullBatchTrainer.Fit(new Trainable(this), _parameters, solver, SolveOptions, training, validation, progress, cancellationToken, Parallelism);");
            }
            else
            {
                _w.Line($"return {Training}.Trainer.Fit(new Trainable(this), _parameters, rule, LearningRate, schedule, TrainingOptions, training, validation, progress, cancellationToken);");
            }
        }
        _w.Line();

        using (_w.Block($"private Samples CheckedSamples({InputType} inputs, {TargetType} targets, string inputsName, string targetsName)"))
        {
            _w.Line(VectorInput
                ? $"int rows = {Training}.ModelSupport.RequireSamples(inputs, {Int(_m.Input.Shape[0])}, inputsName, {CSharpNames.StringLiteral(InputDeclaration)});"
                : $"int rows = {Training}.ModelSupport.RequireSamples(inputs, inputsName, {CSharpNames.StringLiteral(InputDeclaration)});");
            _w.Line(VectorTarget
                ? $"int targetRows = {Training}.ModelSupport.RequireSamples(targets, {Int(_m.Target.Shape[0])}, targetsName, {CSharpNames.StringLiteral(TargetDeclaration)});"
                : $"int targetRows = {Training}.ModelSupport.RequireSamples(targets, targetsName, {CSharpNames.StringLiteral(TargetDeclaration)});");
            _w.Line($"{Training}.ModelSupport.RequireSameRows(rows, targetRows, inputsName, targetsName);");
            _w.Line("return new Samples(inputs, targets, rows);");
        }
        _w.Line();
    }

    // ---- Save and Load -------------------------------------------------------------------------------------

    private void EmitSaveLoad()
    {
        string model = CSharpNames.StringLiteral(_m.Name);
        _w.Line("/// <summary>Where each weight lives in the parameter vector, for the model file.</summary>");
        _w.Line($"private {Training}.WeightLayout[] WeightLayouts() => new {Training}.WeightLayout[]");
        _w.Line("{");
        _w.Indent();
        foreach (var v in P.Vars)
        {
            string shape = v.Shape.Count == 0 ? "global::System.Array.Empty<int>()" : $"new int[] {{ {string.Join(", ", v.Shape.Select(Int))} }}";
            _w.Line($"new {Training}.WeightLayout({CSharpNames.StringLiteral(v.Name)}, {shape}, {Int(v.Offset)}),");
        }
        _w.Unindent();
        _w.Line("};");
        _w.Line();
        string paramValues = P.Params.Count == 0
            ? "global::System.Array.Empty<(string, double)>()"
            : "new (string, double)[] { " + string.Join(", ", P.Params.Select(p => $"({CSharpNames.StringLiteral(p.Name)}, {_names.Field(p.Name)})")) + " }";
        _w.Line("/// <summary>Writes the weights and params to a JSON file (docs/models.md, \"Saving and loading\"); every value reads back to the same bits.</summary>");
        _w.Line($"public void Save(string path) => {Training}.ModelFile.Save(path, {model}, WeightLayouts(), _parameters, {paramValues});");
        _w.Line();
        _w.Line("/// <summary>Reads weights and params written by <see cref=\"Save\"/>; the file must hold this model with the same shapes (nothing changes otherwise).</summary>");
        using (_w.Block("public void Load(string path)"))
        {
            _w.Line($"var values = new double[{P.Params.Count}];");
            string names = P.Params.Count == 0 ? "global::System.Array.Empty<string>()" : "new string[] { " + string.Join(", ", P.Params.Select(p => CSharpNames.StringLiteral(p.Name))) + " }";
            _w.Line($"{Training}.ModelFile.Load(path, {model}, WeightLayouts(), _parameters, {names}, values);");
            for (int k = 0; k < P.Params.Count; k++) _w.Line($"{_names.Field(P.Params[k].Name)} = values[{k}];");
        }
        _w.Line();
    }

    // ---- Batches -------------------------------------------------------------------------------------------

    private void EmitBatches()
    {
        string x = SampleOf(VectorInput, "data.Inputs", "row");
        string y = SampleOf(VectorTarget, "data.Targets", "row");
        _w.Line("/// <summary>The mean loss over <paramref name=\"rows\"/> and its gradient: each row's loss and gradient added in row order, then the penalty's.</summary>");
        using (_w.Block($"private double BatchLossAndGradient({ReadOnlySpan} parameters, Samples data, global::System.ReadOnlySpan<int> rows, {Span} gradient)"))
        {
            _w.Line("gradient.Clear();");
            _w.Line("double loss = 0;");
            _w.Line($"foreach (int row in rows) loss += SampleGradient(parameters, {x}, {y}, gradient);");
            _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, 1.0 / rows.Length, gradient);");
            _w.Line(_m.HasPenalty ? "return loss / rows.Length + PenaltyGradient(parameters, gradient);" : "return loss / rows.Length;");
        }
        _w.Line();
        _w.Line("/// <summary>The mean loss over <paramref name=\"rows\"/>.</summary>");
        using (_w.Block($"private double BatchLoss({ReadOnlySpan} parameters, Samples data, global::System.ReadOnlySpan<int> rows)"))
        {
            _w.Line("double loss = 0;");
            _w.Line($"foreach (int row in rows) loss += SampleLoss(parameters, {x}, {y});");
            _w.Line(_m.HasPenalty ? "return loss / rows.Length + Penalty(parameters);" : "return loss / rows.Length;");
        }
        _w.Line();
        if (!SecondOrder) return;
        _w.Line("/// <summary>∇²L·v for the mean loss L over <paramref name=\"rows\"/>.</summary>");
        using (_w.Block($"private void BatchHessianVectorProduct({ReadOnlySpan} parameters, Samples data, global::System.ReadOnlySpan<int> rows, {ReadOnlySpan} v, {Span} hv)"))
        {
            _w.Line("hv.Clear();");
            _w.Line($"foreach (int row in rows) SampleHessianVectorProduct(parameters, {x}, {y}, v, hv);");
            _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Multiply(hv, 1.0 / rows.Length, hv);");
            if (_m.HasPenalty) _w.Line("PenaltyHessianVectorProduct(parameters, v, hv);");
        }
        _w.Line();
    }

    // ---- Kernels -------------------------------------------------------------------------------------------

    private void PrintKernel(KernelPlan plan) => new KernelPrinter(_w, _file).Print(plan);

    private string SampleParameters =>
        $"{ReadOnlySpan} parameters, {(VectorInput ? ReadOnlySpan : "double")} {InputLocal}, {(VectorTarget ? ReadOnlySpan : "double")} {TargetLocal}";

    private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

    private void EmitKernels()
    {
        string loss = Comment(_m.LossText);
        string where = WhereComment(_m.LossLine);
        _w.Line($"// One sample's loss ({where}): the terms of '{loss}' that read the sample{(_m.HasPenalty ? "; the others are the penalty, added once per batch" : "")}.");
        using (_w.Block($"private double SampleLoss({SampleParameters})"))
        {
            PrintKernel(_plan.SampleLoss);
            _w.Line("return f;");
        }
        _w.Line();
        _w.Line($"// One sample's loss and its gradient, added into gradient ({where}).");
        _w.Line(Inline);
        using (_w.Block($"private double SampleGradient({SampleParameters}, {Span} gradient)"))
        {
            PrintKernel(_plan.SampleGradient);
            _w.Line("return f;");
        }
        _w.Line();
        if (_plan.SampleHessianVectorProduct is { } hvp)
        {
            _w.Line($"// One sample's ∇²f·v, added into hv ({where}).");
            using (_w.Block($"private void SampleHessianVectorProduct({SampleParameters}, {ReadOnlySpan} v, {Span} hv)"))
                PrintKernel(hvp);
            _w.Line();
        }
        if (_m.HasPenalty)
        {
            _w.Line($"// The penalty ({where}): the terms of '{loss}' that read no sample, once per batch.");
            using (_w.Block($"private double Penalty({ReadOnlySpan} parameters)"))
            {
                PrintKernel(_plan.Penalty!);
                _w.Line("return f;");
            }
            _w.Line();
            _w.Line("// The penalty and its gradient, added into gradient.");
            using (_w.Block($"private double PenaltyGradient({ReadOnlySpan} parameters, {Span} gradient)"))
            {
                PrintKernel(_plan.PenaltyGradient!);
                _w.Line("return f;");
            }
            _w.Line();
            if (_plan.PenaltyHessianVectorProduct is { } penaltyHvp)
            {
                _w.Line("// The penalty's ∇²f·v, added into hv.");
                using (_w.Block($"private void PenaltyHessianVectorProduct({ReadOnlySpan} parameters, {ReadOnlySpan} v, {Span} hv)"))
                    PrintKernel(penaltyHvp);
                _w.Line();
            }
        }
        string input = $"{(VectorInput ? ReadOnlySpan : "double")} {InputLocal}";
        _w.Line($"// The prediction ({WhereComment(_m.Prediction.Line)}): {Comment(_m.Prediction.Text)}");
        if (VectorPrediction)
        {
            using (_w.Block($"private void PredictSample({ReadOnlySpan} parameters, {input}, {Span} output)"))
                PrintKernel(_plan.Predict);
        }
        else
        {
            using (_w.Block($"private double PredictSample({ReadOnlySpan} parameters, {input})"))
            {
                PrintKernel(_plan.Predict);
                _w.Line("return f;");
            }
        }
        _w.Line();
    }

    // ---- Nested types --------------------------------------------------------------------------------------

    private void EmitNestedTypes()
    {
        _w.Line("/// <summary>Checked training or validation data: rows are samples; a batch is a list of row indices into them.</summary>");
        using (_w.Block("private sealed class Samples"))
        {
            _w.Line($"public readonly {InputType} Inputs;");
            _w.Line($"public readonly {TargetType} Targets;");
            _w.Line("public readonly int Count;");
            _w.Line();
            using (_w.Block($"public Samples({InputType} inputs, {TargetType} targets, int count)"))
            {
                _w.Line("Inputs = inputs;");
                _w.Line("Targets = targets;");
                _w.Line("Count = count;");
            }
            _w.Line();
            using (_w.Block("public int[] AllRows()"))
            {
                _w.Line("var rows = new int[Count];");
                _w.Line("for (int row = 0; row < rows.Length; row++) rows[row] = row;");
                _w.Line("return rows;");
            }
        }
        _w.Line();
        string iface = SecondOrder ? $"{Training}.ISecondOrderTrainableModel<Samples>" : $"{Training}.ITrainableModel<Samples>";
        _w.Line("/// <summary>The model as the trainers see it.</summary>");
        using (_w.Block($"private sealed class Trainable : {iface}"))
        {
            _w.Line($"private readonly {Class} _model;");
            _w.Line();
            _w.Line($"public Trainable({Class} model) => _model = model;");
            _w.Line();
            _w.Line(P.VariableCount.IsConstant ? $"public int ParameterCount => {Class}.ParameterCount;" : "public int ParameterCount => _model.ParameterCount;");
            _w.Line();
            _w.Line("public int SampleCount(Samples data) => data.Count;");
            _w.Line();
            _w.Line($"public double BatchLossAndGradient({ReadOnlySpan} parameters, Samples data, global::System.ReadOnlySpan<int> rows, {Span} gradient) =>");
            _w.Line("    _model.BatchLossAndGradient(parameters, data, rows, gradient);");
            _w.Line();
            _w.Line($"public double BatchLoss({ReadOnlySpan} parameters, Samples data, global::System.ReadOnlySpan<int> rows) => _model.BatchLoss(parameters, data, rows);");
            if (_m.HasPenalty)
            {
                _w.Line();
                _w.Line($"public double Penalty({ReadOnlySpan} parameters) => _model.Penalty(parameters);");
            }
            if (SecondOrder)
            {
                _w.Line();
                _w.Line($"public void BatchHessianVectorProduct({ReadOnlySpan} parameters, Samples data, global::System.ReadOnlySpan<int> rows, {ReadOnlySpan} v, {Span} hv) =>");
                _w.Line("    _model.BatchHessianVectorProduct(parameters, data, rows, v, hv);");
            }
        }
    }
}
