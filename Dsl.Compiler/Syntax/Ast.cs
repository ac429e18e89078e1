using System.Collections.Generic;

namespace OptDsl.Compiler.Syntax;

// The syntax tree of a .opt file: what the user wrote, with spans; no meaning attached yet.

public sealed record FileSyntax(string? Namespace, SourceSpan NamespaceSpan, IReadOnlyList<BlockSyntax> Blocks);

public abstract record BlockSyntax(string Name, SourceSpan NameSpan, SourceSpan Span);

public sealed record ProblemSyntax(string Name, SourceSpan NameSpan, SourceSpan Span, IReadOnlyList<MemberSyntax> Members)
    : BlockSyntax(Name, NameSpan, Span);

public sealed record ModelSyntax(string Name, SourceSpan NameSpan, SourceSpan Span, IReadOnlyList<MemberSyntax> Members)
    : BlockSyntax(Name, NameSpan, Span);

/// <summary><c>tune M as S { ... }</c>: <paramref name="Name"/> is S (the generated class), <paramref name="Model"/> the model searched.</summary>
public sealed record TuneSyntax(string Name, SourceSpan NameSpan, SourceSpan Span, string Model, SourceSpan ModelSpan, IReadOnlyList<TuneMemberSyntax> Members)
    : BlockSyntax(Name, NameSpan, Span);

public abstract record TuneMemberSyntax(SourceSpan Span);

/// <summary><c>name in {v1, v2, ...};</c></summary>
public sealed record TuneChoiceSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<ExprSyntax> Values) : TuneMemberSyntax(Span);

/// <summary><c>name in logrange(a, b);</c> or <c>name in range(a, b);</c> (any other expression is an error of the binder).</summary>
public sealed record TuneRangeSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, ExprSyntax Value) : TuneMemberSyntax(Span);

/// <summary><c>search random(trials: 30, seed: 1);</c></summary>
public sealed record TuneSearchSyntax(SourceSpan Span, string Method, SourceSpan MethodSpan, IReadOnlyList<OptionSyntax> Options) : TuneMemberSyntax(Span);

/// <summary><c>prune: median;</c></summary>
public sealed record TuneOptionSyntax(SourceSpan Span, OptionSyntax Option) : TuneMemberSyntax(Span);

public abstract record MemberSyntax(SourceSpan Span);

public sealed record DimSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, ExprSyntax? Value) : MemberSyntax(Span);

public sealed record DataSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<ExprSyntax> Shape) : MemberSyntax(Span);

public sealed record ParamSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, ExprSyntax Value) : MemberSyntax(Span);

public sealed record VarSyntax(
    SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<ExprSyntax> Shape,
    ExprSyntax? Lower, ExprSyntax? Upper, ExprSyntax? Start) : MemberSyntax(Span);

/// <summary><c>input</c> or <c>target</c> of a model.</summary>
public sealed record SampleSyntax(SourceSpan Span, string Keyword, string Name, SourceSpan NameSpan, IReadOnlyList<ExprSyntax> Shape) : MemberSyntax(Span);

public sealed record LetSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<IndexBindingSyntax> Indices, ExprSyntax Value) : MemberSyntax(Span);

public sealed record ObjectiveSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, ExprSyntax Value) : MemberSyntax(Span);

public sealed record GoalSyntax(SourceSpan Span, bool Maximize, ExprSyntax Value) : MemberSyntax(Span);

public sealed record ConstraintsSyntax(SourceSpan Span, IReadOnlyList<ConstraintSyntax> Constraints) : MemberSyntax(Span);

public sealed record ConstraintSyntax(
    SourceSpan Span, string? Label, SourceSpan LabelSpan, IReadOnlyList<IndexBindingSyntax> ForAll,
    IReadOnlyList<ExprSyntax> Operands, IReadOnlyList<(string Op, SourceSpan Span)> Operators);

/// <summary>A <c>pareto { minimize a; maximize b; points: 25; method: epsilon; }</c> block.</summary>
public sealed record ParetoSyntax(SourceSpan Span, IReadOnlyList<GoalSyntax> Goals, IReadOnlyList<OptionSyntax> Options) : MemberSyntax(Span);

public sealed record SolverSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<OptionSyntax> Options) : MemberSyntax(Span);

/// <summary>A member only a model has: <c>predict</c>, <c>loss</c> or <c>optimizer</c> (<paramref name="Keyword"/>).</summary>
public abstract record ModelMemberSyntax(SourceSpan Span, string Keyword) : MemberSyntax(Span);

/// <summary><c>predict expr;</c>: the model's output for one sample.</summary>
public sealed record PredictSyntax(SourceSpan Span, ExprSyntax Value) : ModelMemberSyntax(Span, "predict");

/// <summary><c>loss expr;</c>: one sample's loss (averaged over each batch).</summary>
public sealed record LossSyntax(SourceSpan Span, ExprSyntax Value) : ModelMemberSyntax(Span, "loss");

/// <summary>
/// <c>optimizer adam(lr: 0.05) { batch: 32; epochs: 100; ... }</c>: the update rule's options in parentheses
/// (<paramref name="Options"/>), the training settings in braces (<paramref name="Settings"/>; none after <c>;</c>).
/// </summary>
public sealed record OptimizerSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<OptionSyntax> Options,
                                     IReadOnlyList<OptionSyntax> Settings) : ModelMemberSyntax(Span, "optimizer");

public sealed record OptionSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, OptionValueSyntax Value);

public abstract record OptionValueSyntax(SourceSpan Span);

public sealed record ExprOptionValue(SourceSpan Span, ExprSyntax Value) : OptionValueSyntax(Span);

public sealed record CallOptionValue(SourceSpan Span, string Name, IReadOnlyList<OptionSyntax> Options) : OptionValueSyntax(Span);

public sealed record TupleOptionValue(SourceSpan Span, IReadOnlyList<OptionSyntax> Options) : OptionValueSyntax(Span);

public sealed record IndexBindingSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, ExprSyntax Lower, ExprSyntax Upper);

public abstract record ExprSyntax(SourceSpan Span);

public sealed record NumberSyntax(SourceSpan Span, double Value, string Text) : ExprSyntax(Span);

public sealed record NameSyntax(SourceSpan Span, string Name) : ExprSyntax(Span);

public sealed record UnarySyntax(SourceSpan Span, char Op, ExprSyntax Operand) : ExprSyntax(Span);

public sealed record BinarySyntax(SourceSpan Span, char Op, ExprSyntax Left, ExprSyntax Right) : ExprSyntax(Span);

public sealed record CallSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<ExprSyntax> Arguments) : ExprSyntax(Span);

/// <summary><c>a[i, j]</c>; a null index is a whole-dimension slice <c>:</c>.</summary>
public sealed record IndexSyntax(SourceSpan Span, string Name, SourceSpan NameSpan, IReadOnlyList<ExprSyntax?> Indices) : ExprSyntax(Span);

public sealed record ReductionSyntax(SourceSpan Span, string Kind, IReadOnlyList<IndexBindingSyntax> Bindings, ExprSyntax Body) : ExprSyntax(Span);

public sealed record ListSyntax(SourceSpan Span, IReadOnlyList<ExprSyntax> Items) : ExprSyntax(Span);
