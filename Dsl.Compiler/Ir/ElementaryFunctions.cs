using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Compiler.Ir;

/// <summary>The elementary functions, one member per entry of <see cref="ElementaryFunctions.All"/> (same order).</summary>
public enum Func
{
    Exp, Log, Log1p, Sqrt, Sin, Cos, Tan, Atan, Tanh, Sigmoid, Softplus, Abs, Relu,
    /// <summary>sign(x), 0 at 0.</summary>
    Sign,
    /// <summary>Heaviside step: 1 for x &gt; 0, else 0 (relu's derivative, with relu'(0) = 0).</summary>
    Step,
    /// <summary>The error function (2/√π) ∫₀ˣ e^(−t²) dt.</summary>
    Erf,
}

/// <summary>
/// One elementary function of the IR (<see cref="ExprKind.Call"/>): everything every stage needs to know about it, in one
/// place. The binder resolves <see cref="Name"/> and reports <see cref="IsSmooth"/>; the IR folds constants with
/// <see cref="Evaluate"/>; differentiation uses <see cref="Derivative"/>; the printer writes <see cref="CSharpMethod"/>.
/// Adding a function (erf) touches this file only (a <see cref="Func"/> member and its entry of
/// <see cref="ElementaryFunctions.All"/>) and, when <see cref="System.Math"/> has none, its runtime helper in <c>OptMath</c>
/// (and its four-lane version in <c>VectorMath</c>, used by SIMD loops);
/// ElementaryFunctionTests then checks its derivative, its folding and its row in docs/language.md.
/// </summary>
public sealed class ElementaryFunction
{
    internal ElementaryFunction(Func func, string name, bool callable, bool smooth, Func<double, double> evaluate,
                                Func<Expr, Expr, Expr> derivative, string csharpMethod, string? runtimeHelper, string? vectorMethod)
    {
        VectorMethod = vectorMethod;
        Func = func;
        Name = name;
        IsCallable = callable;
        IsSmooth = smooth;
        Evaluate = evaluate;
        _derivative = derivative;
        CSharpMethod = csharpMethod;
        RuntimeHelper = runtimeHelper;
    }

    private readonly Func<Expr, Expr, Expr> _derivative;

    public Func Func { get; }

    /// <summary>The .opt spelling (IR dumps use it too).</summary>
    public string Name { get; }

    /// <summary>Every elementary function takes one argument.</summary>
    public int Arity => 1;

    /// <summary>False for functions only the compiler writes (the derivatives of abs and relu): a .opt file cannot call them.</summary>
    public bool IsCallable { get; }

    /// <summary>False when the function has kinks: a derivative-based solver reports OPT0030 where it is used.</summary>
    public bool IsSmooth { get; }

    /// <summary>The value, for constant folding: the same number the generated C# computes.</summary>
    public Func<double, double> Evaluate { get; }

    /// <summary>f'(u) for the node <c>f(u)</c>, reusing the node's own value where the derivative is a function of it.</summary>
    public Expr Derivative(Expr call) => _derivative(call, call.Args[0]);

    /// <summary>The fully qualified C# method the generated code calls (<c>global::System.Math.Exp</c>).</summary>
    public string CSharpMethod { get; }

    /// <summary>The method of <c>OptDsl.Runtime.OptMath</c> that implements it, or null when the framework has it.</summary>
    public string? RuntimeHelper { get; }

    /// <summary>
    /// The method computing the function on four lanes (<c>Vector256&lt;double&gt;</c>), for SIMD loops; null when it has
    /// none (the loop stays scalar). Framework methods (exp, log, sin, cos) are within one unit in the last place, as
    /// <see cref="System.Math"/>'s; runtime helpers (<c>OptDsl.Runtime.VectorMath</c>) follow the scalar helper's formula.
    /// </summary>
    public string? VectorMethod { get; }

    /// <summary>The C# call of the function on an argument already written as C#.</summary>
    public string CSharpCall(string argument) => $"{CSharpMethod}({argument})";

    public override string ToString() => Name;
}

/// <summary>The table of elementary functions (docs/language.md "Functions").</summary>
public static class ElementaryFunctions
{
    private const string SystemMath = "global::System.Math.";
    private const string OptMath = "global::OptDsl.Runtime.OptMath.";
    private const string Vector256 = "global::System.Runtime.Intrinsics.Vector256.";
    private const string VectorMath = "global::OptDsl.Runtime.VectorMath.";

    /// <summary>
    /// σ(u) and softplus(u) computed together from one e^(−|u|) (<see cref="SharedExp"/>): the methods that take it, for
    /// σ and for softplus, and the same values as <c>OptMath.Sigmoid</c> and <c>OptMath.Softplus</c> bit for bit.
    /// </summary>
    public static string OfSharedExp(Func func) => func switch
    {
        Func.Sigmoid => OptMath + "SigmoidOfExp",
        Func.Softplus => OptMath + "SoftplusOfExp",
        _ => throw new ArgumentOutOfRangeException(nameof(func)),
    };

    /// <summary>The methods of e^(−|u|): the exponential and the absolute value, for <see cref="OfSharedExp"/>.</summary>
    public static (string Exp, string Abs) SharedExp => (SystemMath + "Exp", SystemMath + "Abs");

