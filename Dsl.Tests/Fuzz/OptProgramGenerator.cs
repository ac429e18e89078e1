using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Tests.Fuzz;

/// <summary>
/// Random, mostly valid .opt programs, deterministic per seed. Grammar-aware (Dsl.Grammar/Opt.g4) and semantics-aware
/// (docs/language.md): shapes agree, indices stay in range for the concrete dims the program is instantiated with,
/// every function is wrapped so it is smooth and defined everywhere (RandomExpressionTests' tricks), the solver line
/// fits the problem (SolverCatalog). On top of that it puts hostile names, payload comments, hostile file names and
/// namespaces, long chains and the known-bug shapes (loop-invariant terms in sum bodies, 0/0).
/// </summary>
public sealed class OptProgramGenerator
{
    // ---- Name pools ---------------------------------------------------------------------------------------------

    /// <summary>Not identifiers in .opt (reduction and constraint keywords): never used as names.</summary>
    private static readonly HashSet<string> OptReserved = new(StringComparer.Ordinal) { "sum", "prod", "logsumexp", "forall", "in", "inf", "pi", "e" };

    private static readonly string[] CSharpKeywords =
    [
        "int", "class", "event", "params", "this", "base", "var", "double", "object", "string", "new", "return", "default",
        "operator", "checked", "fixed", "lock", "out", "ref", "static", "void", "while", "for", "if", "is", "as", "namespace",
        "record", "value", "nameof", "global", "dynamic", "async", "await", "yield", "when", "where", "select", "get", "set",
        "init", "required", "file", "scoped", "field", "args", "decimal", "float", "long", "struct", "delegate", "implicit",
    ];

    /// <summary>Locals, parameters and temporaries of the generated methods.</summary>
    private static readonly string[] GeneratedLocals =
    [
        "x", "v", "hv", "gradient", "hessian", "f", "values", "jacobian", "multipliers", "residuals", "lower", "upper", "start",
        "options", "result", "solver", "column", "bounds", "lambda", "point", "history", "step", "k", "unit", "mean", "flat",
        "t0", "t1", "t2", "s0", "s1", "s2", "i0", "j1", "k2", "Math", "System", "Array", "Span", "ReadOnlySpan",
        "ArgumentException", "ArgumentNullException", "ArgumentOutOfRangeException", "TimeSpan", "MathF", "GC", "Console",
    ];

    /// <summary>Members of the generated class and of object.</summary>
    private static readonly string[] GeneratedMembers =
    [
        "Objective", "Gradient", "Solve", "Hessian", "HessianVectorProduct", "VariableCount", "Layout", "StartPoint",
        "VariableBounds", "DefaultSolveOptions", "Constraints", "ConstraintCount", "ConstraintJacobian", "ConstraintBounds",
        "ConstraintLabels", "Lagrangian", "LagrangianGradient", "LagrangianHessian", "Residuals", "ResidualCount",
        "ResidualJacobian", "ToString", "GetHashCode", "Equals", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
        "Dimension",
    ];

    private static readonly string[] PascalCollisions =
    [
        "memberwise_clone", "get_hash_code", "to_string", "get_type", "equals", "finalize", "reference_equals", "layout",
        "variable_count", "objective", "gradient", "solve", "hessian", "start_point", "constraint_count", "default_solve_options",
        "residual_count", "dimension", "variable_bounds", "_", "__", "_1", "x1", "X1", "value", "Value",
    ];

    private static readonly string[] NormalScalarNames = ["K", "Alpha", "alpha", "beta", "rate", "scale", "mu", "sigma", "tau", "gamma", "w0", "lam", "p", "q", "c", "d", "weight", "offset", "shift"];
    private static readonly string[] NormalArrayNames = ["y", "t", "A", "B", "cap", "obs", "target", "M", "W", "u", "z", "ys", "xs", "data1", "coef", "row"];
    private static readonly string[] NormalVarNames = ["x", "w", "b", "z", "theta", "u", "a", "y", "bias", "coef", "pos", "vel", "h", "r", "s"];
    private static readonly string[] NormalDimNames = ["n", "m", "k", "p", "d", "rows", "cols", "len", "nn", "q"];
    private static readonly string[] NormalIndexNames = ["i", "j", "k", "l", "t", "idx", "r", "c", "ii", "jj"];
    private static readonly string[] NormalProblemNames = ["Rosen", "Fit", "P", "Ridge", "Softmax", "Portfolio", "Chain", "Decay", "Demo", "Test1", "Q", "MyProblem", "Problem2"];
    private static readonly string[] LowercaseProblemNames = ["rosen", "fit", "p", "ridge", "demo", "problem_one", "my_problem", "x"];
    private static readonly string[] HostileProblemNames =
    [
        "class", "double", "int", "namespace", "var", "record", "string", "object", "void", "this", "base", "event", "value",
        "Objective", "Gradient", "Solve", "Hessian", "HessianVectorProduct", "VariableCount", "Layout", "StartPoint",
        "VariableBounds", "DefaultSolveOptions", "Constraints", "ConstraintCount", "Residuals", "ResidualCount", "Lagrangian",
        "Math", "Array", "System", "ArgumentException", "ArgumentNullException", "ArgumentOutOfRangeException", "TimeSpan",
        "ReadOnlySpan", "Span", "Double", "Object", "OptDsl", "Runtime", "SolveResult", "SolveOptions", "GeneratedCode",
        "Dimension", "IGradientProblem", "Bounds", "global", "nameof", "dynamic", "_", "__", "Equals", "GetHashCode", "ToString",
    ];

    private static readonly string[] NamespaceSegments = ["Demo", "Optimization", "Models", "Generated", "My", "Opt2", "A", "B_c"];
    private static readonly string[] HostileNamespaceSegments =
    [
        "class", "int", "namespace", "var", "double", "this", "System", "Math", "global", "OptDsl", "Runtime", "value",
        "record", "event", "Objective", "_", "__", "problem", "dim", "data", "minimize", "subject", "to", "solver", "e",
    ];

    // ---- Payloads ------------------------------------------------------------------------------------------------

    /// <summary>Identifiers that only a payload writes: finding one as a C# identifier token means the payload became code.</summary>
    public static readonly string[] PayloadIdentifiers = ["CreateDirectory", "Directory", "FuzzInjected"];

    private const string Stmt = "System.IO.Directory.CreateDirectory(nameof(System));";
    private const string Member = "public static readonly object FuzzInjected = System.IO.Directory.CreateDirectory(nameof(System));";

    /// <summary>Block and line comments with C#-looking payloads and the line terminators C# knows but .opt comments keep.</summary>
    private static readonly (string Text, bool Line)[] PayloadComments =
    [
        ("/*\u2028" + Stmt + "\u2028//*/", false),
        ("/*\u2029" + Stmt + "\u2029//*/", false),
        ("/*\u0085" + Stmt + "\u0085//*/", false),
        ("/*\u2028" + Member + "\u2028//*/", false),
        ("/*\u2029" + Member + "\u2029//*/", false),
        ("/*\u0085" + Member + "\u0085//*/", false),
        ("/*\r" + Stmt + "\r//*/", false),
        ("/*\n" + Stmt + "\n//*/", false),
        ("/*\r\n" + Member + "\r\n//*/", false),
        ("/* \"); " + Stmt + " (\" */", false),
        ("/* {System.IO.Directory.CreateDirectory(nameof(System))} */", false),
        ("/* </c></summary><see cref=\"System.IO.Directory.CreateDirectory\"/> & <b> */", false),
        ("/* */ /* nested-looking /* */", false),
        ("// \u2028" + Stmt + "\u2028//", true),
        ("// \u0085" + Member + "\u0085//", true),
        ("// plain line comment with */ and \"quotes\" and {braces}", true),
    ];

    private static readonly string[] PlainComments =
    [
        "// a comment", "/* block */", "/* multi\n   line */", "// TODO: tune", "/**/", "/* a * b / c */", "//", "/* ünïcödé ✓ */",
    ];

