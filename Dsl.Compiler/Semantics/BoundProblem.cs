using System.Collections.Generic;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Semantics;

// The bound, shape-checked model of one problem block: everything the emitter needs, decided once.

public sealed record DimSymbol(string Name, int Line, long? Fixed)
{
    public SourceSpan NameSpan { get; init; }

    /// <summary>The data declaration and axis whose length defines this dim, when it has no value.</summary>
    public (string Data, int Axis)? BoundBy { get; set; }

    public bool IsConstructorArgument => Fixed is null && BoundBy is null;
}

public sealed record DataSymbol(string Name, int Line, IReadOnlyList<IntExpr> Shape)
{
    public SourceSpan NameSpan { get; init; }

    /// <summary>The elements, row-major (a matrix is held as a flat row-major copy).</summary>
    public IndexSpace Elements => IndexSpace.OfShape(Shape);
}

public sealed record ParamSymbol(string Name, int Line, double Default, string DefaultText)
{
    public SourceSpan NameSpan { get; init; }
}

/// <summary>A decision variable: its place in the flat vector, bounds and start (each null, a scalar, or one value per element).</summary>
public sealed record VarSymbol(string Name, int Line, IReadOnlyList<IntExpr> Shape, IntExpr Offset, IntExpr Size)
{
    public SourceSpan NameSpan { get; init; }
    public double[]? Lower { get; set; }
    public double[]? Upper { get; set; }
    public double[]? Start { get; set; }
    public bool HasBounds => Lower is not null || Upper is not null;

    /// <summary>The elements inside the variable's own slice, row-major.</summary>
    public IndexSpace Elements => IndexSpace.OfShape(Shape);

    /// <summary>The elements' positions in the flat vector x of all variables.</summary>
    public IndexSpace InVector => IndexSpace.OfShape(Shape, Offset);
}

/// <summary>
/// One constraint or indexed family: <c>Lower ≤ Body ≤ Upper</c> for each value of <see cref="ForAll"/>.
/// Rows are laid out in declaration order, families row-major over their indices (<see cref="Rows"/>).
/// </summary>
public sealed record ConstraintFamily(
    string Label, int Line, string SourceText, IReadOnlyList<IndexVar> ForAll,
    Expr Body, Expr Lower, Expr Upper, IndexSpace Rows)
{
    public bool IsEquality => Lower == Upper;

    public IntExpr RowOffset => Rows.Offset;

    public IntExpr RowCount => Rows.Count;
}

/// <summary>A block of least-squares residuals: the objective contains <c>Σ_loops Residual²</c>, one row per iteration of <see cref="Rows"/>.</summary>
public sealed record ResidualBlock(Expr Residual, IndexSpace Rows)
{
    public IReadOnlyList<IndexVar> Loops => Rows.Loops;
}

public sealed record BoundSolver(string Name, int Line, SolverSpec Spec, IReadOnlyList<(OptionSpec Option, object Value)> Options);

/// <summary>A value the .opt file names: the let (or named objective) it is, at these indices of an indexed or array let.</summary>
public sealed record ValueName(string Name, IReadOnlyList<IntExpr> Indices);

/// <summary>One objective of a pareto block, as written (its name is the named objective's, or objective{k}).</summary>
public sealed record ParetoObjective(string Name, Expr Value, bool Maximize);

public sealed class BoundProblem
{
    /// <summary>The objectives of a pareto block; the class's objective is then Σₖ wₖ·sₖ·fₖ with runtime weights.</summary>
    public IReadOnlyList<ParetoObjective>? Pareto { get; init; }
    public int ParetoPoints { get; init; }
    public bool ParetoEpsilon { get; init; }

    public required string Name { get; init; }
    public SourceSpan NameSpan { get; init; }
    public required int Line { get; init; }
    public required IReadOnlyList<DimSymbol> Dims { get; init; }
    public required IReadOnlyList<DataSymbol> Data { get; init; }
    public required IReadOnlyList<ParamSymbol> Params { get; init; }
    public required IReadOnlyList<VarSymbol> Vars { get; init; }
    public required IntExpr VariableCount { get; init; }

    /// <summary>The expression as written (maximized when <see cref="Maximize"/>).</summary>
    public required Expr Objective { get; init; }
    public required bool Maximize { get; init; }

    /// <summary>No kinked function (abs, max, ...) reaches the objective or constraints: the gradient is a true gradient.</summary>
    public bool Smooth { get; init; } = true;
    public required string ObjectiveText { get; init; }
    public required int ObjectiveLine { get; init; }

    public required IReadOnlyList<ConstraintFamily> Constraints { get; init; }
    public required IntExpr ConstraintCount { get; init; }
    public required BoundSolver Solver { get; init; }

    /// <summary>Residual blocks when the objective is a sum of squares (always computed; required by <c>lm</c>).</summary>
    public IReadOnlyList<ResidualBlock>? Residuals { get; init; }
    public IntExpr? ResidualCount { get; init; }

    /// <summary>Indices whose range depends on runtime dims: the constructor checks each once the dims are known.</summary>
    public IReadOnlyList<IndexCheck> IndexChecks { get; init; } = [];

    /// <summary>Values the .opt file names: the let or named objective each node was lowered from (generated locals take the name).</summary>
    public IReadOnlyDictionary<Expr, ValueName> ValueNames { get; init; } = new Dictionary<Expr, ValueName>();

    /// <summary>False when some feature used has no solver yet: the class is generated without Solve.</summary>
    public bool CanSolve { get; init; } = true;
}
