using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace OptDsl.Tests.Generator;

/// <summary>One corrupted <c>.opt</c> file: which seed it came from, what was done to it, and its text.</summary>
public sealed record Mutant(int Index, string SeedName, string Mutations, string Text)
{
    /// <summary>A reproducible description for assertion messages.</summary>
    public override string ToString() => $"mutant #{Index} of {SeedName} ({Mutations}):\n----\n{Text}\n----";
}

/// <summary>
/// Corrupts valid <c>.opt</c> text the way editing does (and worse): deletions, insertions of random
/// characters and language tokens, swaps, truncations, duplicated and dropped lines, extreme numbers.
/// Deterministic for a given seed.
/// </summary>
public sealed class OptMutator(int seed)
{
    private static readonly string[] s_tokens =
    [
        "problem", "model", "tune", "as", "namespace", "dim", "data", "param", "var", "let", "objective", "minimize",
        "maximize", "subject", "to", "subject to {", "forall", "forall(i in 0..n)", "solver", "solver lbfgs();", "in", "sum",
        "prod", "logsumexp", "sum(i in 0..n)", "sum(i in 0..m, j in 0..n)", "pareto", "points:", "input", "target",
        "predict", "loss", "optimizer", "search", "inf", "-inf", "pi", "e", "exp(", "log(", "norm(", "dot(", "mse(",
        "huber(", "min(", "max(", "pow(", "sigmoid", "relu", "..", "0..", ":", ";", ",", ".", "=", "==", "<=", ">=", "<",
        ">", "^", "*", "/", "+", "-", "(", ")", "[", "]", "{", "}", "[:]", "x[", "x[0]", "A[i, :]", "x[i+1]", "x[2*i + 1]",
        "0", "1", "-1", "0.5", "1e-8", "2.5E+3", "1e308", "1e999", "-0", "1.", ".5", "0x1F", "1e", "99999999999999999999999",
        "2147483648", "NaN", "var x[3];", "dim n;", "dim n = -1;", "var y[0];", "var z[n] in [0, 1] = 2;", "let q = ",
        "data D[m, n];", "param p = ;", "problem P { }", "problem P { minimize 1; }", "model M {", "tune M as T {",
        "tune Missing as T { search grid; }", "namespace A.B;", "/*", "*/", "//", "\n", "\r\n", "\t",
    ];

    private static readonly char[] s_characters =
    [
        'a', 'z', 'Q', '_', '0', '7', ' ', '\t', '\n', '\r', '(', ')', '[', ']', '{', '}', ';', ',', '.', ':', '=', '<', '>',
        '^', '*', '/', '+', '-', '"', '\'', '\\', '`', '~', '!', '@', '#', '$', '%', '&', '|', '?', '\0', '\u00A0', '\u2212',
        '\u2028', '\u0085', '\uFEFF', '\u00E9', '\u03BB', '\u2211', '\uD800', '\uDC00', '\uFFFF', '\u200B',
    ];

    private readonly Random _random = new(seed);

    /// <summary><paramref name="count"/> mutants, drawn round-robin from <paramref name="seeds"/>, each with 1 to 3 mutations.</summary>
    public IReadOnlyList<Mutant> Mutate(IReadOnlyList<SeedFile> seeds, int count)
    {
        var mutants = new List<Mutant>(count);
        for (var i = 0; i < count; i++)
        {
            var seedFile = seeds[i % seeds.Count];
            var text = seedFile.Text;
            var applied = new List<string>();
            for (var m = 1 + _random.Next(3); m > 0; m--)
            {
                text = MutateOnce(text, out var description);
                applied.Add(description);
            }

            mutants.Add(new Mutant(i, seedFile.Name, string.Join("; ", applied), text));
        }

        return mutants;
    }

