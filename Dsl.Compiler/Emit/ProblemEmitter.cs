using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptDsl.Compiler.Schedule;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

/// <summary>Prints the C# class for one problem. Every decision was made before (binding, differentiation, scheduling); this only writes.</summary>
public sealed partial class ProblemEmitter
{
    private const string Runtime = "global::OptDsl.Runtime";
    private const string Version = "0.1.0";

    private readonly BoundProblem _p;
    private readonly ProblemPlan _plan;
    private readonly string _file;
    private readonly string? _namespace;
    private readonly SourceWriter _w = new();
    private readonly ProblemNames _names;

    private ProblemEmitter(BoundProblem problem, ProblemPlan plan, ProblemNames names, string fileName, string? ns)
    {
        _p = problem;
        _plan = plan;
        _names = names;
        _file = fileName;
        _namespace = ns;
    }

    /// <summary>The C# source of <paramref name="problem"/>'s class, its kernels as <paramref name="plan"/> schedules them, with the names chosen in <paramref name="names"/>.</summary>
    /// <param name="fileName">The .opt file's name as the user sees it: untrusted text, escaped wherever it is written.</param>
    /// <param name="ns">A valid C# namespace (<see cref="CSharpNames.Namespace"/>), or null.</param>
    internal static string Emit(BoundProblem problem, ProblemPlan plan, ProblemNames names, string fileName, string? ns) => new ProblemEmitter(problem, plan, names, fileName, ns).Emit();

    /// <summary>"file.opt:12", raw: escape it for where it lands (<see cref="CSharpNames"/>).</summary>
    private string Where(int line) => $"{_file}:{line}";

    /// <summary><see cref="Where"/> for a comment or XML documentation.</summary>
    private string WhereXml(int line) => CSharpNames.XmlText(Where(line));

    private string WhereComment(int line) => CSharpNames.CommentText(Where(line));

    /// <summary><see cref="Where"/> inside a string literal, regular or interpolated.</summary>
    private string WhereString(int line) => CSharpNames.StringContent(Where(line));

    private string WhereInterpolated(int line) => CSharpNames.InterpolatedContent(Where(line));

    private bool HasRuntimeDims => _p.Dims.Any(d => d.Fixed is null);

    private string PropertyName(string name) => _names.Property(name);