    /// <summary>A function of <see cref="System.Math"/>; <paramref name="vectorized"/> when Vector256 has it too.</summary>
    private static ElementaryFunction Framework(Func func, string name, bool smooth, Func<double, double> evaluate, Func<Expr, Expr, Expr> derivative, string method, bool vectorized) =>
        new(func, name, callable: true, smooth, evaluate, derivative, SystemMath + method, runtimeHelper: null, vectorized ? Vector256 + method : null);

    /// <summary>A function of the runtime's OptMath, with its four-lane version in VectorMath.</summary>
    private static ElementaryFunction Runtime(Func func, string name, bool callable, bool smooth, Func<double, double> evaluate, Func<Expr, Expr, Expr> derivative, string method) =>
        new(func, name, callable, smooth, evaluate, derivative, OptMath + method, runtimeHelper: method, VectorMath + method);

    /// <summary>Every function, in <see cref="Func"/> order.</summary>
    public static readonly IReadOnlyList<ElementaryFunction> All =
    [
        Framework(Func.Exp, "exp", true, Math.Exp, (call, _) => call, "Exp", true),
        Framework(Func.Log, "log", true, Math.Log, (_, u) => Expr.Div(Expr.One, u), "Log", true),
        Runtime(Func.Log1p, "log1p", true, true, Log1p, (_, u) => Expr.Div(Expr.One, Expr.Add(Expr.One, u)), "Log1p"),
        // sqrt has no derivative at 0 (its slope is infinite there); the subgradient-0 convention of the non-smooth
        // functions applies, so norm(u) at u = 0 and sqrt(x^2) at 0 get a zero gradient instead of 0·∞ = NaN.
        Framework(Func.Sqrt, "sqrt", true, Math.Sqrt,
            (call, _) => Expr.Select(call, Comparison.Greater, Expr.Div(Expr.Const(0.5), Expr.Select(call, Comparison.Greater, call, Expr.One)), Expr.Zero),
            "Sqrt", true),
        Framework(Func.Sin, "sin", true, Math.Sin, (_, u) => Expr.Call(Func.Cos, u), "Sin", true),
        Framework(Func.Cos, "cos", true, Math.Cos, (_, u) => Expr.Neg(Expr.Call(Func.Sin, u)), "Cos", true),
        Framework(Func.Tan, "tan", true, Math.Tan, (call, _) => Expr.Add(Expr.One, Expr.Pow(call, Expr.Const(2))), "Tan", false),
        Framework(Func.Atan, "atan", true, Math.Atan, (_, u) => Expr.Div(Expr.One, Expr.Add(Expr.One, Expr.Pow(u, Expr.Const(2)))), "Atan", false),
        Framework(Func.Tanh, "tanh", true, Math.Tanh, (call, _) => Expr.Sub(Expr.One, Expr.Pow(call, Expr.Const(2))), "Tanh", false),
        // σ(1 − σ), without turning 1 − σ into another σ(−u).
        Runtime(Func.Sigmoid, "sigmoid", true, true, Sigmoid, (call, _) => Expr.Sub(call, Expr.Pow(call, Expr.Const(2))), "Sigmoid"),
        Runtime(Func.Softplus, "softplus", true, true, x => Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs(x))), (_, u) => Expr.Call(Func.Sigmoid, u), "Softplus"),
        Framework(Func.Abs, "abs", false, Math.Abs, (_, u) => Expr.Call(Func.Sign, u), "Abs", true),
        Runtime(Func.Relu, "relu", true, false, x => x > 0 ? x : double.IsNaN(x) ? x : 0.0, (_, u) => Expr.Call(Func.Step, u), "Relu"),
        Runtime(Func.Sign, "sign", false, false, x => x > 0 ? 1.0 : x < 0 ? -1.0 : x, (_, _) => Expr.Zero, "Sign"),
        Runtime(Func.Step, "step", false, false, x => x > 0 ? 1.0 : 0.0, (_, _) => Expr.Zero, "Step"),
        // erf'(u) = (2/√π) e^(−u²). One formula (OptDsl.Runtime.Internal.ErfFormula, compiled into the compiler and the
        // runtime) folds constants and runs in generated code; it has no four-lane version, so loops using it stay scalar.
        new(Func.Erf, "erf", callable: true, smooth: true, OptDsl.Runtime.Internal.ErfFormula.Erf,
            (_, u) => Expr.Mul(Expr.Const(1.1283791670955126), Expr.Call(Func.Exp, Expr.Neg(Expr.Pow(u, Expr.Const(2))))),
            OptMath + "Erf", runtimeHelper: "Erf", vectorMethod: null),
    ];

    // The runtime helpers' own formulas (OptDsl.Runtime.OptMath), so a folded constant is the number the code would compute.

    private static double Log1p(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    private static double Sigmoid(double x)
    {
        if (x >= 0) return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    private static readonly Dictionary<string, ElementaryFunction> s_byName =
        All.Where(f => f.IsCallable).ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The entry of <paramref name="func"/>.</summary>
    public static ElementaryFunction Of(Func func) => All[(int)func];

    /// <summary>The function a .opt file calls by <paramref name="name"/> (only callable ones).</summary>
    public static bool TryFind(string name, out ElementaryFunction function) => s_byName.TryGetValue(name, out function!);

    /// <summary>The names a .opt file may call.</summary>
    public static IEnumerable<string> CallableNames => All.Where(f => f.IsCallable).Select(f => f.Name);
}