    private static readonly string[] HostileFileNames =
    [
        "p{System.IO.Directory.CreateDirectory(nameof(System))}.opt",
        "q\"+System.IO.Directory.CreateDirectory(nameof(System))+\".opt",
        "r\u2028System.IO.Directory.CreateDirectory(nameof(System));//.opt",
        "s\u2029System.IO.Directory.CreateDirectory(nameof(System));//.opt",
        "t\u0085System.IO.Directory.CreateDirectory(nameof(System));//.opt",
        "u\nSystem.IO.Directory.CreateDirectory(nameof(System));//.opt",
        "w\rSystem.IO.Directory.CreateDirectory(nameof(System));//.opt",
        "back\\slash.opt", "trailing\\.opt", "esc\\q.opt", "esc\\u0041.opt", "tab\t.opt",
        "amp&lt<gt>.opt", "a<b>&c.opt", "quote\".opt", "apos'.opt", "{0}.opt", "{{}}.opt", "}.opt", "{.opt", "x{y.opt",
        "$\"{x}\".opt", "@\"v\".opt", "%s%n.opt", "données-été.opt", "日本語.opt", "emoji😀.opt", "zero\u200Bwidth.opt",
        "rtl\u202Etxt.opt", "*.opt", "c*.opt", "space name.opt", ".opt", "", "no-extension", "dir*/sub*/p.opt",
        "/tmp/a b/c\"d/e.opt", "C:\\Users\\x\\p.opt", "..\\..\\evil.opt",
    ];

    private static readonly string[] HostileNamespaceArguments =
    [
        "My-App", "1abc", "class", "My App", "A..B", "A.", ".A", "global::X", "int.Fz", "Été", "System", "Math",
        "OptDsl.Runtime", "X;" + Stmt + "namespace Y", "X\n" + Stmt + "//", "X\u2028" + Stmt + "//", "@class", "A.B-C",
        "namespace", "Demo.Optimization", " ",
    ];

    // ---- State ---------------------------------------------------------------------------------------------------

    private readonly Random _r;
    private readonly int _id;
    private readonly int _seed;

    private OptProgramGenerator(int seed, int id)
    {
        _seed = seed;
        _id = id;
        _r = new Random(seed);
    }

    /// <summary>The program for one seed (<paramref name="id"/> only names it: its namespace segment and file).</summary>
    public static FuzzProgram Generate(int seed, int id) => new OptProgramGenerator(seed, id).Program();

    private bool P(double p) => _r.NextDouble() < p;
    private T Pick<T>(IReadOnlyList<T> list) => list[_r.Next(list.Count)];

    // Per program: how hostile it is.
    private double _hostileNames;
    private bool _payloads;
    private bool _extreme;
    private bool _degenerate;

