using System.Collections.Generic;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Schedule;

// The output of scheduling: what one generated method computes, where, and in which named locals. Every decision is
// made (loop placement and fusion, hoisting, shared subexpressions, vectorized calls, names); printing only spells it.

/// <summary>The plan of one kernel method: locals for the problem's symbols, clears of output vectors, views, statements.</summary>
public sealed class KernelPlan
{
    internal KernelPlan(IReadOnlyList<SymbolLocal> locals, IReadOnlyList<VectorClear> clears, IReadOnlyList<SliceLocal> slices, IReadOnlyList<Statement> body)
    {
        Locals = locals;
        Clears = clears;
        Slices = slices;
        Body = body;
    }

    /// <summary>Locals reading dims, data and params, in that order (each group in order of first use).</summary>
    public IReadOnlyList<SymbolLocal> Locals { get; }

    /// <summary>Parts of output vectors zeroed before accumulation (after <see cref="Locals"/>: they may use a dim).</summary>
    public IReadOnlyList<VectorClear> Clears { get; }

    /// <summary>Views of one variable inside a flat vector (after the clears).</summary>
    public IReadOnlyList<SliceLocal> Slices { get; }

    public IReadOnlyList<Statement> Body { get; }
}

public enum SymbolLocalKind
{
    /// <summary><c>int n = _n;</c></summary>
    Dim,
    /// <summary><c>double[] a = _a;</c></summary>
    DataArray,
    /// <summary><c>double c = _c;</c></summary>
    DataScalar,
    /// <summary><c>double lambda = Lambda;</c></summary>
    Param,
}

/// <summary>A local holding a member of the class (<paramref name="Member"/>: a field or property).</summary>
public sealed record SymbolLocal(SymbolLocalKind Kind, string Name, string Member);

/// <summary><c>Name = Vector.Slice(Offset, Size)</c>: one variable's elements inside a flat vector.</summary>
public sealed record SliceLocal(string Name, string Vector, bool ReadOnly, CInt Offset, CInt Size);

/// <summary><c>Vector.Clear()</c>, or of the slice (<see cref="Offset"/>, <see cref="Size"/>).</summary>
public sealed record VectorClear(string Vector, CInt? Offset = null, CInt? Size = null);

// ---- Statements ------------------------------------------------------------------------------------------------

public abstract record Statement;

/// <summary><c>double Name = Value;</c></summary>
public sealed record DeclareLocal(string Name, CExpr Value) : Statement;

/// <summary>
/// <c>Span&lt;double&gt; Name = stackalloc double[Size];</c> (or an array when the size is too large for the stack): the
/// buffer of an indexed value computed once per call (<see cref="IndexedValueBuffers"/>).
/// </summary>
public sealed record DeclareBuffer(string Name, CInt Size) : Statement;

/// <summary><c>for (int Index = Lower; Index &lt; Upper; Index++) { Body }</c></summary>
public sealed record Loop(string Index, CInt Lower, CInt Upper, IReadOnlyList<Statement> Body) : Statement;

/// <summary><c>Array[Index] = Value;</c> or <c>+=</c>.</summary>
public sealed record Assign(string Array, CInt Index, bool Accumulate, CExpr Value) : Statement;

/// <summary>The body of a reduction folded into its accumulator: <c>+=</c>, <c>*=</c> or a running maximum.</summary>
public sealed record Fold(string Accumulator, ExprKind Reduction, CExpr Value) : Statement;

/// <summary>A comment above the statement it describes.</summary>
public sealed record Comment(KernelComment What) : Statement;

/// <summary><c>double Name = TensorPrimitives.Op(Operands)</c>: a whole-vector reduction.</summary>
public sealed record VectorReduction(string Name, VectorReductionKind Kind, IReadOnlyList<VectorOperand> Operands) : Statement;

/// <summary>
/// A whole-vector update of <paramref name="Target"/> from <paramref name="Source"/>, scaled or not: copy, multiply,
/// add or multiply-add (<paramref name="Accumulate"/>).
/// </summary>
public sealed record VectorUpdate(string Target, VectorOperand Source, CExpr? Scale, bool Accumulate) : Statement;

