using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Schedule;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

// The numerical kernels: objective, derivatives, constraints, residuals. Each method checks its arguments, then
// prints the kernel plan the scheduling stage made for it (ProblemPlan).
public sealed partial class ProblemEmitter
{
    /// <summary>Writes a scheduled kernel: its locals, clears, views and statements.</summary>
    private void PrintKernel(KernelPlan plan) => new KernelPrinter(_w, _file).Print(plan);

    // ---- Objective and its derivatives ---------------------------------------------------------------------

    private void EmitObjectiveMethods()
    {
        string what = _p.Maximize ? "the maximized expression" : "the objective";
        string src = Comment(_p.ObjectiveText);

        _w.Line($"/// <summary>Evaluates {what} ({WhereXml(_p.ObjectiveLine)}).</summary>");
        using (_w.Block("public double Objective(global::System.ReadOnlySpan<double> x)"))
        {
            RequireX();
            _w.Line($"// {src}");
            PrintKernel(_plan.Objective);
            _w.Line("return f;");
        }
        _w.Line();

        EmitGradientMethod(
            $"/// <summary>Writes the gradient of {what} into <paramref name=\"gradient\"/> and returns its value. Symbolic reverse accumulation: every loop below mirrors a sum in the .opt file.</summary>",
            "public double Gradient(global::System.ReadOnlySpan<double> x, global::System.Span<double> gradient)", _plan.Gradient);
        EmitHessianVectorProductMethod(
            $"/// <summary>Writes ∇²f(x)·v for {what}: the exact symbolic gradient of the directional derivative ∇f(x)·v.</summary>",
            "public void HessianVectorProduct(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> v, global::System.Span<double> hv)", _plan.HessianVectorProduct);

        _w.Line($"/// <summary>Writes the dense Hessian of {what} (row-major, VariableCount × VariableCount): column j is the exact product ∇²f(x)·e_j.</summary>");
        using (_w.Block("public void Hessian(global::System.ReadOnlySpan<double> x, global::System.Span<double> hessian)"))
        {
            RequireX();
            RequireLength("hessian", "(long)VariableCount * VariableCount", "it must have", product: true);
            _w.Line($"{Runtime}.GeneratedSupport.DenseHessian(x, hessian, VariableCount, HessianVectorProduct);");
        }
        _w.Line();

        // The solvers minimize: a maximize problem hands them the negated function.
        string sign = _p.Maximize ? "-" : "";
        _w.Line($"double {Runtime}.IObjectiveProblem.Objective(global::System.ReadOnlySpan<double> x) => {sign}Objective(x);");
        _w.Line();
        if (_p.Maximize)
        {
            using (_w.Block($"double {Runtime}.IGradientProblem.Gradient(global::System.ReadOnlySpan<double> x, global::System.Span<double> gradient)"))
            {
                _w.Line("double f = Gradient(x, gradient);");
                _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Negate(gradient, gradient);");
                _w.Line("return -f;");
            }
            _w.Line();
            using (_w.Block($"void {Runtime}.ISecondOrderProblem.Hessian(global::System.ReadOnlySpan<double> x, global::System.Span<double> hessian)"))
            {
                _w.Line("Hessian(x, hessian);");
                _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Negate(hessian, hessian);");
            }
            _w.Line();
            using (_w.Block($"void {Runtime}.ISecondOrderProblem.HessianVectorProduct(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> v, global::System.Span<double> hv)"))
            {
                _w.Line("HessianVectorProduct(x, v, hv);");
                _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Negate(hv, hv);");
            }
            _w.Line();
        }
    }

    /// <summary>A method that writes the gradient of <paramref name="root"/> and returns its value.</summary>
    private void EmitGradientMethod(string doc, string header, KernelPlan plan, bool withMultipliers = false)
    {
        _w.Line(doc);
        using (_w.Block(header))
        {
            RequireX();
            if (withMultipliers) RequireLength("multipliers", "ConstraintCount", "it must have");
            RequireLength("gradient", "VariableCount", "it must have");
            PrintKernel(plan);
            _w.Line("return f;");
        }
        _w.Line();
    }

    /// <summary>A method that writes ∇²(root)·v: the reverse-mode gradient of the forward-mode directional derivative.</summary>
    private void EmitHessianVectorProductMethod(string doc, string header, KernelPlan plan, bool withMultipliers = false)
    {
        _w.Line(doc);
        using (_w.Block(header))
        {
            RequireX();
            if (withMultipliers) RequireLength("multipliers", "ConstraintCount", "it must have");
            RequireLength("v", "VariableCount", "it must have");
            RequireLength("hv", "VariableCount", "it must have");
            PrintKernel(plan);
        }
        _w.Line();
    }

    // ---- Constraints ---------------------------------------------------------------------------------------

