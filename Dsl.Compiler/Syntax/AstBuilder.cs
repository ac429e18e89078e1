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
    public static FileSyntax Build(OptParser.FileContext file)
    {
        var builder = new AstBuilder();
        var ns = file.namespaceDecl();
        return new FileSyntax(
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
        OptParser.TuneBlockContext t => new TuneSyntax(t.name.GetText(), SpanOf(t.name), SpanOf(t), t.model.GetText(), SpanOf(t.model), t.tuneMember().Select(TuneMember).ToList()),
        _ => throw new InvalidOperationException("Unknown block kind " + block.GetType().Name),
    };

    private TuneMemberSyntax TuneMember(OptParser.TuneMemberContext member) => member switch
    {
        OptParser.TuneChoiceContext c => new TuneChoiceSyntax(SpanOf(c), c.name.GetText(), SpanOf(c.name), c.expr().Select(Expr).ToList()),
        OptParser.TuneRangeContext r => new TuneRangeSyntax(SpanOf(r), r.name.GetText(), SpanOf(r.name), Expr(r.value)),
        OptParser.TuneSearchContext s => new TuneSearchSyntax(SpanOf(s), s.name.GetText(), SpanOf(s.name),
            s.optionList() is { } list ? list.option().Select(Option).ToList() : []),
        OptParser.TuneOptionContext o => new TuneOptionSyntax(SpanOf(o), Option(o.option())),
        _ => throw new InvalidOperationException("Unknown tune member " + member.GetType().Name),
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
            case OptParser.PredictDeclContext p:
                return new PredictSyntax(span, Expr(p.value));
            case OptParser.LossDeclContext l:
                return new LossSyntax(span, Expr(l.value));
            case OptParser.OptimizerDeclContext o:
                return new OptimizerSyntax(span, o.name.GetText(), SpanOf(o.name), Options(o.optionList()), o.option().Select(Option).ToList());
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
        CompilerCancellation.Check();
        var span = SpanOf(e);
        switch (e)
        {
            case OptParser.PowExprContext p:
                return new BinarySyntax(span, '^', Expr(p.left), Expr(p.right));
            case OptParser.UnaryExprContext u:
                return u.op.Text == "+" ? Expr(u.operand) with { Span = span } : new UnarySyntax(span, '-', Expr(u.operand));
            case OptParser.MulExprContext or OptParser.AddExprContext:
                return LeftChain(e);
            case OptParser.ReductionExprContext r:
                return new ReductionSyntax(span, r.kind.Text, r.indexBinding().Select(Binding).ToList(), Expr(r.body));
            case OptParser.PrimaryExprContext p:
                return Primary(p.primary());
            default:
                throw new InvalidOperationException("Unknown expression kind " + e.GetType().Name);
        }
    }

    /// <summary>
    /// A left-associative chain ('a + b * c - d ...', whose parse tree leans left as deep as the chain is long) built
    /// bottom-up along its left spine, so that a flat chain of 20,000 terms costs no recursion here.
    /// </summary>
    private ExprSyntax LeftChain(OptParser.ExprContext top)
    {
        var spine = new List<(OptParser.ExprContext Node, char Op, OptParser.ExprContext Right)>();
        var e = top;
        while (true)
        {
            if (e is OptParser.AddExprContext a) { spine.Add((a, a.op.Text[0], a.right)); e = a.left; }
            else if (e is OptParser.MulExprContext m) { spine.Add((m, m.op.Text[0], m.right)); e = m.left; }
            else break;
        }
        var result = Expr(e);
        for (int i = spine.Count - 1; i >= 0; i--)
            result = new BinarySyntax(SpanOf(spine[i].Node), spine[i].Op, result, Expr(spine[i].Right));
        return result;
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
    /// <summary>
    /// Syntax errors reported before the parser gives up on the rest of the file: a garbled file would otherwise give
    /// one diagnostic per token, each paid for with a round of error recovery.
    /// </summary>
    internal const int MaxSyntaxErrors = 100;

    /// <summary>
    /// Rule nesting (parser contexts) beyond which a syntax error ends the parse instead of being recovered from.
    /// ANTLR's recovery from an error n levels deep unwinds every level, each paying for the whole context (the
    /// follow sets of n callers, and garbage collections that scan an n-deep stack): quadratic or worse in n, so
    /// 10,000 unclosed '(' took minutes. Hand-written files stay far below this and keep full recovery.
    /// </summary>
    internal const int MaxRecoveryDepth = 100;

    public static (FileSyntax? File, List<OptDiagnostic> Diagnostics) Parse(string path, string text)
    {
        var diagnostics = new List<OptDiagnostic>();
        var lexer = new CancellableLexer(new AntlrInputStream(text));
        var tokens = new CommonTokenStream(lexer);
        tokens.Fill();
        if (TooDeep(tokens.GetTokens()) is { } deepest)
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
        parser.AddParseListener(StackGuard.Instance);
        OptParser.FileContext tree;
        try
        {
            tree = parser.file();
        }
        catch (StopParsing stop)
        {
            if (stop.Deep && UnmatchedBracket(path, tokens.GetTokens()) is { } bracket) diagnostics.Add(bracket);
            return (null, diagnostics);
        }

        // Characters the lexer cannot place become UNKNOWN_CHAR tokens; say so plainly.
        if (diagnostics.Count > 0) return (null, diagnostics);
        return (AstBuilder.Build(tree), diagnostics);
    }

    /// <summary>
    /// The most deeply nested token when nesting exceeds what the parser's stack can take, counted as the parser
    /// recurses: one level per open bracket, plus one per pending operand of a prefix operator ('-', '+', a
    /// reduction) or of an operator whose operand is still open. A binary operator closes the operands of the tighter
    /// operators before it (after 'a^b^c', '+' ends both powers), exactly as the precedence climbing of the
    /// left-recursive 'expr' rule returns from them, so 'x^2 + x^2 + ...' stays two levels deep however long it is,
    /// while 'a^b^c^...' (right-associative), '- - - x' and 'sum(..) a * sum(..) b * ...' nest.
    /// </summary>
    internal const int MaxNesting = 20_000;

    // The precedence levels ANTLR gives the alternatives of 'expr' (see Opt.g4): an operator of level q continues an
    // expr(p) call when q >= p, and its operand is parsed by a nested expr(next) call.
    private const int PowLevel = 6, MulLevel = 4, AddLevel = 2;
    private const int PowOperand = 6, UnaryOperand = 5, MulOperand = 5, ReductionBody = 3, AddOperand = 3;
    private const int BracketLevel = int.MinValue;

    internal static IToken? TooDeep(IList<IToken> tokens)
    {
        // One entry per level of recursion: a bracket, or the precedence p of a pending expr(p) call.
        var levels = new List<int>();
        IToken? previous = null;
        foreach (var t in tokens)
        {
            if (t.Channel != TokenConstants.DefaultChannel || t.Type == TokenConstants.EOF) continue;
            switch (t.Text)
            {
                case "(" or "[" or "{":
                    levels.Add(BracketLevel);
                    break;
                case ")" or "]" or "}":
                    int open = levels.LastIndexOf(BracketLevel);
                    levels.RemoveRange(Math.Max(open, 0), levels.Count - Math.Max(open, 0));
                    break;
                case "^":
                    Operator(levels, PowLevel, PowOperand);
                    break;
                case "*" or "/":
                    Operator(levels, MulLevel, MulOperand);
                    break;
                case "-" or "+" when previous is not null && EndsOperand(previous):
                    Operator(levels, AddLevel, AddOperand);
                    break;
                case "-" or "+":
                    levels.Add(UnaryOperand);
                    break;
                default:
                    if (t.Type is OptLexer.SUM or OptLexer.PROD or OptLexer.LOGSUMEXP) levels.Add(ReductionBody);
                    else if (!EndsOperand(t))
                    {
                        // ';', ',', ':', '..', relations, 'in' ...: every expression at this bracket level has ended.
                        while (levels.Count > 0 && levels[levels.Count - 1] != BracketLevel) levels.RemoveAt(levels.Count - 1);
                    }
                    break;
            }
            if (levels.Count > MaxNesting) return t;
            previous = t;
        }
        return null;
    }

    /// <summary>A binary operator: the pending calls of tighter precedence return, then its operand opens a call.</summary>
    private static void Operator(List<int> levels, int level, int operand)
    {
        while (levels.Count > 0 && levels[levels.Count - 1] > level) levels.RemoveAt(levels.Count - 1);
        levels.Add(operand);
    }

    /// <summary>Whether an operator after this token is binary: it ends an operand (a number, a name, ')' or ']').</summary>
    private static bool EndsOperand(IToken t) => t.Type switch
    {
        OptLexer.NUMBER or OptLexer.ID => true,
        // Declaration words are names too (the 'ident' rule).
        OptLexer.DIM or OptLexer.DATA or OptLexer.PARAM or OptLexer.VAR or OptLexer.LET or OptLexer.OBJECTIVE
            or OptLexer.MINIMIZE or OptLexer.MAXIMIZE or OptLexer.SUBJECT or OptLexer.TO or OptLexer.SOLVER
            or OptLexer.INPUT or OptLexer.TARGET or OptLexer.PREDICT or OptLexer.LOSS or OptLexer.OPTIMIZER
            or OptLexer.PARETO or OptLexer.SEARCH or OptLexer.AS or OptLexer.MODEL or OptLexer.PROBLEM
            or OptLexer.TUNE or OptLexer.NAMESPACE => true,
        _ => t.Text is ")" or "]",
    };

    /// <summary>
    /// After a parse stopped deep inside brackets: the first bracket left unclosed or closed by the wrong kind, which
    /// is usually the mistake behind an error the parser found far from it (at the ';' after 10,000 unclosed '(').
    /// </summary>
    private static OptDiagnostic? UnmatchedBracket(string path, IList<IToken> tokens)
    {
        var open = new List<IToken>();
        foreach (var t in tokens)
        {
            if (t.Channel != TokenConstants.DefaultChannel) continue;
            switch (t.Text)
            {
                case "(" or "[" or "{":
                    open.Add(t);
                    break;
                case ")" or "]" or "}" when open.Count == 0:
                    return Descriptors.SyntaxError.Create(path, AstBuilder.SpanOf(t), $"Unexpected '{t.Text}': no bracket is open here");
                case ")" or "]" or "}":
                    if (Closer(open[open.Count - 1].Text) == t.Text)
                    {
                        open.RemoveAt(open.Count - 1);
                        break;
                    }
                    int match = open.FindLastIndex(o => Closer(o.Text) == t.Text);
                    if (match >= 0) return NeverClosed(path, open, match + 1);
                    var opener = open[open.Count - 1];
                    return Descriptors.SyntaxError.Create(path, AstBuilder.SpanOf(t), $"'{t.Text}' does not close the '{opener.Text}' at {opener.Line}:{opener.Column + 1}");
            }
        }
        return open.Count == 0 ? null : NeverClosed(path, open, 0);
    }

    /// <summary>The outermost of the brackets open[first..] that are never closed.</summary>
    private static OptDiagnostic NeverClosed(string path, List<IToken> open, int first)
    {
        int others = open.Count - first - 1;
        string more = others > 0 ? $" (nor are the {others:N0} brackets opened after it)" : "";
        return Descriptors.SyntaxError.Create(path, AstBuilder.SpanOf(open[first]), $"'{open[first].Text}' is never closed{more}");
    }

    private static string Closer(string opener) => opener switch { "(" => ")", "[" => "]", _ => "}" };

    /// <summary>Ends the parse from inside the error listener (a single unwinding, whatever the depth).</summary>
    private sealed class StopParsing(bool deep) : Exception
    {
        public bool Deep { get; } = deep;
    }

    /// <summary>The lexer, observing cancellation between tokens (lexing a large file takes a noticeable time).</summary>
    private sealed class CancellableLexer(ICharStream input) : OptLexer(input)
    {
        public override IToken NextToken()
        {
            CompilerCancellation.Check();
            return base.NextToken();
        }
    }

    /// <summary>
    /// Stops recursion that TooDeep did not foresee (error recovery can delete a closing bracket and stay nested) with
    /// InsufficientExecutionStackException, which the pipeline retries on its big stack or reports as OPT0026; and
    /// observes cancellation while the parser runs.
    /// </summary>
    private sealed class StackGuard : IParseTreeListener
    {
        public static readonly StackGuard Instance = new();

        public void EnterEveryRule(ParserRuleContext ctx)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            CompilerCancellation.Check();
        }

        public void ExitEveryRule(ParserRuleContext ctx)
        {
        }

        public void VisitErrorNode(IErrorNode node)
        {
        }

        public void VisitTerminal(ITerminalNode node)
        {
        }
    }

    private sealed class ErrorCollector(string path, List<OptDiagnostic> diagnostics) : BaseErrorListener
    {
        private readonly HashSet<(int Line, int Column)> _reported = new();

        public override void SyntaxError(System.IO.TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e)
        {
            // One error per position is enough; ANTLR's recovery can report the same spot twice.
            var span = offendingSymbol is null || offendingSymbol.Type == TokenConstants.EOF
                ? new SourceSpan(offendingSymbol?.StartIndex ?? 0, 0, line - 1, charPositionInLine, line - 1, charPositionInLine)
                : offendingSymbol.Type == OptLexer.UNTERMINATED_COMMENT
                    ? new SourceSpan(offendingSymbol.StartIndex, 2, line - 1, charPositionInLine, line - 1, charPositionInLine + 2)
                    : AstBuilder.SpanOf(offendingSymbol);
            bool power = IsSecondStar(recognizer, offendingSymbol, out var firstStar);
            if (power) span = new SourceSpan(firstStar!.StartIndex, 2, span.Line, span.Column - 1, span.Line, span.Column + 1);
            if (!_reported.Add((span.Line, span.Column))) return;
            string message = offendingSymbol?.Type switch
            {
                OptLexer.UNKNOWN_CHAR => $"Unexpected character '{offendingSymbol.Text}'",
                OptLexer.UNTERMINATED_COMMENT => "Unterminated comment: this '/*' has no '*/'",
                _ when power => "'**' is not an operator: powers are written with '^' (x^2)",
                _ => Humanize(msg),
            };
            bool tooMany = _reported.Count > MaxSyntaxErrors;
            if (tooMany) message += $" (more than {MaxSyntaxErrors} syntax errors: the rest of the file is not checked)";
            diagnostics.Add(Descriptors.SyntaxError.Create(path, span, message));
            if (tooMany) throw new StopParsing(deep: false);
            if (recognizer is Parser parser && DeeperThan(parser.Context, MaxRecoveryDepth)) throw new StopParsing(deep: true);
        }

        /// <summary>The second '*' of '**' (Python's and Fortran's power), right after the first.</summary>
        private static bool IsSecondStar(IRecognizer recognizer, IToken? token, out IToken? first)
        {
            first = null;
            if (token is null || token.Text != "*" || token.TokenIndex < 1 || recognizer is not Parser parser) return false;
            var previous = parser.TokenStream.Get(token.TokenIndex - 1);
            if (previous.Text != "*" || previous.StopIndex + 1 != token.StartIndex) return false;
            first = previous;
            return true;
        }

        private static bool DeeperThan(RuleContext? context, int depth)
        {
            for (; context is not null; context = context.Parent)
            {
                if (--depth < 0) return true;
            }
            return false;
        }

        private static string Humanize(string msg) =>
            msg.Replace("<EOF>", "end of file").Replace("extraneous input", "unexpected").Replace("mismatched input", "unexpected");
    }
}
