using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using OptDsl.Grammar;

namespace OptDsl.Compiler.Syntax;

/// <summary>Turns an ANTLR parse tree (known to be free of syntax errors) into the syntax tree.</summary>
internal sealed class AstBuilder
{
    public static OptFile Build(OptParser.FileContext file)
    {
        var builder = new AstBuilder();
        var ns = file.namespaceDecl();
        return new OptFile(
            ns is null ? null : string.Join(".", ns.qualifiedName().ident().Select(i => i.GetText())),
            ns is null ? SourceSpan.None : SpanOf(ns.qualifiedName()),
            file.block().Select(builder.Block).ToList());
    }

    public static SourceSpan SpanOf(ParserRuleContext context) => SpanOf(context.Start, context.Stop ?? context.Start);

    public static SourceSpan SpanOf(IToken token) => SpanOf(token, token);

    public static SourceSpan SpanOf(IToken start, IToken stop)
    {
        int end = Math.Max(stop.StopIndex + 1, start.StartIndex);
        string stopText = stop.Text ?? "";
        return new SourceSpan(start.StartIndex, end - start.StartIndex, start.Line - 1, start.Column, stop.Line - 1, stop.Column + stopText.Length);
    }

    private BlockSyntax Block(OptParser.BlockContext block) => block switch
    {
        OptParser.ProblemBlockContext p => new ProblemSyntax(p.name.GetText(), SpanOf(p.name), SpanOf(p), p.member().Select(Member).ToList()),
        OptParser.ModelBlockContext m => new ModelSyntax(m.name.GetText(), SpanOf(m.name), SpanOf(m), m.member().Select(Member).ToList()),
        OptParser.TuneBlockContext t => new TuneSyntax(t.name.GetText(), SpanOf(t.name), SpanOf(t), t.model.GetText(), SpanOf(t.model)),
        _ => throw new InvalidOperationException("Unknown block kind " + block.GetType().Name),
    };

    private MemberSyntax Member(OptParser.MemberContext member)
    {
        var span = SpanOf(member);
        switch (member)
        {
            case OptParser.DimDeclContext d:
                return new DimSyntax(span, d.name.GetText(), SpanOf(d.name), d.value is null ? null : Expr(d.value));
            case OptParser.DataDeclContext d:
                return new DataSyntax(span, d.name.GetText(), SpanOf(d.name), Shape(d.shape()));
            case OptParser.ParamDeclContext p:
                return new ParamSyntax(span, p.name.GetText(), SpanOf(p.name), Expr(p.value));
            case OptParser.VarDeclContext v:
                return new VarSyntax(span, v.name.GetText(), SpanOf(v.name), Shape(v.shape()),
                    v.lower is null ? null : Expr(v.lower), v.upper is null ? null : Expr(v.upper), v.start is null ? null : Expr(v.start));
            case OptParser.InputDeclContext i:
                return new SampleSyntax(span, "input", i.name.GetText(), SpanOf(i.name), Shape(i.shape()));
            case OptParser.TargetDeclContext t:
                return new SampleSyntax(span, "target", t.name.GetText(), SpanOf(t.name), Shape(t.shape()));
            case OptParser.LetDeclContext l:
                return new LetSyntax(span, l.name.GetText(), SpanOf(l.name), l.indexBinding().Select(Binding).ToList(), Expr(l.value));
            case OptParser.ObjectiveDeclContext o:
                return new ObjectiveSyntax(span, o.name.GetText(), SpanOf(o.name), Expr(o.value));
            case OptParser.GoalDeclContext g:
                return new GoalSyntax(span, g.sense.Type == OptParser.MAXIMIZE, Expr(g.value));
            case OptParser.ConstraintsDeclContext c:
                return new ConstraintsSyntax(span, c.constraint().Select(Constraint).ToList());
            case OptParser.ParetoDeclContext pareto:
                return new ParetoSyntax(span,
                    pareto.paretoItem().OfType<OptParser.ParetoGoalContext>().Select(g => new GoalSyntax(SpanOf(g), g.sense.Type == OptParser.MAXIMIZE, Expr(g.value))).ToList(),
                    pareto.paretoItem().OfType<OptParser.ParetoOptionContext>().Select(o => Option(o.option())).ToList());
            case OptParser.SolverDeclContext s:
                return new SolverSyntax(span, s.name.GetText(), SpanOf(s.name), Options(s.optionList()));
            case OptParser.PredictDeclContext:
                return new ModelMemberSyntax(span, "predict");
            case OptParser.LossDeclContext:
                return new ModelMemberSyntax(span, "loss");
            case OptParser.OptimizerDeclContext:
                return new ModelMemberSyntax(span, "optimizer");
            default:
                throw new InvalidOperationException("Unknown member kind " + member.GetType().Name);
        }
    }