    private void EmitConstraintMethods()
    {
        _w.Line("/// <summary>The number of constraint rows: " + string.Join(", ", _p.Constraints.Select(c => $"{Xml(c.Label)} ({WhereXml(c.Line)})")) + ", in that order.</summary>");
        _w.Line(_p.ConstraintCount is IntConst cc ? $"public const int ConstraintCount = {cc.Value};" : "public int ConstraintCount { get; }");
        _w.Line();
        _w.Line($"int {Runtime}.IConstrainedProblem.ConstraintCount => ConstraintCount;");
        _w.Line();
        _w.Line("/// <summary>The label of each constraint family with its first row and row count.</summary>");
        using (_w.Block("public global::System.Collections.Generic.IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels => new (string, int, int)[]"))
        {
            foreach (var c in _p.Constraints) _w.Line($"({CSharpNames.StringLiteral(c.Label)}, {MemberInt(c.RowOffset)}, {MemberInt(c.RowCount)}),");
        }
        _w.Line(";");
        _w.Line();

        _w.Line("/// <summary>Writes the constraint functions c(x); row k must satisfy lower[k] ≤ c_k(x) ≤ upper[k] (see <see cref=\"ConstraintBounds\"/>).</summary>");
        using (_w.Block("public void Constraints(global::System.ReadOnlySpan<double> x, global::System.Span<double> values)"))
        {
            RequireX();
            RequireLength("values", "ConstraintCount", "it must have");
            PrintKernel(_plan.Constraints!);
        }
        _w.Line();

        _w.Line("/// <summary>Writes the bounds of each constraint row (equal for equalities; infinite for one-sided rows).</summary>");
        using (_w.Block("public void ConstraintBounds(global::System.Span<double> lower, global::System.Span<double> upper)"))
        {
            RequireLength("lower", "ConstraintCount", "it must have");
            RequireLength("upper", "ConstraintCount", "it must have");
            PrintKernel(_plan.ConstraintBounds!);
        }
        _w.Line();

        _w.Line("/// <summary>Writes the dense constraint Jacobian, row-major ConstraintCount × VariableCount.</summary>");
        using (_w.Block("public void ConstraintJacobian(global::System.ReadOnlySpan<double> x, global::System.Span<double> jacobian)"))
        {
            RequireX();
            RequireLength("jacobian", "(long)ConstraintCount * VariableCount", "it must have", product: true);
            _w.Line("jacobian.Clear();");
            PrintKernel(_plan.ConstraintJacobian!);
        }
        _w.Line();

        _w.Line("/// <summary>The Lagrangian L(x, λ) = f(x) + Σₖ λₖ cₖ(x), with f in minimization form (negated for maximize).</summary>");
        using (_w.Block("public double Lagrangian(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers)"))
        {
            RequireX();
            RequireLength("multipliers", "ConstraintCount", "it must have");
            PrintKernel(_plan.Lagrangian!);
            _w.Line("return f;");
        }
        _w.Line();

        EmitGradientMethod("/// <summary>Writes ∇ₓL(x, λ) and returns L(x, λ).</summary>",
            "public double LagrangianGradient(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers, global::System.Span<double> gradient)", _plan.LagrangianGradient!, withMultipliers: true);
        EmitHessianVectorProductMethod("/// <summary>Writes ∇²ₓₓL(x, λ)·v.</summary>",
            "public void LagrangianHessianVectorProduct(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers, global::System.ReadOnlySpan<double> v, global::System.Span<double> hv)", _plan.LagrangianHessianVectorProduct!, withMultipliers: true);

        _w.Line("/// <summary>Writes the dense Hessian of the Lagrangian, row-major VariableCount × VariableCount.</summary>");
        using (_w.Block("public void LagrangianHessian(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers, global::System.Span<double> hessian)"))
        {
            RequireX();
            RequireLength("multipliers", "ConstraintCount", "it must have");
            RequireLength("hessian", "(long)VariableCount * VariableCount", "it must have", product: true);
            _w.Line("var lambda = multipliers.ToArray();");
            _w.Line($"{Runtime}.GeneratedSupport.DenseHessian(x, hessian, VariableCount, (point, v, hv) => LagrangianHessianVectorProduct(point, lambda, v, hv));");
        }
        _w.Line();
    }

    // ---- Least squares -------------------------------------------------------------------------------------

    private void EmitLeastSquaresMethods()
    {
        var blocks = _p.Residuals!;
        _w.Line("/// <summary>The number of residuals rₖ in f = Σₖ rₖ².</summary>");
        _w.Line(_p.ResidualCount is IntConst rc ? $"public const int ResidualCount = {rc.Value};" : "public int ResidualCount { get; }");
        _w.Line();
        _w.Line($"int {Runtime}.ILeastSquaresProblem.ResidualCount => ResidualCount;");
        _w.Line();

        _w.Line($"/// <summary>Writes the residuals r(x), with f(x) = Σₖ rₖ(x)² ({WhereXml(_p.ObjectiveLine)}).</summary>");
        using (_w.Block("public void Residuals(global::System.ReadOnlySpan<double> x, global::System.Span<double> residuals)"))
        {
            RequireX();
            RequireLength("residuals", "ResidualCount", "it must have");
            PrintKernel(_plan.Residuals!);
        }
        _w.Line();

        _w.Line("/// <summary>Writes the Jacobian of the residuals, row-major ResidualCount × VariableCount.</summary>");
        using (_w.Block("public void ResidualJacobian(global::System.ReadOnlySpan<double> x, global::System.Span<double> jacobian)"))
        {
            RequireX();
            RequireLength("jacobian", "(long)ResidualCount * VariableCount", "it must have", product: true);
            _w.Line("jacobian.Clear();");
            PrintKernel(_plan.ResidualJacobian!);
        }
        _w.Line();
        _w.Line($"void {Runtime}.ILeastSquaresProblem.Jacobian(global::System.ReadOnlySpan<double> x, global::System.Span<double> jacobian) => ResidualJacobian(x, jacobian);");
        _w.Line();
    }
}