/// <summary>
/// A loop over contiguous elements run four at a time in <c>Vector256&lt;double&gt;</c> lanes, then finished by
/// <paramref name="Scalar"/> (the loop as it was, from where the lanes stopped). <paramref name="Unrolled"/> holds
/// <paramref name="Unroll"/> copies of the vector body, each with its own partial sums, for the main loop; <paramref name="Body"/>
/// is one copy, for the four-at-a-time loop after it. The lanes run only when every vector's range is inside it
/// (<paramref name="Guards"/>, checked once), so the loads and stores inside go through <paramref name="Refs"/> without
/// bounds checks; otherwise the scalar loop does all the work (and throws where it would have thrown).
/// With <paramref name="Pairs"/> the loop walks interleaved pairs (<c>x[2*i]</c>, <c>x[2*i + 1]</c>): each vector holds
/// four iterations' even or odd elements, in the lane order of <c>Avx.UnpackLow</c> (iterations 0, 2, 1, 3), and the
/// lanes run only where AVX is supported.
/// With <paramref name="Rows"/> the loop is an outer one whose lanes are four consecutive rows: its own statements run on
/// four rows at once, and each inner loop runs once for the four rows (<see cref="LoopVectorizer"/>, "Rows").
/// </summary>
public sealed record SimdLoop(Loop Scalar, IReadOnlyList<SimdRef> Refs, IReadOnlyList<SimdGuard> Guards,
                              IReadOnlyList<SimdBroadcast> Broadcasts, IReadOnlyList<SimdAccumulator> Accumulators,
                              int Unroll, IReadOnlyList<IReadOnlyList<Statement>> Unrolled, IReadOnlyList<Statement> Body,
                              bool Pairs, bool Rows = false) : Statement;

/// <summary><c>ref double Name = ref</c> the first element of <paramref name="Vector"/> (a span, or an array when <paramref name="IsArray"/>).</summary>
public sealed record SimdRef(string Name, string Vector, bool IsArray);

/// <summary>The loop reads or writes elements <paramref name="First"/> … <paramref name="Last"/> of <paramref name="Vector"/>.</summary>
public sealed record SimdGuard(string Vector, CInt First, CInt Last);

/// <summary><c>var Name = Vector256.Create(Value)</c>: a loop-invariant scalar in every lane.</summary>
public sealed record SimdBroadcast(string Name, CExpr Value);

/// <summary>The partial sums (<paramref name="Lanes"/>, one per unrolled copy) of the scalar accumulator <paramref name="Scalar"/>.</summary>
public sealed record SimdAccumulator(string Scalar, IReadOnlyList<string> Lanes);

/// <summary><c>var Name = Value;</c> in a vector body.</summary>
public sealed record VectorDeclare(string Name, CExpr Value) : Statement;

/// <summary><c>Accumulator += Value;</c> in a vector body (a lane of partial sums).</summary>
public sealed record VectorFold(string Accumulator, CExpr Value) : Statement;

/// <summary>
/// Four elements of the vector behind <paramref name="Ref"/> from <paramref name="Index"/> on, set to the one value of
/// <paramref name="Values"/>, or (<paramref name="Accumulate"/>) added to: the values in order, each added to the running
/// total (as that many <c>+=</c> would).
/// </summary>
public sealed record VectorStore(string Ref, CInt Index, bool Accumulate, IReadOnlyList<CExpr> Values) : Statement;

/// <summary><c>double Name = Vector256.GetElement(Vector, Lane);</c>: one row's value of a vector computed for four rows.</summary>
public sealed record ExtractLane(string Name, string Vector, int Lane) : Statement;

/// <summary><c>var Name = Vector256.Create(Lanes…);</c>: four rows' scalar results as one vector.</summary>
public sealed record PackLanes(string Name, IReadOnlyList<string> Lanes) : Statement;

/// <summary>
/// Four interleaved pairs from <paramref name="Index"/> on (eight elements), set or added to: the even elements from
/// <paramref name="Evens"/>, the odd ones from <paramref name="Odds"/> (lanes in pair order).
/// </summary>
public sealed record VectorPairStore(string Ref, CInt Index, bool Accumulate, CExpr Evens, CExpr Odds) : Statement;

public enum VectorReductionKind { SumOfSquares, Dot, Sum }

/// <summary>A whole vector: a span of a variable or direction, a data array, or a buffer of indexed values (a writable span, read through a cast).</summary>
public sealed record VectorOperand(string Name, bool IsDataArray, bool IsWritableSpan = false);