    private List<ExprSyntax> Shape(OptParser.ShapeContext? shape) =>
        shape is null ? new List<ExprSyntax>() : shape.expr().Select(Expr).ToList();

    private IndexBindingSyntax Binding(OptParser.IndexBindingContext b) =>
        new(SpanOf(b), b.name.GetText(), SpanOf(b.name), Expr(b.lower), Expr(b.upper));

    private ConstraintSyntax Constraint(OptParser.ConstraintContext c) =>
        new(SpanOf(c),
            c.label?.GetText(),
            c.label is null ? SourceSpan.None : SpanOf(c.label),
            c.indexBinding().Select(Binding).ToList(),
            c.expr().Select(Expr).ToList(),
            c.relOp().Select(r => (r.GetText(), SpanOf(r))).ToList());

    private List<OptionSyntax> Options(OptParser.OptionListContext? list) =>
        list is null ? new List<OptionSyntax>() : list.option().Select(Option).ToList();

    private OptionSyntax Option(OptParser.OptionContext o) =>
        new(SpanOf(o), o.name.GetText(), SpanOf(o.name), o.optionValue() switch
        {
            OptParser.CallOptionValueContext call => new CallOptionValue(SpanOf(call), call.ident().GetText(), Options(call.optionList())),
            OptParser.TupleOptionValueContext tuple => new TupleOptionValue(SpanOf(tuple), Options(tuple.optionList())),
            OptParser.ExprOptionValueContext e => new ExprOptionValue(SpanOf(e), Expr(e.expr())),
            var other => throw new InvalidOperationException("Unknown option value " + other.GetType().Name),
        });

    private ExprSyntax Expr(OptParser.ExprContext e)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var span = SpanOf(e);
        switch (e)
        {
            case OptParser.PowExprContext p:
                return new BinarySyntax(span, '^', Expr(p.left), Expr(p.right));
            case OptParser.UnaryExprContext u:
                return u.op.Text == "+" ? Expr(u.operand) with { Span = span } : new UnarySyntax(span, '-', Expr(u.operand));
            case OptParser.MulExprContext m:
                return new BinarySyntax(span, m.op.Text[0], Expr(m.left), Expr(m.right));
            case OptParser.AddExprContext a:
                return new BinarySyntax(span, a.op.Text[0], Expr(a.left), Expr(a.right));
            case OptParser.ReductionExprContext r:
                return new ReductionSyntax(span, r.kind.Text, r.indexBinding().Select(Binding).ToList(), Expr(r.body));
            case OptParser.PrimaryExprContext p:
                return Primary(p.primary());
            default:
                throw new InvalidOperationException("Unknown expression kind " + e.GetType().Name);
        }
    }

    private ExprSyntax Primary(OptParser.PrimaryContext p)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var span = SpanOf(p);
        switch (p)
        {
            case OptParser.NumberLiteralContext n:
                string text = n.NUMBER().GetText();
                return new NumberSyntax(span, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), text);
            case OptParser.CallExprContext c:
                return new CallSyntax(span, c.ident().GetText(), SpanOf(c.ident()), c.expr().Select(Expr).ToList());
            case OptParser.IndexExprContext i:
                return new IndexSyntax(span, i.ident().GetText(), SpanOf(i.ident()),
                    i.indexItem().Select(item => item is OptParser.ExprIndexContext ei ? Expr(ei.expr()) : null).ToList());
            case OptParser.NameExprContext n:
                return new NameSyntax(span, n.ident().GetText());
            case OptParser.ParenExprContext paren:
                return Expr(paren.expr()) with { Span = span };
            case OptParser.ListExprContext l:
                return new ListSyntax(span, l.expr().Select(Expr).ToList());
            default:
                throw new InvalidOperationException("Unknown primary kind " + p.GetType().Name);
        }
    }
}

