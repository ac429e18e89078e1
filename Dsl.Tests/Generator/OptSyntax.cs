using System.Collections.Generic;
using System.IO;
using Antlr4.Runtime;
using OptDsl.Grammar;

namespace OptDsl.Tests.Generator;

/// <summary>What the grammar alone says about a text: its syntax errors and how many blocks it declares.</summary>
public sealed record OptSyntax(IReadOnlyList<string> Errors, int BlockCount)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>Parses with the generated ANTLR parser (no compiler involved).</summary>
    public static OptSyntax Parse(string text)
    {
        var errors = new List<string>();
        var lexer = new OptLexer(new AntlrInputStream(text), TextWriter.Null, TextWriter.Null);
        lexer.RemoveErrorListeners();
        lexer.AddErrorListener(new LexerErrors(errors));
        var parser = new OptParser(new CommonTokenStream(lexer), TextWriter.Null, TextWriter.Null);
        parser.RemoveErrorListeners();
        parser.AddErrorListener(new ParserErrors(errors));
        var file = parser.file();
        return new OptSyntax(errors, file.block().Length);
    }

    private sealed class LexerErrors(List<string> errors) : IAntlrErrorListener<int>
    {
        public void SyntaxError(TextWriter output, IRecognizer recognizer, int offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e) =>
            errors.Add($"{line}:{charPositionInLine + 1}: {msg}");
    }

    private sealed class ParserErrors(List<string> errors) : IAntlrErrorListener<IToken>
    {
        public void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e) =>
            errors.Add($"{line}:{charPositionInLine + 1}: {msg}");
    }
}
