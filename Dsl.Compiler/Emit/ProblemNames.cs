using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

/// <summary>
/// The C# name of everything one problem's class declares or uses, chosen once, before any code is written: the class,
/// its properties, fields and constructor parameters, and the locals of its methods. Every name comes from
/// <see cref="NameScope.Claim"/>, so it is a valid identifier and unique where it must be; a public name that had to
/// differ from the .opt name gets an OPT0027 note.
/// </summary>
internal sealed class ProblemNames
{
    /// <summary>Members every generated problem class may declare (public API and explicit-interface helpers).</summary>
    public static readonly string[] GeneratedMembers =
    [
        "Objective", "Gradient", "Hessian", "HessianVectorProduct", "Solve", "VariableCount", "DefaultSolveOptions",
        "StartPoint", "VariableBounds", "Layout", "Constraints", "ConstraintCount", "ConstraintJacobian", "ConstraintBounds",
        "ConstraintLabels", "Lagrangian", "LagrangianGradient", "LagrangianHessian", "LagrangianHessianVectorProduct",
        "Residuals", "ResidualJacobian", "ResidualCount", "ObjectiveValues", "ParetoFront",
    ];

    /// <summary>Members every generated model class may declare (public API, private kernels, nested types).</summary>
    public static readonly string[] ModelMembers =
    [
        "Predict", "Loss", "LossGradient", "Fit", "FitWith", "Save", "Load", "ParameterCount", "GetParameters", "SetParameters", "LearningRate", "TrainingOptions",
        "CreateUpdateRule", "CreateSchedule", "SampleLoss", "SampleGradient", "SampleHessianVectorProduct", "Penalty", "PenaltyGradient",
        "PenaltyHessianVectorProduct", "PredictSample", "Trainable", "Samples", "Initialize", "SolveOptions", "WeightLayouts",
        "BatchLossAndGradient", "BatchLoss", "BatchHessianVectorProduct", "CheckedSamples", "Parallelism",
    ];

    /// <summary>Parameters and fixed locals of a model's kernel methods.</summary>
    public static readonly string[] ModelMethodLocals = ["parameters", "gradient", "v", "hv", "f", "output"];

    /// <summary>Private fields of a generated model class.</summary>
    public static readonly string[] ModelFields = ["_parameters", "_learningRate", "_parallelism"];