// ---- Comments ----------------------------------------------------------------------------------------------------

/// <summary>What a comment says; printing spells and escapes it.</summary>
public abstract record KernelComment;

/// <summary>.opt text with the line it comes from (a constraint's source).</summary>
public sealed record SourceComment(string Text, int Line) : KernelComment;

/// <summary>A label of the .opt file (a constraint family's, an objective's name).</summary>
public sealed record LabelComment(string Label) : KernelComment;

/// <summary>
/// The derivative stored next: with respect to <paramref name="Variable"/>'s element at <paramref name="Indices"/>, or all
/// its elements at once; of the row <paramref name="Row"/>[<paramref name="RowIndices"/>] for a Jacobian (a constraint
/// family's label, a residual block's let), of the function itself for a gradient (null).
/// </summary>
public sealed record DerivativeComment(string Variable, IReadOnlyList<CInt> Indices, bool AllElements = false,
                                       string? Row = null, IReadOnlyList<CInt>? RowIndices = null) : KernelComment;

// ---- C# expressions --------------------------------------------------------------------------------------------

/// <summary>A C# expression of a plan: structure only (operators, calls, named locals); precedence is the printer's.</summary>
public abstract record CExpr;

/// <summary>A local, accumulator, param local or pareto setting: anything written as a name (primary).</summary>
public sealed record CName(string Name) : CExpr;

public sealed record CLiteral(double Value) : CExpr;

/// <summary>An integer expression used as a real number.</summary>
public sealed record CIndexValue(CInt Index) : CExpr;

/// <summary><c>Array[Index]</c>.</summary>
public sealed record CElement(string Array, CInt Index) : CExpr;

/// <summary>A chain of additions and subtractions, left to right (long chains stay flat).</summary>
public sealed record CChain(CExpr First, IReadOnlyList<(bool Minus, CExpr Operand)> Rest) : CExpr;

/// <summary><c>Left * Right</c> or <c>Left / Right</c>.</summary>
public sealed record CBinary(char Op, CExpr Left, CExpr Right) : CExpr;

public sealed record CNegate(CExpr Operand) : CExpr;

/// <summary>A call of a fully qualified method.</summary>
public sealed record CCall(string Method, IReadOnlyList<CExpr> Arguments) : CExpr;

/// <summary><c>(Condition cmp 0.0 ? WhenTrue : WhenFalse)</c>.</summary>
public sealed record CConditional(CExpr Condition, Comparison Comparison, CExpr WhenTrue, CExpr WhenFalse) : CExpr;

/// <summary>Four elements from <paramref name="Index"/> on of the vector behind <paramref name="Ref"/> (a vector body only).</summary>
public sealed record CVectorLoad(string Ref, CInt Index) : CExpr;

/// <summary>
/// The even (<paramref name="Odd"/> false) or odd elements of the four interleaved pairs from <paramref name="Index"/> on,
/// in pair lane order (a vector body of a pair loop only).
/// </summary>
public sealed record CVectorPairLoad(string Ref, CInt Index, bool Odd) : CExpr;

/// <summary>A constant in every lane.</summary>
public sealed record CVectorConstant(double Value) : CExpr;

/// <summary>
/// An index as a real number in each lane: <paramref name="Index"/> at the first lane, plus <paramref name="Step"/> per
/// iteration (lanes in iteration order 0, 1, 2, 3, or 0, 2, 1, 3 in a pair loop: <paramref name="PairOrder"/>).
/// </summary>
public sealed record CVectorIndex(CInt Index, long Step, bool PairOrder) : CExpr;

/// <summary>Per lane <c>Condition cmp 0 ? WhenTrue : WhenFalse</c> (both sides computed).</summary>
public sealed record CVectorSelect(CExpr Condition, Comparison Comparison, CExpr WhenTrue, CExpr WhenFalse) : CExpr;

/// <summary>An integer expression of a plan: literals, names (dim locals, loop indices) and + - *.</summary>
public abstract record CInt;

public sealed record CIntLiteral(long Value) : CInt;

public sealed record CIntName(string Name) : CInt;

public sealed record CIntBinary(char Op, CInt Left, CInt Right) : CInt;

/// <summary><c>Math.Max(0, Inner)</c>.</summary>
public sealed record CIntClamp(CInt Inner) : CInt;