    private string MutateOnce(string text, out string description)
    {
        if (text.Length == 0)
        {
            description = "insert into empty";
            return Token();
        }

        var at = _random.Next(text.Length + 1);
        switch (_random.Next(12))
        {
            case 0:
            {
                at = Math.Min(at, text.Length - 1);
                var length = Math.Min(1 + _random.Next(10), text.Length - at);
                description = $"delete {length} at {at}";
                return text.Remove(at, length);
            }
            case 1:
            {
                var c = s_characters[_random.Next(s_characters.Length)];
                description = $"insert U+{(int)c:X4} at {at}";
                return text.Insert(at, c.ToString());
            }
            case 2:
            {
                var token = Token();
                description = $"insert '{Escape(token)}' at {at}";
                return text.Insert(at, token);
            }
            case 3:
            {
                at = Math.Min(at, text.Length - 2);
                if (at < 0)
                {
                    description = "no-op";
                    return text;
                }

                description = $"swap chars at {at}";
                return text.Substring(0, at) + text[at + 1] + text[at] + text.Substring(at + 2);
            }
            case 4:
                description = $"truncate at {at}";
                return text.Substring(0, at);
            case 5:
            {
                var lines = text.Split('\n').ToList();
                var line = _random.Next(lines.Count);
                lines.Insert(line, lines[line]);
                description = $"duplicate line {line + 1}";
                return string.Join('\n', lines);
            }
            case 6:
            {
                var lines = text.Split('\n').ToList();
                var line = _random.Next(lines.Count);
                lines.RemoveAt(line);
                description = $"delete line {line + 1}";
                return string.Join('\n', lines);
            }
            case 7:
            {
                var lines = text.Split('\n');
                var (a, b) = (_random.Next(lines.Length), _random.Next(lines.Length));
                (lines[a], lines[b]) = (lines[b], lines[a]);
                description = $"swap lines {a + 1} and {b + 1}";
                return string.Join('\n', lines);
            }
            case 8:
            {
                // Replace a word (a name, keyword or number) by a token or an unknown name.
                var start = at;
                while (start > 0 && IsWordChar(text[start - 1]))
                {
                    start--;
                }

                var end = at;
                while (end < text.Length && IsWordChar(text[end]))
                {
                    end++;
                }

                var replacement = _random.Next(2) == 0 ? Token() : "unknown" + _random.Next(100);
                description = $"replace '{Escape(text.Substring(start, end - start))}' at {start} by '{Escape(replacement)}'";
                return text.Substring(0, start) + replacement + text.Substring(end);
            }
            case 9:
            {
                // Swap two random spans of the text.
                var a = _random.Next(text.Length);
                var b = _random.Next(text.Length);
                var (first, second) = a < b ? (a, b) : (b, a);
                var length = Math.Min(1 + _random.Next(8), second - first);
                if (length <= 0 || second + length > text.Length)
                {
                    description = "no-op";
                    return text;
                }

                description = $"swap spans at {first} and {second} ({length})";
                return text.Substring(0, first) + text.Substring(second, length) + text.Substring(first + length, second - first - length)
                    + text.Substring(first, length) + text.Substring(second + length);
            }
            case 10:
            {
                // Duplicate a random chunk (repeated declarations, nested braces...).
                at = Math.Min(at, text.Length - 1);
                var length = Math.Min(1 + _random.Next(40), text.Length - at);
                description = $"duplicate {length} chars at {at}";
                return text.Insert(at, text.Substring(at, length));
            }
            default:
            {
                var builder = new StringBuilder();
                for (var n = 1 + _random.Next(6); n > 0; n--)
                {
                    builder.Append(_random.Next(3) == 0 ? s_characters[_random.Next(s_characters.Length)].ToString() : Token() + " ");
                }

                description = $"insert '{Escape(builder.ToString())}' at {at}";
                return text.Insert(at, builder.ToString());
            }
        }
    }

    private string Token() => s_tokens[_random.Next(s_tokens.Length)];

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.';

    private static string Escape(string s)
    {
        var builder = new StringBuilder();
        foreach (var c in s)
        {
            builder.Append(c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return builder.ToString();
    }
}