    /// <summary>What every class inherits from object: a member of the same name would hide it (CS0108, CS0114).</summary>
    public static readonly string[] ObjectMembers = ["ToString", "GetHashCode", "Equals", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals"];

    /// <summary>Private fields of the generated class.</summary>
    public static readonly string[] GeneratedFields = ["_paretoWeights", "_paretoUpper", "_layout", "s_layout"];

    /// <summary>
    /// Class names that would capture a name the generated code writes as <c>global::Namespace.Type</c>: a class of the
    /// generated file's own namespace with that name. Only the namespaces the generated code uses matter (a problem
    /// named <c>Math</c> in namespace <c>System</c>; a class <c>System</c> in the global namespace).
    /// </summary>
    public static IEnumerable<string> ReservedTypeNames(string? ns)
    {
        string bare = ns is null ? "" : string.Join(".", ns.Split('.').Select(Bare));
        var runtimeTypes = SolverCatalog.All.Select(s => s.ClassName).Concat(SolverCatalog.All.SelectMany(s => s.Options).Select(o => o.ChoiceType))
            .Where(n => n is not null).Select(n => n!)
            .Concat(["Bounds", "GeneratedSupport", "IConstrainedProblem", "IGradientProblem", "ILeastSquaresProblem", "IObjectiveProblem", "IParetoProblem",
                     "ISecondOrderProblem", "ParetoFront", "ParetoMethod", "ParetoSweep", "SolveOptions", "SolveResult", "VariableLayout",
                     "OptMath", "IterationInfo", "Training", "Tuning"]);
        return bare switch
        {
            "" => ["System", "OptDsl"],
            "System" => ["Array", "Math", "Span", "ReadOnlySpan", "TimeSpan", "ArgumentException", "ArgumentNullException",
                         "ArgumentOutOfRangeException", "Numerics", "Collections", "CodeDom"],
            "System.Numerics" => ["Tensors"],
            "System.Numerics.Tensors" => ["TensorPrimitives"],
            "System.Collections" => ["Generic"],
            "System.Collections.Generic" => ["List", "IReadOnlyList"],
            "System.CodeDom" => ["Compiler"],
            "System.CodeDom.Compiler" => ["GeneratedCode", "GeneratedCodeAttribute"],
            "OptDsl" => ["Runtime"],
            "OptDsl.Runtime" => runtimeTypes.Distinct().ToArray(),
            _ => [],
        };
    }

    /// <summary>
    /// Parameters and fixed locals of the kernel methods (objective, derivatives, constraints, residuals), the only methods
    /// that also declare locals for .opt symbols. Other methods (Solve, StartPoint, ...) use no .opt names.
    /// </summary>
    public static readonly string[] MethodLocals =
    [
        "x", "gradient", "hessian", "v", "hv", "values", "jacobian", "multipliers", "residuals", "lower", "upper", "f",
    ];

    public string ClassName { get; }
    private readonly Dictionary<string, string> _properties = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, string> _fields = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, string> _parameters = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, string> _locals = new(System.StringComparer.Ordinal);
    private readonly Dictionary<(string Prefix, string Var), string> _slices = new();
    private readonly NameScope _localScope;

    /// <summary>Chooses every name of <paramref name="p"/>.</summary>
    /// <param name="types">Class names already taken in this file (and names the generated code needs as types).</param>
    /// <param name="notes">Receives an OPT0027 note for each public name that differs from the .opt name.</param>
    /// <param name="model">True for a model block: its members, fields and kernel locals, and a property per weight.</param>
    public ProblemNames(BoundProblem p, NameScope types, string path, List<OptDiagnostic> notes, bool model = false)
    {
        string[] generatedMembers = model ? ModelMembers : GeneratedMembers;
        string[] generatedFields = model ? ModelFields : GeneratedFields;
        string block = model ? "model" : "problem";
        // The class: all-lowercase type names are reserved by C# (CS8981), and a member may not share its class's name.
        // Framework types are written global::System.…, so no .opt name can hide one: only members can clash.
        var members = new NameScope(generatedMembers.Concat(ObjectMembers));
        string candidate = p.Name.Any(char.IsUpper) ? p.Name : CSharpNames.Pascal(p.Name);
        if (members.IsTaken(candidate)) candidate += model ? "Model" : "Problem";
        ClassName = types.Claim(candidate, model ? "Model" : "Problem");
        members.Reserve(ClassName);
        if (ClassName != p.Name)
        {
            notes.Add(Descriptors.Renamed.Create(path, p.NameSpan,
                $"{block} '{p.Name}' is the C# class '{ClassName}' ({(p.Name.Any(char.IsUpper) ? "its name is taken" : "C# reserves all-lowercase type names")})"));
        }

        // A model's weights are properties too, first (they are what users read most).
        if (model)
        {
            foreach (var v in p.Vars)
            {
                string name = members.Claim(CSharpNames.Pascal(v.Name), "Weights");
                _properties[v.Name] = name;
                if (name != CSharpNames.Pascal(v.Name))
                    notes.Add(Descriptors.Renamed.Create(path, v.NameSpan, $"var '{v.Name}' is the property '{name}' ('{CSharpNames.Pascal(v.Name)}' is taken)"));
            }
        }

        // Properties: params, then runtime dims, PascalCased.
        foreach (var param in p.Params)
        {
            string name = members.Claim(CSharpNames.Pascal(param.Name), "Param");
            _properties[param.Name] = name;
            if (name != CSharpNames.Pascal(param.Name))
                notes.Add(Descriptors.Renamed.Create(path, param.NameSpan, $"param '{param.Name}' is the property '{name}' ('{CSharpNames.Pascal(param.Name)}' is taken)"));
        }
        foreach (var dim in p.Dims.Where(d => d.Fixed is null))
        {
            string name = members.Claim(CSharpNames.Pascal(dim.Name), "Dim");
            _properties[dim.Name] = name;
            if (name != CSharpNames.Pascal(dim.Name))
                notes.Add(Descriptors.Renamed.Create(path, dim.NameSpan, $"dim '{dim.Name}' is the property '{name}' ('{CSharpNames.Pascal(dim.Name)}' is taken)"));
        }

        // Fields of data, runtime dims and params (a field may not share a member's name either).
        var fields = new NameScope(generatedFields.Concat(generatedMembers).Concat(ObjectMembers).Concat(_properties.Values).Append(ClassName));
        foreach (var d in p.Data) _fields[d.Name] = fields.Claim("_" + d.Name);
        foreach (var d in p.Dims.Where(d => d.Fixed is null)) _fields[d.Name] = fields.Claim("_" + d.Name);
        foreach (var param in p.Params) _fields[param.Name] = fields.Claim("_" + param.Name);

        // Constructor parameters: the .opt names (a keyword escaped with '@'), clear of what the constructor body names:
        // the fields it assigns (data '_p' beside dim 'p', whose field is '_p') and the counts it sets.
        var parameters = new NameScope(_fields.Values.Concat(generatedFields).Concat(["VariableCount", "ConstraintCount", "ResidualCount", "nameof"]));
        foreach (var d in p.Data) _parameters[d.Name] = parameters.Claim(d.Name);
        foreach (var d in p.Dims.Where(d => d.IsConstructorArgument)) _parameters[d.Name] = parameters.Claim(d.Name);
        foreach (var pair in _parameters.Where(pair => Bare(pair.Value) != pair.Key))
        {
            var span = p.Data.FirstOrDefault(d => d.Name == pair.Key)?.NameSpan ?? p.Dims.First(d => d.Name == pair.Key).NameSpan;
            notes.Add(Descriptors.Renamed.Create(path, span, $"the constructor parameter of '{pair.Key}' is '{Bare(pair.Value)}' ('{pair.Key}' is taken)"));
        }

        // Method locals: one table for every method, clear of parameters, fixed locals, members and fields.
        _localScope = new NameScope((model ? ModelMethodLocals : MethodLocals).Concat(generatedMembers).Concat(ObjectMembers)
            .Concat(generatedFields).Concat(_properties.Values).Concat(_fields.Values).Append(ClassName));
        foreach (var name in p.Dims.Select(d => d.Name).Concat(p.Data.Select(d => d.Name)).Concat(p.Params.Select(x => x.Name)).Concat(p.Vars.Select(v => v.Name)))
            _locals[name] = _localScope.Claim(name);
        foreach (var v in p.Vars)
            foreach (var prefix in new[] { "g_", "v_", "hv_" })
                _slices[(prefix, v.Name)] = _localScope.Claim(prefix + v.Name);
    }

    /// <summary>The property of a param or runtime dim (or of a model's weight).</summary>
    public string Property(string symbol) => _properties[symbol];

    /// <summary>The field holding a data array, a runtime dim or a param's value.</summary>
    public string Field(string symbol) => _fields[symbol];

    /// <summary>The constructor parameter of a data array or constructor dim.</summary>
    public string Parameter(string symbol) => _parameters[symbol];

    /// <summary>The same name as XML documentation and <c>nameof</c> see it (no '@').</summary>
    public static string Bare(string identifier) => identifier.StartsWith("@", System.StringComparison.Ordinal) ? identifier.Substring(1) : identifier;

    /// <summary>The local a method reads a dim, data array, param or variable through.</summary>
    public string Local(string symbol) => _locals[symbol];

    /// <summary>The local view of variable <paramref name="variable"/> inside the output vector of a gradient (g_), direction (v_) or product (hv_).</summary>
    public string Slice(string prefix, string variable) => _slices[(prefix, variable)];

    /// <summary>Every name a method may already use: kernel temporaries and loop indices must avoid them.</summary>
    public IEnumerable<string> ReservedLocals => _localScope.Names;
}