    private FuzzProgram Program()
    {
        double profile = _r.NextDouble();
        _hostileNames = profile < 0.45 ? 0 : profile < 0.8 ? 0.15 : 0.35;
        _payloads = P(0.12);
        _extreme = P(0.05);
        _degenerate = P(0.015);

        string unique = "Fz" + _id.ToString(CultureInfo.InvariantCulture);
        var program = new FuzzProgram { Id = _id, Seed = _seed, Unique = unique, Path = $"fuzz{_id}.opt", Problems = new() };
        if (P(0.1)) program.NewLine = "\r\n";

        // File name.
        if (_payloads && P(0.5) || P(0.03))
        {
            // Half the time one of the file names that inject code into string literals and interpolations.
            program.Path = P(0.5) ? HostileFileNames[_r.Next(7)] : Pick(HostileFileNames);
            program.Vectors.Add("file name");
        }
        else if (P(0.1))
        {
            program.Path = Pick(["/some dir/model.opt", "relative/path/p.opt", "P.OPT", "x.opt.opt", "a-b_c.d.opt"]);
        }

        // Namespace: a namespace line, or the RootNamespace argument. The unique segment keeps programs apart.
        double ns = _r.NextDouble();
        if (ns < 0.45)
        {
            program.NamespaceArgument = unique;
        }
        else if (ns < 0.55)
        {
            program.NamespaceArgument = unique + "." + Pick(NamespaceSegments);
        }
        else if (ns < 0.6 || (_payloads && P(0.3)))
        {
            string hostile = Pick(HostileNamespaceArguments);
            program.NamespaceArgument = P(0.5) ? unique + "." + hostile : hostile + "." + unique;
            if (P(0.15)) program.NamespaceArgument = hostile;
            program.Vectors.Add("namespace argument");
        }
        else
        {
            var segments = new List<string>();
            int count = _r.Next(0, 3);
            for (int k = 0; k < count; k++)
                segments.Add(P(_hostileNames > 0 ? 0.5 : 0.05) ? Pick(HostileNamespaceSegments) : Pick(NamespaceSegments));
            segments.Insert(P(0.85) ? 0 : _r.Next(segments.Count + 1), unique);
            program.NamespaceLine = segments;
            program.NamespaceArgument = P(0.5) ? null : "Ignored.Root";
            if (segments.Any(s => HostileNamespaceSegments.Contains(s))) program.Vectors.Add("namespace line");
        }

        if (P(0.3)) program.HeaderComments.Add(Pick(PlainComments));
        if (_payloads && P(0.3))
        {
            program.HeaderComments.Add(PayloadComment());
            program.Vectors.Add("comment");
        }

        int problems = _extreme ? 1 : P(0.8) ? 1 : P(0.75) ? 2 : 3;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < problems; k++)
        {
            string name;
            do name = ProblemName(); while (!names.Add(name));
            program.Problems.Add(new ProblemGen(this, name, program).Build());
        }
        return program;
    }

    private string ProblemName()
    {
        double p = _r.NextDouble();
        if (p < _hostileNames * 1.2) return Pick(HostileProblemNames);
        if (p < _hostileNames * 1.2 + 0.1) return Pick(LowercaseProblemNames);
        return Pick(NormalProblemNames);
    }

    private string PayloadComment()
    {
        var (text, line) = Pick(PayloadComments);
        return line ? text + "\n" : text;
    }

    // ---- Smooth function forms (template, reference) ---------------------------------------------------------------

    private static readonly (string Template, Func<double[], double> F)[] Unary =
    [
        ("exp(0.5 * tanh({0}))", a => Math.Exp(0.5 * Math.Tanh(a[0]))),
        ("log(1.5 + sq({0}))", a => Math.Log(1.5 + a[0] * a[0])),
        ("log1p(sq({0}))", a => RefMath.Log1p(a[0] * a[0])),
        ("sqrt(1 + sq({0}))", a => Math.Sqrt(1 + a[0] * a[0])),
        ("sin({0})", a => Math.Sin(a[0])),
        ("cos({0})", a => Math.Cos(a[0])),
        ("tan(0.5 * tanh({0}))", a => Math.Tan(0.5 * Math.Tanh(a[0]))),
        ("atan({0})", a => Math.Atan(a[0])),
        ("tanh({0})", a => Math.Tanh(a[0])),
        ("sigmoid({0})", a => RefMath.Sigmoid(a[0])),
        ("softplus({0})", a => RefMath.Softplus(a[0])),
        ("sq({0})", a => a[0] * a[0]),
        ("({0})^2", a => a[0] * a[0]),
        ("({0})^3", a => a[0] * a[0] * a[0]),
        ("pow(1 + sq({0}), 1.5)", a => Math.Pow(1 + a[0] * a[0], 1.5)),
        ("(1 + sq({0}))^(-1)", a => 1 / (1 + a[0] * a[0])),
        ("(1 + sq({0}))^0.5", a => Math.Sqrt(1 + a[0] * a[0])),
        ("exp(-sq({0}))", a => Math.Exp(-a[0] * a[0])),
        ("log(sigmoid({0}))", a => -RefMath.Softplus(-a[0])),
        ("exp(sin({0}))", a => Math.Exp(Math.Sin(a[0]))),
        ("log(2 + cos({0}))", a => Math.Log(2 + Math.Cos(a[0]))),
        ("mse({0}, 0.5)", a => (a[0] - 0.5) * (a[0] - 0.5)),
        ("bce_logits({0}, 0.25)", a => RefMath.Softplus(a[0]) - 0.25 * a[0]),
        ("(-{0})", a => -a[0]),
        ("(1 + sq({0}))^(-2)", a => 1 / ((1 + a[0] * a[0]) * (1 + a[0] * a[0]))),
    ];

    private static readonly (string Template, Func<double[], double> F)[] Binary =
    [
        ("({0} / (1.5 + sq({1})))", a => a[0] / (1.5 + a[1] * a[1])),
        ("(1.2 + sin({0}))^({1})", a => Math.Pow(1.2 + Math.Sin(a[0]), a[1])),
        ("pow(1.5 + sin({0}), {1})", a => Math.Pow(1.5 + Math.Sin(a[0]), a[1])),
        ("mse({0}, {1})", a => (a[0] - a[1]) * (a[0] - a[1])),
        ("bce_logits({0}, sigmoid({1}))", a => RefMath.Softplus(a[0]) - RefMath.Sigmoid(a[1]) * a[0]),
    ];

    /// <summary>Forms that map arrays elementwise (one hole).</summary>
    private static readonly (string Template, Func<double[], double> F)[] ArrayUnary =
    [
        ("sin({0})", a => Math.Sin(a[0])),
        ("cos({0})", a => Math.Cos(a[0])),
        ("tanh({0})", a => Math.Tanh(a[0])),
        ("sq({0})", a => a[0] * a[0]),
        ("({0})^2", a => a[0] * a[0]),
        ("exp(0.5 * tanh({0}))", a => Math.Exp(0.5 * Math.Tanh(a[0]))),
        ("log(1.5 + sq({0}))", a => Math.Log(1.5 + a[0] * a[0])),
        ("sigmoid({0})", a => RefMath.Sigmoid(a[0])),
        ("softplus({0})", a => RefMath.Softplus(a[0])),
        ("atan({0})", a => Math.Atan(a[0])),
        ("sqrt(1 + sq({0}))", a => Math.Sqrt(1 + a[0] * a[0])),
        ("(-{0})", a => -a[0]),
    ];

    private static readonly string[] Constants = ["0.5", "1.5", "2", "3", "0.25", "1.25", "0.1", "1e-3", "2.5E+1", "1e0", "0.75", "4", "10", "0.01"];

    /// <summary>Generates one problem block.</summary>
    private sealed class ProblemGen
    {
        private readonly OptProgramGenerator _g;
        private readonly Random _r;
        private readonly FuzzProgram _program;
        private readonly ProblemDecl _p;
        private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
        private readonly List<Ext> _extents = new();
        private bool _leastSquares;

        public ProblemGen(OptProgramGenerator g, string name, FuzzProgram program)
        {
            _g = g;
            _r = g._r;
            _program = program;
            _p = new ProblemDecl { Name = name, Goal = new Num("0") };
        }

        private bool P(double p) => _g.P(p);
        private T Pick<T>(IReadOnlyList<T> list) => _g.Pick(list);
        private double Hostile => _g._hostileNames;

        /// <summary>A name not yet declared in this problem: from the normal pool, or (with the program's hostility) a hostile one.</summary>
        private string Fresh(string[] normal, IEnumerable<string>? hostile = null, double? hostileRate = null)
        {
            var hostilePool = (hostile ?? CSharpKeywords.Concat(GeneratedLocals).Concat(GeneratedMembers).Concat(PascalCollisions)).ToList();
            for (int attempt = 0; attempt < 200; attempt++)
            {
                string name = P(hostileRate ?? Hostile) ? Pick(hostilePool) : Pick(normal);
                if (attempt > 50) name += attempt.ToString(CultureInfo.InvariantCulture);
                if (OptReserved.Contains(name) || _declared.Contains(name) || _usedIndexNames.Contains(name)) continue;
                _declared.Add(name);
                return name;
            }
            throw new InvalidOperationException("Fuzzer bug: no fresh name");
        }

        /// <summary>Names that collide with generated code only given the other names (g_a beside var a, N beside dim n).</summary>
        private IEnumerable<string> RelativeHostile()
        {
            foreach (var v in _p.Vars)
            {
                yield return "g_" + v.Name;
                yield return "v_" + v.Name;
                yield return "hv_" + v.Name;
                yield return v.Name + "_";
            }
            foreach (var d in _p.Dims)
            {
                yield return d.Name.ToUpperInvariant();
                yield return "_" + d.Name;
            }
            foreach (var d in _p.Data)
            {
                yield return char.ToUpperInvariant(d.Name[0]) + d.Name.Substring(1);
                yield return "_" + d.Name;
            }
            foreach (var p in _p.Params)
            {
                yield return p.Name.Length > 1 ? char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1) : p.Name.ToUpperInvariant();
                if (p.Name.Contains('_')) yield return string.Concat(p.Name.Split('_').Select((s, i) => i == 0 || s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1)));
            }
            yield return "step_size";
            yield return "stepSize";
            yield return "a";
            yield return "A";
            yield return _p.Name.ToLowerInvariant();
            yield return _p.Name;
        }

        public ProblemDecl Build()
        {
            GenerateDims();
            GenerateVars();
            GenerateData();
            GenerateParams();
            GenerateLets();
            _leastSquares = P(0.18);
            bool constrained = !_leastSquares && P(0.3);
            _p.Maximize = !_leastSquares && P(0.12);
            GenerateObjective();
            if (constrained) GenerateConstraints();
            CoverUnusedVars();
            _p.Solver = SolverLine();
            if (P(0.2)) _p.Comments.Add(Pick(PlainComments));
            if (P(0.15)) _p.OrderSeed = _r.Next(1, int.MaxValue);
            return _p;
        }

        // ---- Dims -----------------------------------------------------------------------------------------------

        private void GenerateDims()
        {
            int count = _r.Next(0, 4);
            for (int k = 0; k < count; k++)
            {
                var d = new DimDecl { Name = Fresh(NormalDimNames, CSharpKeywords.Concat(["N", "VariableCount", "Length", "Count", "x", "v", "f", "layout", "Layout", "t0", "value"]), Hostile * 0.7) };
                long value = _g._extreme && P(0.5) ? _r.Next(20, 61) : _r.Next(1, 7);
                if (P(0.5))
                {
                    var fixedDims = _p.Dims.Where(x => x.Fixed).ToList();
                    if (fixedDims.Count > 0 && P(0.2))
                    {
                        var other = Pick(fixedDims);
                        d.ValueText = $"2 * {other.Name}";
                        value = 2 * other.Value;
                    }
                    else if (P(0.15))
                    {
                        d.ValueText = $"{value - 1} + 1";
                    }
                    else
                    {
                        d.ValueText = value.ToString(CultureInfo.InvariantCulture);
                    }
                }
                d.Value = value;
                _p.Dims.Add(d);
                _extents.Add(d.Fixed ? new Ext(IntE.Ref(d.Name), "c" + value, value) : new Ext(IntE.Ref(d.Name), "d:" + d.Name, value));
            }
        }

        private Ext LiteralExtent(long v) => new(IntE.Lit(v), "c" + v, v);

        private Ext PickExtent()
        {
            if (_extents.Count > 0 && P(0.7))
            {
                var e = Pick(_extents);
                if (e.Key.StartsWith("d:", StringComparison.Ordinal) && P(0.1))
                    return P(0.5) ? new Ext(IntE.Lit(2) * e.Expr, "2*" + e.Key, 2 * e.Value) : new Ext(e.Expr + 1, e.Key + "+1", e.Value + 1);
                return e;
            }
            return LiteralExtent(_r.Next(1, 5));
        }

        // ---- Vars -----------------------------------------------------------------------------------------------

        private void GenerateVars()
        {
            int count = _g._extreme && P(0.4) ? _r.Next(20, 70) : _r.Next(1, 4);
            for (int k = 0; k < count; k++)
            {
                string name;
                // A var named g_<other var> (or v_, hv_) collides with the generated gradient slices.
                if (_p.Vars.Count > 0 && P(Hostile * 0.6))
                {
                    var relative = RelativeHostile().Where(n => !OptReserved.Contains(n) && !_declared.Contains(n) && IsIdent(n)).ToList();
                    var slices = relative.Where(n => n.StartsWith("g_", StringComparison.Ordinal) || n.StartsWith("v_", StringComparison.Ordinal) || n.StartsWith("hv_", StringComparison.Ordinal)).ToList();
                    name = Pick((P(0.6) && slices.Count > 0 ? slices : relative).DefaultIfEmpty("zz" + k).ToList());
                    _declared.Add(name);
                }
                else
                {
                    name = Fresh(NormalVarNames);
                }
                var v = new VarDecl { Name = name, Shape = new() };
                double shape = _r.NextDouble();
                if (count > 10 || shape < 0.35) { }
                else if (shape < 0.85) v.Shape.Add(PickExtent());
                else
                {
                    v.Shape.Add(PickExtent());
                    v.Shape.Add(PickExtent());
                }
                if (v.Size == 0) v.Shape.Clear();
                Bounds(v);
                Start(v);
                _p.Vars.Add(v);
            }
        }

        private static bool IsIdent(string n) => n.Length > 0 && (char.IsAsciiLetter(n[0]) || n[0] == '_') && n.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');

        private bool ConstantSize(VarDecl v) => v.Shape.All(s => s.Key.StartsWith("c", StringComparison.Ordinal));

        private void Bounds(VarDecl v)
        {
            if (!P(0.3)) return;
            double[][] options = [[-5, 5], [-1, 2], [0, 10], [double.NegativeInfinity, 3], [-2, double.PositiveInfinity], [-10, 10]];
            var range = Pick(options);
            double l = range[0], h = range[1];
            if (ConstantSize(v) && v.Size > 1 && v.Size <= 6 && P(0.3))
            {
                var lower = Enumerable.Range(0, v.Size).Select(_ => (double)_r.Next(-4, 1)).ToArray();
                var upper = lower.Select(x => x + _r.Next(1, 6)).ToArray();
                if (P(0.3)) upper[0] = double.PositiveInfinity;
                v.Lower = lower;
                v.Upper = upper;
                v.BoundsText = $"[[{string.Join(", ", lower.Select(BoundText))}], [{string.Join(", ", upper.Select(BoundText))}]]";
                return;
            }
            v.Lower = [l];
            v.Upper = [h];
            v.BoundsText = $"[{BoundText(l)}, {BoundText(h)}]";
        }

        private static string BoundText(double b) => double.IsNegativeInfinity(b) ? "-inf" : double.IsPositiveInfinity(b) ? "inf" : b < 0 ? "-" + Node.Fmt(-b) : Node.Fmt(b);

        private void Start(VarDecl v)
        {
            if (!P(0.4)) return;
            if (ConstantSize(v) && v.Size > 1 && v.Size <= 8 && P(0.4))
            {
                var s = Enumerable.Range(0, v.Size).Select(_ => Math.Round(_r.NextDouble() * 4 - 2, 2)).ToArray();
                v.Start = s;
                v.StartText = "[" + string.Join(", ", s.Select(x => x < 0 ? "-" + Node.Fmt(-x) : Node.Fmt(x))) + "]";
                return;
            }
            double value = Math.Round(_r.NextDouble() * 3 - 1, 2);
            v.Start = [value];
            v.StartText = value < 0 ? "-" + Node.Fmt(-value) : Node.Fmt(value);
        }

        // ---- Data and params -------------------------------------------------------------------------------------

        private void GenerateData()
        {
            int count = _r.Next(0, 4);
            // Runtime dims not bound by any data become constructor arguments; some data binds them.
            for (int k = 0; k < count; k++)
            {
                var hostile = CSharpKeywords.Concat(GeneratedLocals).Concat(GeneratedMembers).Concat(RelativeHostile()).Where(IsIdent).ToList();
                string name = Fresh(NormalArrayNames, hostile);
                var d = new DataDecl { Name = name, Shape = new(), Flat = [] };
                double shape = _r.NextDouble();
                if (shape < 0.2) { }
                else if (shape < 0.75) d.Shape.Add(PickExtent());
                else
                {
                    d.Shape.Add(PickExtent());
                    d.Shape.Add(PickExtent());
                }
                long size = d.Shape.Aggregate(1L, (a, e) => a * e.Value);
                d.Flat = Enumerable.Range(0, (int)size).Select(_ => Math.Round(_r.NextDouble() * 3 - 1.5, 3)).ToArray();
                _p.Data.Add(d);
            }
            // Data of the same shape as a var (for mse, dot, elementwise arithmetic).
            foreach (var v in _p.Vars.Where(v => v.Shape.Count > 0).Take(2))
            {
                if (!P(0.4)) continue;
                var hostile = CSharpKeywords.Concat(GeneratedLocals).Concat(RelativeHostile()).Where(IsIdent).ToList();
                var d = new DataDecl { Name = Fresh(NormalArrayNames, hostile), Shape = v.Shape.ToList(), Flat = [] };
                d.Flat = Enumerable.Range(0, v.Size).Select(_ => Math.Round(_r.NextDouble() * 3 - 1.5, 3)).ToArray();
                _p.Data.Add(d);
            }
        }

        private void GenerateParams()
        {
            int count = _r.Next(0, 4);
            for (int k = 0; k < count; k++)
            {
                var hostile = CSharpKeywords.Concat(GeneratedLocals).Concat(GeneratedMembers).Concat(PascalCollisions).Concat(RelativeHostile()).Where(IsIdent).ToList();
                string name = Fresh(NormalScalarNames, hostile);
                if (Hostile > 0 && P(0.05) && !_declared.Contains("e"))
                {
                    _declared.Remove(name);
                    name = "e"; // shadows the constant e: the declaration wins
                    _declared.Add(name);
                }
                double value = Math.Round(_r.NextDouble() * 2 - 0.5, 3);
                string text = value < 0 ? "-" + Node.Fmt(-value) : Node.Fmt(value);
                switch (_r.Next(8))
                {
                    case 0: text = $"({text})"; break;
                    case 1: value = 0.25; text = "1 / 4"; break;
                    case 2: value = Math.PI / 4; text = "pi / 4"; break;
                    case 3: value = 1e-3; text = "1e-3"; break;
                    case 4 when _p.Dims.FirstOrDefault(d => d.Fixed) is { } fixedDim:
                        value = fixedDim.Value / 2.0;
                        text = $"{fixedDim.Name} / 2";
                        break;
                }
                if (_g._payloads && P(0.4))
                {
                    text = $"({_g.PayloadComment()} {text})";
                    _program.Vectors.Add("comment");
                }
                else if (P(0.05))
                {
                    text = $"(/* default */ {text})";
                }
                _p.Params.Add(new ParamDecl { Name = name, ValueText = text, Value = value });
            }
        }

        // ---- Lets ------------------------------------------------------------------------------------------------

        private void GenerateLets()
        {
            int count = _r.Next(0, 4);
            for (int k = 0; k < count; k++)
            {
                string name = Fresh(["r", "s", "z2", "res", "tmp", "u2", "q2", "acc", "lin", "pred"], CSharpKeywords.Concat(GeneratedLocals).Concat(RelativeHostile()).Where(IsIdent));
                var let = new LetDef { Name = name, Indices = new(), Body = new Num("0") };
                var scope = new Scope();
                if (P(0.55))
                {
                    int indices = P(0.85) ? 1 : 2;
                    for (int a = 0; a < indices; a++)
                    {
                        var ext = PickExtent();
                        string idx = IndexName(scope);
                        long lo = 0;
                        IntE lower = IntE.Lit(0);
                        if (P(0.15) && ext.Value >= 2)
                        {
                            lo = 1;
                            lower = IntE.Lit(1);
                        }
                        var b = new Binding(idx, lower, ext.Expr);
                        let.Indices.Add(b);
                        let.Ranges.Add((lo, ext.Value, lo == 0 ? ext.Key : null));
                        scope = scope.With(b, lo, ext.Value - 1, lo == 0 ? ext : null);
                    }
                }
                let.Body = Scalar(_r.Next(1, 3), scope, preferIndex: true);
                _p.Lets.Add(let);
            }
        }

        // ---- Objective ----------------------------------------------------------------------------------------------

        private void GenerateObjective()
        {
            if (_leastSquares)
            {
                int terms = _g._extreme && P(0.5) ? _r.Next(20, 120) : _r.Next(1, 4);
                Node goal = SquaredTerm();
                for (int k = 1; k < terms; k++) goal = new Bin('+', goal, SquaredTerm());
                _p.Goal = goal;
                return;
            }

            if (_g._extreme && P(0.4))
            {
                _p.Goal = P(0.5) ? LongChain() : DeepNest();
                return;
            }

            if (P(0.15))
            {
                // Named objectives combined in a weighted sum.
                int count = _r.Next(1, 3);
                Node? sum = null;
                foreach (var _ in Enumerable.Range(0, count))
                {
                    var o = new ObjectiveDecl { Name = Fresh(["risk", "energy", "cost", "loss", "fit", "penalty"], CSharpKeywords.Concat(GeneratedMembers)), Body = Scalar(_r.Next(1, 4), new Scope(), false) };
                    _p.Objectives.Add(o);
                    Node use = new Bin('*', new Num(Pick(Constants)), ObjectiveRef(o));
                    sum = sum is null ? use : new Bin('+', sum, use);
                }
                _p.Goal = sum!;
            }
            else
            {
                _p.Goal = Scalar(_r.Next(1, 4), new Scope(), false);
            }

            if (P(0.35)) _p.Goal = new Bin('+', _p.Goal, MixedSum(new Scope()));
            if (_g._degenerate) _p.Goal = new Bin('+', _p.Goal, Degenerate());
            if (_g._payloads && P(0.5))
            {
                _p.Goal = new Commented(_g.PayloadComment(), _p.Goal, after: P(0.3));
                _program.Vectors.Add("comment");
            }
            else if (P(0.1))
            {
                _p.Goal = new Commented(Pick(PlainComments) is var c && c.StartsWith("//", StringComparison.Ordinal) ? c + "\n" : c, _p.Goal, after: P(0.5));
            }
        }

        private Node ObjectiveRef(ObjectiveDecl o) => new LetScalarRef(o.Name, () => null, () => _p.Objectives.Contains(o) ? o.Body : null);

        /// <summary>A least-squares term: Σ w·r², r², mse, l2 (LeastSquares.Decompose's forms).</summary>
        private Node SquaredTerm()
        {
            var root = new Scope();
            switch (_r.Next(7))
            {
                case 0:
                case 1:
                {
                    var (bindings, scope) = Bindings(root, P(0.2) ? 2 : 1, allowTriangular: false);
                    Node r = Residual(scope);
                    Node term = new Reduce("sum", bindings, new Fn("({0})^2", a => a[0] * a[0], r));
                    return P(0.3) ? new Bin('*', new Num(Pick(["0.5", "2", "0.1", "3"])), term) : term;
                }
                case 2:
                    return new Fn(P(0.5) ? "({0})^2" : "sq({0})", a => a[0] * a[0], Residual(root));
                case 3:
                {
                    var (b1, s1) = Bindings(root, 1, allowTriangular: false);
                    var (b2, s2) = Bindings(s1, 1, allowTriangular: false);
                    return new Reduce("sum", b1, new Reduce("sum", b2, new Fn("({0})^2", a => a[0] * a[0], Residual(s2))));
                }
                default:
                {
                    var arr = ArrayExpr(2, root, null, requireVar: true);
                    if (arr is null) return new Fn("({0})^2", a => a[0] * a[0], Residual(root));
                    if (P(0.5))
                    {
                        var other = ArrayExpr(1, root, arr.ShapeKey, requireVar: false);
                        return other is null || other.Text == arr.Text ? L2(arr) : Mse(arr, other);
                    }
                    var l2 = L2(arr);
                    return P(0.3) ? new Bin('*', new Num("0.1"), l2) : l2;
                }
            }
        }

        /// <summary>A residual r of r²: a difference (so (r)^2 never folds into a higher power) that reads a var.</summary>
        private Node Residual(Scope scope)
        {
            var r = Scalar(_r.Next(1, 3), scope, preferIndex: true);
            return r.ReadsVar ? new Bin('-', r, new Num(Pick(Constants))) : new Bin('-', VarLeaf(scope, preferIndex: true), r);
        }

        /// <summary>Σ over a range of a body mixing terms that vary with the index and terms that do not (a known bug class).</summary>
        private Node MixedSum(Scope outer)
        {
            var (bindings, inner) = Bindings(outer, P(0.15) ? 2 : 1);
            var i = bindings[^1].Name;
            Node variant = P(0.4)
                ? new Fn("({0})^2", a => a[0] * a[0], new Bin('+', new Bin('*', VarLeaf(outer), new IndexValue(IntE.Ref(i), 1)), VarLeaf(outer)))
                : Scalar(_r.Next(1, 3), inner, preferIndex: true);
            Node invariant = P(0.5)
                ? new Bin('*', new Num("0.5"), new Fn("({0})^2", a => a[0] * a[0], VarLeaf(outer)))
                : Scalar(_r.Next(0, 3), outer, preferIndex: false);
            Node body = _r.Next(4) switch
            {
                0 => new Bin('+', invariant, variant),
                1 => new Bin('-', variant, invariant),
                2 => new Bin('*', variant, invariant),
                _ => new Bin('+', variant, invariant),
            };
            double kind = _r.NextDouble();
            if (kind < 0.85) return new Reduce("sum", bindings, body);
            if (kind < 0.93) return new Reduce("prod", bindings, new Fn("(1 + 0.3 * sin({0}))", a => 1 + 0.3 * Math.Sin(a[0]), body));
            return new Reduce("logsumexp", bindings, body);
        }

        /// <summary>0/0, ∞·0 and friends: NaN everywhere, so a compiler that folds them to a number gets the value wrong.</summary>
        private Node Degenerate()
        {
            var leaf = VarLeaf(new Scope());
            switch (_r.Next(5))
            {
                case 0: return new Fn("(0 / 0)", _ => double.NaN);
                case 1: return new Fn("(({0} - {0}) / ({0} - {0}))", a => (a[0] - a[0]) / (a[0] - a[0]), leaf);
                case 2: return new Fn("(0 * (1 / 0))", _ => double.NaN);
                case 3 when _p.Dims.Count > 0:
                {
                    var d = Pick(_p.Dims);
                    return new Fn($"(({d.Name} - {d.Name}) / ({d.Name} - {d.Name}))", _ => double.NaN);
                }
                default:
                {
                    // The mean of an empty range: (Σ over nothing) / 0 = 0 / 0.
                    string i = IndexName(new Scope());
                    return new Fn($"((sum({i} in 0..0) ({{0}})) / 0)", _ => 0.0 / 0.0, leaf);
                }
            }
        }

        private Node LongChain()
        {
            int n = P(0.25) ? _r.Next(1000, 3000) : _r.Next(80, 600);
            Node acc = Term();
            for (int k = 1; k < n; k++) acc = new Chain(P(0.8) ? '+' : '-', acc, Term());
            return acc;

            Node Term() => P(0.5) ? new Fn("sq({0})", a => a[0] * a[0], VarLeaf(new Scope())) : new Bin('*', new Num(Pick(Constants)), VarLeaf(new Scope()));
        }

        private Node DeepNest()
        {
            int depth = _r.Next(20, 120);
            Node acc = VarLeaf(new Scope());
            for (int k = 0; k < depth; k++)
            {
                var (t, f) = Pick(new[] { Unary[0], Unary[4], Unary[8], Unary[9], Unary[3] });
                acc = P(0.3) ? new Bin('+', acc, VarLeaf(new Scope())) : new Fn(t, f, acc);
            }
            return acc;
        }

        // ---- Constraints -----------------------------------------------------------------------------------------

        private void GenerateConstraints()
        {
            int count = _r.Next(1, 4);
            for (int k = 0; k < count; k++)
            {
                var c = new ConstraintDecl { Sides = new(), Ops = new() };
                var scope = new Scope();
                int forall = P(0.35) ? (P(0.85) ? 1 : 2) : 0;
                if (forall > 0)
                {
                    var (bindings, inner) = Bindings(scope, forall, allowEmpty: true);
                    c.ForAll = bindings;
                    scope = inner;
                }
                Node body = Scalar(_r.Next(1, 3), scope, preferIndex: forall > 0);
                if (!body.ReadsVar) body = new Bin('+', body, VarLeaf(scope));
                Node bound = VarFree(scope);
                switch (_r.Next(7))
                {
                    case 0: c.Sides.AddRange([body, bound]); c.Ops.Add("<="); break;
                    case 1: c.Sides.AddRange([body, bound]); c.Ops.Add(">="); break;
                    case 2: c.Sides.AddRange([body, bound]); c.Ops.Add("=="); break;
                    case 3: c.Sides.AddRange([bound, body]); c.Ops.Add(Pick(["<=", ">=", "=="])); break;
                    case 4:
                    {
                        var other = Scalar(_r.Next(0, 2), scope, preferIndex: forall > 0);
                        if (!other.ReadsVar) other = new Bin('*', new Num("0.5"), VarLeaf(scope));
                        c.Sides.AddRange([body, other]);
                        c.Ops.Add(Pick(["<=", ">=", "=="]));
                        break;
                    }
                    default:
                    {
                        // Two-sided: lo <= body <= hi, or hi >= body >= lo.
                        Node lo = new Fn("(-{0})", a => -a[0], new Num(Node.Fmt(_r.Next(0, 4) + 0.5)));
                        Node hi = new Num(Node.Fmt(_r.Next(0, 4) + 0.5));
                        bool up = P(0.7);
                        c.Sides.AddRange(up ? [lo, body, hi] : [hi, body, lo]);
                        c.Ops.AddRange(up ? ["<=", "<="] : [">=", ">="]);
                        break;
                    }
                }
                // Labels: none, plain, hostile, or one that collides with the implicit c<k> of another constraint.
                double label = _r.NextDouble();
                if (label < 0.35) c.Label = null;
                else if (label < 0.35 + Hostile) c.Label = Pick(CSharpKeywords.Concat(["c0", "c1", "c2", "x", "gradient", "f", "Objective", "multipliers"]).ToList());
                else c.Label = Pick(["budget", "cap", "order", "limit", "balance", "ring", "lo_hi", "c" + (k + 1)]);
                if (c.Label is not null && _p.Constraints.Any(o => o.Label == c.Label) && P(0.8)) c.Label += "_" + k;
                if (_g._payloads && P(0.4))
                {
                    c.Comment = _g.PayloadComment();
                    _program.Vectors.Add("comment");
                }
                else if (P(0.05))
                {
                    c.Comment = "/* row */";
                }
                _p.Constraints.Add(c);
            }
            if (_p.Constraints.Count > 1 && P(0.2)) _p.SecondBlockAt = _r.Next(1, _p.Constraints.Count);
        }

        /// <summary>An expression free of decision variables (a bound): constant, data, param, dim.</summary>
        private Node VarFree(Scope scope)
        {
            var data = _p.Data.Where(d => d.Shape.Count <= 2).ToList();
            switch (_r.Next(5))
            {
                case 0 when data.Count > 0:
                {
                    var d = Pick(data);
                    return d.Shape.Count == 0 ? ScalarData(d) : new Bin('+', new Num("1"), DataElem(d, scope));
                }
                case 1 when _p.Params.Count > 0:
                    return ParamRef(Pick(_p.Params));
                case 2:
                    return new Fn("(-{0})", a => -a[0], new Num(Pick(Constants)));
                default:
                    return new Num(Pick(Constants));
            }
        }

        private void CoverUnusedVars()
        {
            var used = new HashSet<string>(_p.Goal.Descendants().Concat(_p.Constraints.SelectMany(c => c.Sides.SelectMany(s => s.Descendants())))
                .SelectMany(VarNames));
            foreach (var v in _p.Vars.Where(v => !used.Contains(v.Name)))
            {
                Node term;
                if (v.Shape.Count == 0) term = new Fn("sq({0})", a => a[0] * a[0], ScalarVar(v));
                else term = new Bin('*', new Num("0.05"), L2(WholeVar(v)));
                _p.Goal = new Bin('+', _p.Goal, term);
            }
        }

        private IEnumerable<string> VarNames(Node n) => n switch
        {
            ElemRef { Kind: ElemKind.Var } e => [e.Name],
            Sym s when s.ReadsVar => [s.Name],
            Whole w when w.ReadsVar && _p.Vars.Any(v => v.Name == w.Name) => [w.Name],
            Whole w when w.ReadsVar => _p.Lets.Where(l => l.Name == w.Name).SelectMany(l => l.Body.Descendants().SelectMany(VarNames)),
            Slice when n.ReadsVar => [n.Text.Split('[')[0]],
            LetElemRef l => l.Let.Body.Descendants().SelectMany(VarNames),
            LetScalarRef l => _p.Lets.Where(x => x.Name == l.Name).Select(x => x.Body).Concat(_p.Objectives.Where(o => o.Name == l.Name).Select(o => o.Body)).SelectMany(b => b.Descendants().SelectMany(VarNames)),
            _ => [],
        };

        // ---- Solver --------------------------------------------------------------------------------------------------

        private string? SolverLine()
        {
            // The default solver (nelder_mead, not built yet, when a non-smooth function such as norm is used).
            bool nonSmooth = _p.Goal.Text.Contains("norm(") || _p.Constraints.Any(c => c.Sides.Any(x => x.Text.Contains("norm(")))
                || _p.Lets.Any(l => l.Body.Text.Contains("norm(")) || _p.Objectives.Any(o => o.Body.Text.Contains("norm("));
            if (P(0.25) && !nonSmooth) return null;
            bool constrained = _p.Constraints.Count > 0;
            var candidates = SolverCatalog.All.Where(s => s.IsBuilt).Where(s => constrained
                ? s.Kind == ProblemKind.Constrained
                : s.Kind is ProblemKind.Gradient or ProblemKind.SecondOrder || (s.Kind == ProblemKind.LeastSquares && _leastSquares && !_p.Maximize))
                .Where(s => s.SupportsBounds || !_p.HasBounds).ToList();
            if (_leastSquares && P(0.6)) candidates = candidates.Where(s => s.Kind == ProblemKind.LeastSquares).DefaultIfEmpty(candidates[0]).ToList();
            var spec = Pick(candidates);
            var options = spec.Options.OrderBy(_ => _r.Next()).Take(_r.Next(0, 4)).ToList();
            if (options.Count == 0 && P(0.5)) return $"solver {spec.Name};";
            var text = options.Select(o => $"{o.Name}: {OptionValue(o)}");
            return $"solver {spec.Name}({string.Join(", ", text)});";
        }

        private string OptionValue(OptionSpec o) => o.Kind switch
        {
            OptionKind.PositiveReal => Pick(["1e-6", "0.01", "0.5", "2", "1e-10", "0.001", "1"]),
            OptionKind.NonNegativeReal => Pick(["0", "0.5", "0.9", "0.999", "1e-4"]),
            OptionKind.Count => Pick(["1", "5", "100", "2000", "0", "7"]),
            OptionKind.Bool => Pick(["true", "false"]),
            OptionKind.Choice => Pick(o.Choices!),
            OptionKind.Seconds => Pick(["0.5", "10", "1e-3", "60"]),
            _ => Pick(["0.5", "-1", "2", "0"]),
        };

        // ---- Scopes and indices ----------------------------------------------------------------------------------

        /// <summary>Index variables visible at a point, each with the inclusive interval of its values.</summary>
        private sealed class Scope
        {
            public readonly List<(Binding B, long Lo, long Hi, Ext? Full)> Items = new();

            public Scope With(Binding b, long lo, long hi, Ext? full)
            {
                var s = new Scope();
                s.Items.AddRange(Items.Where(x => x.B.Name != b.Name));
                s.Items.Add((b, lo, hi, full));
                return s;
            }

            public bool IsEmpty => Items.Count == 0;
            public (long, long) Interval(string name) => Items.Last(x => x.B.Name == name) is var it ? (it.Lo, it.Hi) : throw new InvalidOperationException();
        }

        private string IndexName(Scope scope)
        {
            var hostile = CSharpKeywords.Concat(GeneratedLocals).Concat(RelativeHostile()).Where(IsIdent)
                .Where(n => !_declared.Contains(n) && !OptReserved.Contains(n)).ToList();
            for (int attempt = 0; attempt < 100; attempt++)
            {
                string name = P(Hostile * 0.8) && hostile.Count > 0 ? Pick(hostile) : Pick(NormalIndexNames);
                if (attempt > 40) name += "x" + attempt;
                if (_declared.Contains(name) || OptReserved.Contains(name)) continue;
                // Shadowing an enclosing index is legal; keep it rare.
                if (scope.Items.Any(x => x.B.Name == name) && !P(0.05)) continue;
                _usedIndexNames.Add(name);
                return name;
            }
            throw new InvalidOperationException("Fuzzer bug: no index name");
        }

        private readonly HashSet<string> _usedIndexNames = new(StringComparer.Ordinal);

        /// <summary>Bindings for a reduction or forall, ranging over an extent of the problem's arrays.</summary>
        private (List<Binding>, Scope) Bindings(Scope scope, int count, bool allowEmpty = false, bool allowTriangular = true)
        {
            var list = new List<Binding>();
            for (int k = 0; k < count; k++)
            {
                string name = IndexName(scope);
                var ext = PickExtent();
                Binding b;
                long lo, hi;
                Ext? full = null;
                double form = _r.NextDouble();
                var prev = list.Count > 0 ? list[^1] : null;
                if (prev is not null && form < 0.15 && allowTriangular)
                {
                    // Triangular: j in 0..i (empty for i = 0) or j in i..n.
                    var (plo, phi) = scope.Interval(prev.Name);
                    if (P(0.5))
                    {
                        b = new Binding(name, IntE.Lit(0), IntE.Ref(prev.Name));
                        (lo, hi) = (0, Math.Max(0, phi - 1));
                    }
                    else
                    {
                        b = new Binding(name, IntE.Ref(prev.Name), ext.Expr);
                        (lo, hi) = (plo, Math.Max(plo, ext.Value - 1));
                    }
                }
                else if (form < 0.6 || ext.Value < 2)
                {
                    b = new Binding(name, IntE.Lit(0), ext.Expr);
                    (lo, hi, full) = (0, ext.Value - 1, ext);
                }
                else if (form < 0.75)
                {
                    b = new Binding(name, IntE.Lit(0), ext.Expr - 1);
                    (lo, hi) = (0, ext.Value - 2);
                }
                else if (form < 0.85)
                {
                    b = new Binding(name, IntE.Lit(1), ext.Expr);
                    (lo, hi) = (1, ext.Value - 1);
                }
                else if (form < 0.95 || !allowEmpty)
                {
                    long c = _r.Next(1, 5);
                    b = new Binding(name, IntE.Lit(0), IntE.Lit(c));
                    (lo, hi) = (0, c - 1);
                }
                else
                {
                    // An empty family or sum: zero rows / zero terms.
                    b = new Binding(name, ext.Expr, ext.Expr);
                    (lo, hi) = (ext.Value, ext.Value);
                }
                list.Add(b);
                scope = scope.With(b, lo, hi, full);
            }
            return (list, scope);
        }

        /// <summary>An index into [lo, hi) that stays in range for every value of the visible index variables.</summary>
        private IntE PickIndex(Scope scope, long lo, long hi, IntE? hiExpr, bool preferIndex)
        {
            var candidates = new List<IntE>();
            Func<string, (long, long)> names = n => scope.Items.Any(x => x.B.Name == n) ? scope.Interval(n) : _p.Dims.First(d => d.Name == n) is var d ? (d.Value, d.Value) : default;
            bool Fits(IntE e)
            {
                var (a, b) = e.Interval(names);
                return a >= lo && b < hi;
            }
            foreach (var (bnd, _, _, _) in scope.Items)
            {
                var i = IntE.Ref(bnd.Name);
                foreach (var e in new[] { i, i + 1, i - 1, IntE.Lit(2) * i, IntE.Lit(2) * i + 1, i + 2 })
                    if (Fits(e)) candidates.Add(e);
                if (hiExpr is not null && lo == 0 && Fits(hiExpr - 1 - i)) candidates.Add(hiExpr - 1 - i);
            }
            if (candidates.Count > 0 && (preferIndex || P(0.5))) return Pick(candidates);
            long k = lo + _r.Next((int)Math.Min(hi - lo, 4));
            if (hiExpr is IntName && lo == 0 && hi >= 1 && P(0.15)) return hiExpr - 1;
            return IntE.Lit(k);
        }

        // ---- Leaves --------------------------------------------------------------------------------------------------

        private Node ScalarVar(VarDecl v) => new Sym(v.Name, env => env.X[env.Vars[v.Name].Offset], readsVar: true);

        private Node VarLeaf(Scope scope, bool preferIndex = false)
        {
            var v = Pick(_p.Vars);
            return v.Shape.Count == 0 ? ScalarVar(v) : new ElemRef(v.Name, ElemKind.Var, v.Shape.Select(s => PickIndex(scope, 0, s.Value, s.Expr, preferIndex)).ToArray());
        }

        private Node ScalarData(DataDecl d) => new Sym(d.Name, env => env.Data[d.Name].Flat[0]);

        private Node DataElem(DataDecl d, Scope scope, bool preferIndex = false) =>
            d.Shape.Count == 0 ? ScalarData(d) : new ElemRef(d.Name, ElemKind.Data, d.Shape.Select(s => PickIndex(scope, 0, s.Value, s.Expr, preferIndex)).ToArray());

        private Node ParamRef(ParamDecl p) => new Sym(p.Name, env => env.Params[p.Name]);

        private Node Leaf(Scope scope, bool preferIndex)
        {
            var options = new List<(double Weight, Func<Node> Make)>
            {
                (6, () => VarLeaf(scope, preferIndex)),
                (2, () => new Num(Pick(Constants))),
            };
            if (_p.Data.Count > 0) options.Add((2.5, () => DataElem(Pick(_p.Data), scope, preferIndex)));
            if (_p.Params.Count > 0) options.Add((1, () => ParamRef(Pick(_p.Params))));
            if (!scope.IsEmpty) options.Add((preferIndex ? 2 : 1, () => new IndexValue(PickIndexValue(scope), Pick([1, 2, 3, 5]))));
            if (_p.Dims.Count > 0) options.Add((0.4, () => DimValue(Pick(_p.Dims))));
            if (_p.Lets.Count > 0) options.Add((2, () => LetRef(scope, preferIndex)));
            if (!_declared.Contains("pi")) options.Add((0.2, () => new Sym("pi", _ => Math.PI)));
            if (!_declared.Contains("e")) options.Add((0.2, () => new Sym("e", _ => Math.E)));
            double total = options.Sum(o => o.Weight), pick = _r.NextDouble() * total;
            foreach (var (w, make) in options)
            {
                if (pick < w) return make();
                pick -= w;
            }
            return options[0].Make();
        }

        private IntE PickIndexValue(Scope scope)
        {
            var b = scope.Items[_r.Next(scope.Items.Count)].B;
            var i = IntE.Ref(b.Name);
            return _r.Next(4) switch { 0 => i + 1, 1 => IntE.Lit(2) * i, _ => i };
        }

        private Node DimValue(DimDecl d) => new Fn($"({d.Name} / 4)", _ => d.Value / 4.0);

        private Node LetRef(Scope scope, bool preferIndex)
        {
            var let = Pick(_p.Lets);
            if (let.Indices.Count == 0) return new LetScalarRef(let.Name, () => _p.Lets.Contains(let) ? let : null, () => null);
            var index = new IntE[let.Indices.Count];
            for (int k = 0; k < index.Length; k++)
            {
                var (lo, hi, _) = let.Ranges[k];
                index[k] = PickIndex(scope, lo, hi, lo == 0 ? let.Indices[k].Upper : null, preferIndex);
            }
            return new LetElemRef(let, index);
        }

        // ---- Scalar expressions ---------------------------------------------------------------------------------------

        private Node Scalar(int depth, Scope scope, bool preferIndex)
        {
            if (depth <= 0) return Leaf(scope, preferIndex);
            Node E(int d = -1) => Scalar(d < 0 ? depth - 1 : d, scope, preferIndex);
            int pick = _r.Next(100);
            if (pick < 10) return new Bin('+', E(), E());
            if (pick < 16)
            {
                Node a = E(), b = E();
                if (a.Text == b.Text) b = new Bin('+', b, new Num("1"));
                return new Bin('-', a, b);
            }
            if (pick < 26) return new Bin('*', E(), E());
            if (pick < 48)
            {
                var (t, f) = Pick(Unary);
                return new Fn(t, f, E());
            }
            if (pick < 56)
            {
                var (t, f) = Pick(Binary);
                return t.Contains("^({1})") || t.Contains("pow(")
                    ? new Fn(t, f, E(), Scalar(Math.Min(1, depth - 1), scope, preferIndex))
                    : new Fn(t, f, E(), E());
            }
            if (pick < 74) return ReductionNode(depth, scope);
            if (pick < 80) return MixedSum(scope);
            if (pick < 94)
            {
                var r = ArrayFunction(depth, scope);
                if (r is not null) return r;
            }
            if (pick < 97 && _g._payloads)
            {
                _program.Vectors.Add("comment");
                return new Commented(_g.PayloadComment(), E());
            }
            if (pick < 96)
            {
                var c = Pick(PlainComments);
                return new Commented(c.StartsWith("//", StringComparison.Ordinal) ? c + "\n" : c, E(), after: c.StartsWith("//", StringComparison.Ordinal));
            }
            return Leaf(scope, preferIndex);
        }

        private Node ReductionNode(int depth, Scope scope)
        {
            var (bindings, inner) = Bindings(scope, P(0.2) ? 2 : 1);
            Node body = Scalar(depth - 1, inner, preferIndex: true);
            switch (_r.Next(10))
            {
                case < 6:
                    return new Reduce("sum", bindings, body);
                case < 8:
                    // Bounded factors so long products stay finite.
                    return new Reduce("prod", bindings, new Fn("(1 + 0.3 * sin({0}))", a => 1 + 0.3 * Math.Sin(a[0]), body));
                default:
                    return new Reduce("logsumexp", bindings, body);
            }
        }

        // ---- Arrays -----------------------------------------------------------------------------------------------------

        private Whole WholeVar(VarDecl v) => new(v.Name, v.Shape.Select(s => s.Key).ToArray(),
            env => env.Vars[v.Name].Shape,
            (env, ix) =>
            {
                var (offset, shape) = env.Vars[v.Name];
                return env.X[offset + (shape.Length == 1 ? ix[0] : ix[0] * shape[1] + ix[1])];
            }, readsVar: true);

        private Whole WholeData(DataDecl d) => new(d.Name, d.Shape.Select(s => s.Key).ToArray(),
            env => env.Data[d.Name].Shape,
            (env, ix) =>
            {
                var (flat, shape) = env.Data[d.Name];
                return flat[shape.Length == 1 ? ix[0] : ix[0] * shape[1] + ix[1]];
            }, readsVar: false);

        /// <summary>An indexed let used whole: zero-based arrays only (every range starts at 0).</summary>
        private Whole? WholeLet(LetDef let)
        {
            var keys = new List<string>();
            var sizes = new List<long>();
            foreach (var (_, hi, key) in let.Ranges)
            {
                if (key is null) return null;
                keys.Add(key);
                sizes.Add(hi);
            }
            if (keys.Count == 0) return null;
            var shape = sizes.Select(s => (int)s).ToArray();
            return new Whole(let.Name, keys.ToArray(), _ => shape, (env, ix) => let.Element(env, ix.Select(i => (long)i).ToArray()), let.Body.ReadsVar);
        }

        private List<Node> BaseArrays(Scope scope)
        {
            var list = new List<Node>();
            foreach (var v in _p.Vars.Where(v => v.Shape.Count > 0)) list.Add(WholeVar(v));
            foreach (var d in _p.Data.Where(d => d.Shape.Count > 0)) list.Add(WholeData(d));
            foreach (var l in _p.Lets.Where(l => l.Indices.Count > 0)) if (WholeLet(l) is { } w) list.Add(w);
            foreach (var v in _p.Vars.Where(v => v.Shape.Count == 2))
            {
                int axis = _r.Next(2);
                var s = v.Shape[axis];
                list.Add(new Slice(v.Name, ElemKind.Var, axis, PickIndex(scope, 0, s.Value, s.Expr, true), [v.Shape[1 - axis].Key]));
            }
            foreach (var d in _p.Data.Where(d => d.Shape.Count == 2))
            {
                int axis = _r.Next(2);
                var s = d.Shape[axis];
                list.Add(new Slice(d.Name, ElemKind.Data, axis, PickIndex(scope, 0, s.Value, s.Expr, true), [d.Shape[1 - axis].Key]));
            }
            return list;
        }

        /// <summary>An array expression (optionally of a given shape, optionally reading a var).</summary>
        private Node? ArrayExpr(int depth, Scope scope, string[]? shape, bool requireVar)
        {
            var bases = BaseArrays(scope);
            // Matrix-vector products: a 2-D array times a 1-D array of its column extent.
            foreach (var m in bases.Where(b => b.ShapeKey.Length == 2).ToList())
                foreach (var x in bases.Where(b => b.ShapeKey.Length == 1 && b.ShapeKey[0] == m.ShapeKey[1]).ToList())
                    bases.Add(new MatVec(m, x));
            var fitting = bases.Where(b => shape is null || b.ShapeKey.SequenceEqual(shape)).ToList();
            if (requireVar && fitting.Any(b => b.ReadsVar)) fitting = fitting.Where(b => b.ReadsVar).ToList();
            if (fitting.Count == 0) return null;
            Node a = Pick(fitting);
            if (requireVar && !a.ReadsVar) return null;
            for (int k = 0; k < depth; k++)
            {
                switch (_r.Next(6))
                {
                    case 0:
                    {
                        var (t, f) = Pick(ArrayUnary);
                        a = new ArrMap(t, f, a);
                        break;
                    }
                    case 1:
                    {
                        var other = bases.Where(b => b.ShapeKey.SequenceEqual(a.ShapeKey)).ToList();
                        var b = Pick(other);
                        char op = b.Text == a.Text ? Pick(['+', '*']) : Pick(['+', '-', '*']);
                        a = P(0.5) ? new ArrBin(op, a, b) : new ArrBin(op, b, a);
                        break;
                    }
                    case 2:
                    {
                        var s = Scalar(_r.Next(0, 2), scope, false);
                        a = P(0.5) ? new ArrBin(Pick(['+', '-', '*']), a, s) : new ArrBin(Pick(['+', '-', '*']), s, a);
                        break;
                    }
                    default:
                        break;
                }
            }
            return a;
        }

        private static Node L2(Node a) => new Reduction("l2({0})", (env, k) => Reduction.Elements(env, k[0]).Sum(v => v * v), a);

        private static Node Mse(Node a, Node b) => new Reduction("mse({0}, {1})", (env, k) =>
        {
            var x = Reduction.Elements(env, k[0]).ToArray();
            var y = Reduction.Elements(env, k[1]).ToArray();
            double s = 0;
            for (int i = 0; i < x.Length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
            return s / x.Length;
        }, a, b);

        /// <summary>A scalar function of arrays: l2, dot, norm, the losses.</summary>
        private Node? ArrayFunction(int depth, Scope scope)
        {
            var a = ArrayExpr(_r.Next(0, Math.Max(1, depth)), scope, null, requireVar: P(0.8));
            if (a is null) return null;
            Node Other()
            {
                // A different array of the same shape (mse(a, a) is identically 0: no variable left in it).
                for (int attempt = 0; attempt < 4; attempt++)
                    if (ArrayExpr(_r.Next(0, 2), scope, a.ShapeKey, requireVar: false) is { } o && o.Text != a.Text) return o;
                return new ArrBin('+', a, new Num("1"));
            }
            switch (_r.Next(9))
            {
                case 0:
                case 1:
                    return L2(a);
                case 2:
                    return new Reduction("dot({0}, {1})", (env, k) => Reduction.Elements(env, k[0]).Zip(Reduction.Elements(env, k[1])).Sum(p => p.First * p.Second), a, Other());
                case 3:
                    // Away from 0: every element is at least 1.5.
                    return new Reduction("norm(1.5 + sq({0}))", (env, k) => Math.Sqrt(Reduction.Elements(env, k[0]).Sum(v => (1.5 + v * v) * (1.5 + v * v))), a);
                case 4:
                    return Mse(a, Other());
                case 5:
                    return new Reduction("bce_logits({0}, {1})", (env, k) =>
                    {
                        var z = Reduction.Elements(env, k[0]).ToArray();
                        var y = Reduction.Elements(env, k[1]).ToArray();
                        return Enumerable.Range(0, z.Length).Sum(i => RefMath.Softplus(z[i]) - y[i] * z[i]) / z.Length;
                    }, a, Other());
                case 6:
                    return new Reduction("bce(sigmoid({0}), {1})", (env, k) =>
                    {
                        var z = Reduction.Elements(env, k[0]).ToArray();
                        var y = Reduction.Elements(env, k[1]).ToArray();
                        return Enumerable.Range(0, z.Length).Sum(i => RefMath.Softplus(z[i]) - y[i] * z[i]) / z.Length;
                    }, a, Other());
                case 7:
                    return new Reduction("cce_logits({0}, {1})", (env, k) =>
                    {
                        var shape = k[0].Shape(env);
                        if (shape.Length == 1)
                        {
                            var z = Enumerable.Range(0, shape[0]).Select(i => k[0].Elem(env, [i])).ToArray();
                            double lse = RefMath.LogSumExp(z);
                            return Enumerable.Range(0, shape[0]).Sum(i => k[1].Elem(env, [i]) * (lse - z[i]));
                        }
                        double total = 0;
                        for (int r = 0; r < shape[0]; r++)
                        {
                            var z = Enumerable.Range(0, shape[1]).Select(j => k[0].Elem(env, [r, j])).ToArray();
                            double lse = RefMath.LogSumExp(z);
                            total += Enumerable.Range(0, shape[1]).Sum(j => k[1].Elem(env, [r, j]) * (lse - z[j]));
                        }
                        return total / shape[0];
                    }, a, Other());
                default:
                    return new Reduction("focal(sigmoid({0}), {1}, 2, 0.25)", (env, k) =>
                    {
                        var z = Reduction.Elements(env, k[0]).ToArray();
                        var y = Reduction.Elements(env, k[1]).ToArray();
                        double s = 0;
                        for (int i = 0; i < z.Length; i++)
                        {
                            // Exact identities, evaluated without cancellation: 1 − σ(z) = σ(−z), log σ(z) = −softplus(−z).
                            double p = RefMath.Sigmoid(z[i]), q = RefMath.Sigmoid(-z[i]);
                            double logP = -RefMath.Softplus(-z[i]), logQ = -RefMath.Softplus(z[i]);
                            s += -(0.25 * y[i] * q * q * logP + 0.75 * (1 - y[i]) * p * p * logQ);
                        }
                        return s / z.Length;
                    }, a, Other());
            }
        }
    }
}

/// <summary>A link of a long + / - chain, written without parentheses (chains of thousands of terms stay shallow to render).</summary>
public sealed class Chain : Node
{
    public char Op { get; }

    public Chain(char op, Node a, Node b)
    {
        Op = op;
        Kids = [a, b];
    }

    public override void Render(System.Text.StringBuilder sb)
    {
        // Iterative over the left spine: chains can be long.
        var spine = new List<Chain>();
        Node left = this;
        while (left is Chain c)
        {
            spine.Add(c);
            left = c.Kids[0];
        }
        left.Render(sb);
        for (int k = spine.Count - 1; k >= 0; k--)
        {
            sb.Append(' ').Append(spine[k].Op).Append(' ');
            spine[k].Kids[1].Render(sb);
        }
    }

    public override double Eval(Env env)
    {
        var spine = new List<Chain>();
        Node left = this;
        while (left is Chain c)
        {
            spine.Add(c);
            left = c.Kids[0];
        }
        double acc = left.Eval(env);
        for (int k = spine.Count - 1; k >= 0; k--)
            acc = spine[k].Op == '+' ? acc + spine[k].Kids[1].Eval(env) : acc - spine[k].Kids[1].Eval(env);
        return acc;
    }
}