    private string Emit()
    {
        _w.FileHeader(Version, CSharpNames.CommentText(_file), $"problem '{Comment(_p.Name)}'", _p.Line, _namespace);

        var interfaces = new List<string> { $"{Runtime}.ISecondOrderProblem" };
        if (_p.Residuals is not null) interfaces.Add($"{Runtime}.ILeastSquaresProblem");
        if (_p.Constraints.Count > 0) interfaces[0] = $"{Runtime}.IConstrainedProblem";
        if (_p.Pareto is not null && _p.CanSolve) interfaces.Add($"{Runtime}.IParetoProblem");
        _w.Line(_p.Pareto is null
            ? $"/// <summary>The problem <c>{Xml(_p.Name)}</c> from {WhereXml(_p.Line)}: {(_p.Maximize ? "maximize" : "minimize")} <c>{Xml(_p.ObjectiveText)}</c>.</summary>"
            : $"/// <summary>The problem <c>{Xml(_p.Name)}</c> from {WhereXml(_p.Line)}: the Pareto front of {string.Join(", ", _p.Pareto.Select(o => (o.Maximize ? "maximize " : "minimize ") + Xml(o.Name)))}.</summary>");
        _w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"OptDsl\", \"{Version}\")]");
        using (_w.Block($"public sealed partial class {_names.ClassName} : {string.Join(", ", interfaces)}"))
        {
            EmitFieldsAndConstructor();
            EmitObjectiveMethods();
            if (_p.Constraints.Count > 0) EmitConstraintMethods();
            if (_p.Residuals is not null) EmitLeastSquaresMethods();
            EmitSolve();
            if (_p.Pareto is not null) EmitPareto();
        }
        return _w.ToString();
    }

    /// <summary>.opt text (an expression, a default) inside XML documentation.</summary>
    private static string Xml(string text) => CSharpNames.XmlText(text);

    /// <summary>.opt text inside a <c>//</c> comment.</summary>
    private static string Comment(string text) => CSharpNames.CommentText(text);

    // ---- Fields, constructor, properties -------------------------------------------------------------------

    private string DimField(string dim) => _names.Field(dim);

    /// <summary>An integer expression in member context (constructor, properties), reading dims from fields (<see cref="MemberInts"/>).</summary>
    private string MemberInt(IntExpr e, bool outermost = false) => MemberInts.Print(e, _names, outermost);

    private void EmitFieldsAndConstructor()
    {
        foreach (var d in _p.Data)
        {
            string shape = d.Shape.Count == 0 ? "" : "[" + string.Join(", ", d.Shape) + "]";
            string kind = d.Shape.Count == 2 ? "row-major copy of " : "";
            _w.Line($"private readonly {(d.Shape.Count == 0 ? "double" : "double[]")} {_names.Field(d.Name)}; // {kind}data {Comment(d.Name + shape)} ({WhereComment(d.Line)})");
        }
        foreach (var d in _p.Dims.Where(d => d.Fixed is null))
            _w.Line($"private readonly int {DimField(d.Name)}; // dim {Comment(d.Name)} ({WhereComment(d.Line)}), {(d.BoundBy is { } b ? $"the length of {Comment(b.Data)}" + (b.Axis > 0 ? $" along axis {b.Axis}" : "") : "a constructor argument")}");
        foreach (var p in _p.Params)
            _w.Line($"private double {_names.Field(p.Name)} = {CSharpNames.Literal(p.Default)}; // param {Comment(p.Name)} ({WhereComment(p.Line)})");
        if (_p.Data.Count > 0 || HasRuntimeDims || _p.Params.Count > 0) _w.Line();

        var parameters = _p.Data.Select(d => $"{(d.Shape.Count switch { 0 => "double", 1 => "double[]", _ => "double[,]" })} {_names.Parameter(d.Name)}")
            .Concat(_p.Dims.Where(d => d.IsConstructorArgument).Select(d => $"int {_names.Parameter(d.Name)}")).ToList();

        _w.Line($"/// <summary>Creates the problem{(parameters.Count > 0 ? " over its data" : "")}.</summary>");
        foreach (var d in _p.Data)
            _w.Line($"/// <param name=\"{ProblemNames.Bare(_names.Parameter(d.Name))}\">data {Xml(d.Name + (d.Shape.Count == 0 ? "" : "[" + string.Join(", ", d.Shape) + "]"))} ({WhereXml(d.Line)}).</param>");
        foreach (var d in _p.Dims.Where(d => d.IsConstructorArgument))
            _w.Line($"/// <param name=\"{ProblemNames.Bare(_names.Parameter(d.Name))}\">dim {Xml(d.Name)} ({WhereXml(d.Line)}).</param>");
        using (_w.Block($"public {_names.ClassName}({string.Join(", ", parameters)})"))
        {
            var nullChecked = new HashSet<string>();
            foreach (var d in _p.Dims.Where(d => d.IsConstructorArgument))
            {
                string arg = _names.Parameter(d.Name);
                _w.Line($"if ({arg} < 0) throw new global::System.ArgumentOutOfRangeException(nameof({arg}), {arg}, \"dim {d.Name} ({WhereString(d.Line)}) cannot be negative.\");");
                _w.Line($"{DimField(d.Name)} = {arg};");
            }
            // Dims bound by data come first, so every later length check can name its source.
            foreach (var d in _p.Dims.Where(d => d.BoundBy is not null))
            {
                var (data, axis) = d.BoundBy!.Value;
                string arg = _names.Parameter(data);
                var symbol = _p.Data.First(x => x.Name == data);
                if (nullChecked.Add(arg)) _w.Line($"global::System.ArgumentNullException.ThrowIfNull({arg});");
                _w.Line($"{DimField(d.Name)} = {(symbol.Shape.Count == 1 ? $"{arg}.Length" : $"{arg}.GetLength({axis})")};");
            }
            foreach (var d in _p.Data)
            {
                string arg = _names.Parameter(d.Name);
                string field = _names.Field(d.Name);
                string decl = $"data {d.Name} ({Where(d.Line)})";
                if (d.Shape.Count == 0)
                {
                    _w.Line($"if (!double.IsFinite({arg})) throw new global::System.ArgumentException({CSharpNames.StringLiteral(decl + " must be a finite number, not ")} + {arg} + \".\", nameof({arg}));");
                    _w.Line($"{field} = {arg};");
                    continue;
                }
                if (nullChecked.Add(arg)) _w.Line($"global::System.ArgumentNullException.ThrowIfNull({arg});");
                for (int axis = 0; axis < d.Shape.Count; axis++)
                {
                    var extent = d.Shape[axis];
                    bool definesDim = extent is IntDim dim && _p.Dims.First(x => x.Name == dim.Name).BoundBy == (d.Name, axis);
                    if (definesDim) continue;
                    string actual = d.Shape.Count == 1 ? $"{arg}.Length" : $"{arg}.GetLength({axis})";
                    string expected = MemberInt(extent);
                    string what = d.Shape.Count == 1 ? "length" : $"size along axis {axis}";
                    _w.Line($"if ({actual} != {expected}) throw new global::System.ArgumentException($\"{CSharpNames.InterpolatedContent(decl)} has {what} {{{actual}}}, but its declared shape needs {extent} = {{{expected}}}.\", nameof({arg}));");
                }
                // An empty array (or dims that make one empty) leaves its sums empty and its means NaN: refused, named.
                _w.Line(d.Shape.Count == 1
                    ? $"if ({arg}.Length == 0) throw new global::System.ArgumentException({CSharpNames.StringLiteral(decl + " is empty; a data array needs at least one element.")}, nameof({arg}));"
                    : $"if ({arg}.Length == 0) throw new global::System.ArgumentException($\"{CSharpNames.InterpolatedContent(decl)} is empty ({{{arg}.GetLength(0)}} × {{{arg}.GetLength(1)}}); a data array needs at least one element.\", nameof({arg}));");
                _w.Line(d.Shape.Count == 1
                    ? $"{field} = {arg};"
                    : $"{field} = {Runtime}.GeneratedSupport.RowMajor({arg});");
                _w.Line($"{Runtime}.GeneratedSupport.RequireFinite({field}, nameof({arg}), {CSharpNames.StringLiteral(decl)});");
            }
            foreach (var check in _p.IndexChecks) SharedMembers.IndexCheck(_w, check, _names, Where(check.Line));
            foreach (var v in _p.Vars.Where(v => !v.Size.IsProvablyNonNegative))
            {
                string size = MemberInt(v.Size, outermost: true);
                _w.Line($"if ({size} < 0) throw new global::System.ArgumentException($\"var {v.Name}[{string.Join(", ", v.Shape)}] ({WhereInterpolated(v.Line)}) has {{{size}}} elements for these dims; a shape cannot be negative.\");");
            }
            if (!_p.VariableCount.IsConstant)
            {
                _w.Line($"VariableCount = checked({MemberInt(_p.VariableCount, outermost: true)});");
                _w.Line($"if (VariableCount <= 0) throw new global::System.ArgumentException($\"Problem {_p.Name} has {{VariableCount}} decision variables for these dims; it needs at least one.\");");
            }
            if (_p.Constraints.Count > 0 && !_p.ConstraintCount.IsConstant) _w.Line($"ConstraintCount = checked({MemberInt(_p.ConstraintCount, outermost: true)});");
            if (_p.ResidualCount is { IsConstant: false } rc) _w.Line($"ResidualCount = checked({MemberInt(rc, outermost: true)});");
        }
        _w.Line();

        foreach (var d in _p.Dims.Where(d => d.Fixed is null))
        {
            _w.Line($"/// <summary>dim {Xml(d.Name)} ({WhereXml(d.Line)}).</summary>");
            _w.Line($"public int {PropertyName(d.Name)} => {DimField(d.Name)};");
            _w.Line();
        }
        foreach (var p in _p.Params) SharedMembers.ParamProperty(_w, p, _names, Where(p.Line), WhereXml(p.Line));

        _w.Line("/// <summary>The number of decision variables: " + string.Join(", ", _p.Vars.Select(v => Xml(v.Name + (v.Shape.Count == 0 ? "" : "[" + string.Join(", ", v.Shape) + "]")))) + ", in that order, each row-major.</summary>");
        _w.Line(_p.VariableCount is IntConst vc ? $"public const int VariableCount = {vc.Value};" : "public int VariableCount { get; }");
        _w.Line();
        _w.Line($"int {Runtime}.IObjectiveProblem.Dimension => VariableCount;");
        _w.Line();
    }

    /// <summary>
    /// An argument check. The throw stays inline on purpose: measured against a non-inlined throw helper, the inline
    /// form keeps the JIT's code for the loops that follow twice as fast (docs/benchmarks.md).
    /// </summary>
    /// <param name="product">True when <paramref name="expected"/> is a product of counts, computed in long (n² overflows
    /// int from n = 46,341): the length it is compared with is then converted too.</param>
    private void RequireLength(string span, string expected, string what, bool product = false)
    {
        string length = product ? $"(long){span}.Length" : $"{span}.Length";
        _w.Line($"if ({length} != {expected}) throw new global::System.ArgumentException($\"{span} has length {{{span}.Length}}; {what} {{{expected}}}.\", nameof({span}));");
    }

    private void RequireX() => RequireLength("x", "VariableCount", $"problem {_p.Name} has");
}