/// <summary>Parses text into a syntax tree, turning every lexer and parser error into OPT0001 at its line and column.</summary>
public static class OptSyntax
{
    public static (OptFile? File, List<OptDiagnostic> Diagnostics) Parse(string path, string text)
    {
        var diagnostics = new List<OptDiagnostic>();
        var lexer = new OptLexer(new AntlrInputStream(text));
        var tokens = new CommonTokenStream(lexer);
        tokens.Fill();
        if (TooDeep(tokens) is { } deepest)
        {
            // ANTLR's recursive descent would overflow the stack: refuse before parsing.
            diagnostics.Add(Descriptors.TooDeep.Create(path, AstBuilder.SpanOf(deepest)));
            return (null, diagnostics);
        }
        tokens.Seek(0);
        var parser = new OptParser(tokens);
        var listener = new ErrorCollector(path, diagnostics);
        lexer.RemoveErrorListeners();
        parser.RemoveErrorListeners();
        parser.AddErrorListener(listener);
        var tree = parser.file();

        // Characters the lexer cannot place become UNKNOWN_CHAR tokens; say so plainly.
        if (diagnostics.Count > 0) return (null, diagnostics);
        return (AstBuilder.Build(tree), diagnostics);
    }

    /// <summary>
    /// The most deeply nested token when nesting (brackets, plus the prefix and right-associative operators of one
    /// statement, each of which is a level of parser recursion) exceeds what the parser's stack can take.
    /// </summary>
    internal const int MaxNesting = 20_000;

    private static IToken? TooDeep(CommonTokenStream tokens)
    {
        int brackets = 0, prefix = 0;
        IToken? previous = null;
        foreach (var t in tokens.GetTokens())
        {
            if (t.Channel != TokenConstants.DefaultChannel) continue;
            switch (t.Text)
            {
                case "(" or "[" or "{": brackets++; break;
                case ")" or "]" or "}": brackets = Math.Max(0, brackets - 1); break;
                case ";": prefix = 0; break;
                case "^": prefix++; break;
                case "-" or "+" when previous is null || previous.Text is "(" or "[" or "," or "=" or "^" or "*" or "/" or "+" or "-" or "==" or "<=" or ">=" or ":":
                    prefix++;
                    break;
            }
            if (brackets + prefix > MaxNesting) return t;
            previous = t;
        }
        return null;
    }

    private sealed class ErrorCollector(string path, List<OptDiagnostic> diagnostics) : BaseErrorListener
    {
        public override void SyntaxError(System.IO.TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e)
        {
            // One error per position is enough; ANTLR's recovery can report the same spot twice.
            var span = offendingSymbol is null || offendingSymbol.Type == TokenConstants.EOF
                ? new SourceSpan(offendingSymbol?.StartIndex ?? 0, 0, line - 1, charPositionInLine, line - 1, charPositionInLine)
                : AstBuilder.SpanOf(offendingSymbol);
            if (diagnostics.Any(d => d.Span.Line == span.Line && d.Span.Column == span.Column)) return;
            string message = offendingSymbol?.Type == OptLexer.UNKNOWN_CHAR
                ? $"Unexpected character '{offendingSymbol.Text}'"
                : Humanize(msg);
            diagnostics.Add(Descriptors.SyntaxError.Create(path, span, message));
        }

        private static string Humanize(string msg) =>
            msg.Replace("<EOF>", "end of file").Replace("extraneous input", "unexpected").Replace("mismatched input", "unexpected");
    }
}
