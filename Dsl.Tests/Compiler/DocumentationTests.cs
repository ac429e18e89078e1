using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using OptDsl.Compiler;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The repository stands alone: its documentation is complete without anything kept beside it, and the examples of the
/// language reference compile as they are written.
/// </summary>
public sealed class DocumentationTests
{
    /// <summary>Markdown files whose fenced <c>opt</c> and <c>opt-error</c> blocks are compiled.</summary>
    private static readonly string[] DocumentsWithExamples = ["docs/language.md", "docs/models.md", "README.md", "Dsl.Runtime/PACKAGE.md"];

    /// <summary>Folders that hold build output, tools or local state rather than the project's own files.</summary>
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "bin", "obj", "node_modules", ".git", "__snapshots__", "TestResults", ".vs", ".idea",
    };

    /// <summary>
    /// References to material outside the repository (a folder beside it and the contract file it held). Built from
    /// pieces so that this file does not contain them.
    /// </summary>
    private static readonly string[] OutsideReferences = ["../" + "shared", "..\\" + "shared", "LANGUAGE" + ".md"];

    [Fact]
    public void No_file_refers_to_documents_outside_the_repository()
    {
        string root = DiagnosticsTests.RepositoryRoot();
        var offending = new List<string>();
        int checkedFiles = 0;
        foreach (var file in TextFiles(root))
        {
            checkedFiles++;
            string[] lines = File.ReadAllLines(file);
            for (int k = 0; k < lines.Length; k++)
            {
                foreach (var reference in OutsideReferences)
                {
                    if (lines[k].Contains(reference, StringComparison.Ordinal))
                        offending.Add($"{Path.GetRelativePath(root, file)}:{k + 1}: {lines[k].Trim()}");
                }
            }
        }
        Assert.True(checkedFiles > 50, $"only {checkedFiles} text files found under {root}");
        Assert.True(offending.Count == 0, "Files refer to documents outside the repository:\n" + string.Join("\n", offending));
    }

    /// <summary>Paths of one machine (this project's workspace, home folders); built from pieces, as above.</summary>
    private static readonly string[] MachinePaths = ["/" + "work/", "/" + "home/", "C:\\" + "Users"];

    [Fact]
    public void No_document_holds_an_absolute_machine_path()
    {
        string root = DiagnosticsTests.RepositoryRoot();
        var documents = Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .Append(Path.Combine(root, "README.md")).Append(Path.Combine(root, "Dsl.Runtime", "PACKAGE.md")).ToList();
        var offending = documents
            .SelectMany(file => File.ReadAllLines(file).Select((line, k) => (file, line, k)))
            .Where(x => MachinePaths.Any(p => x.line.Contains(p, StringComparison.Ordinal)))
            .Select(x => $"{Path.GetRelativePath(root, x.file)}:{x.k + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(documents.Count > 5, $"only {documents.Count} documents");
        Assert.True(offending.Count == 0, "Documents hold absolute machine paths:\n" + string.Join("\n", offending));
    }

    public static TheoryData<string, int> Examples()
    {
        var data = new TheoryData<string, int>();
        foreach (var document in DocumentsWithExamples)
            foreach (var block in Blocks(document))
                data.Add(document, block.Line);
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Examples_compile_as_documented(string document, int line)
    {
        var block = Blocks(document).Single(b => b.Line == line);
        var output = OptCompiler.Compile($"{document}:{line}.opt", block.Text, "Docs");
        var errors = output.Diagnostics.Where(d => d.Level == DiagnosticLevel.Error).ToList();
        string report = $"{document}:{line} ({block.Tag}):\n{block.Text}\ndiagnostics:\n{string.Join("\n", output.Diagnostics)}";
        if (block.Tag == "opt")
        {
            Assert.True(errors.Count == 0, "This example must compile without errors. " + report);
            Assert.NotEmpty(output.Sources);
        }
        else
        {
            Assert.True(errors.Count > 0, "This example is marked opt-error but compiles. " + report);
        }

        // A diagnostic a comment names ("// OPT0900: ...", "(OPT0027)") is reported on that line; in an opt-error
        // example every error is named on its line, so the page says exactly what the compiler reports.
        var announced = Announced(block.Text);
        foreach (var (at, id) in announced)
        {
            Assert.True(output.Diagnostics.Any(d => d.Id == id && d.Span.Line == at),
                $"{document}:{line + at}: the comment names {id}, which is not reported on that line. " + report);
        }
        if (block.Tag == "opt-error")
        {
            foreach (var error in errors)
            {
                Assert.True(announced.Contains((error.Span.Line, error.Id)),
                    $"{document}:{line + error.Span.Line}: {error.Id} is reported but no comment on that line names it. " + report);
            }
        }
    }

    /// <summary>The diagnostic ids named in the comments of a block, with their line (0-based within the block).</summary>
    private static List<(int Line, string Id)> Announced(string text)
    {
        var result = new List<(int, string)>();
        string[] lines = text.Split('\n');
        for (int k = 0; k < lines.Length; k++)
        {
            int comment = lines[k].IndexOf("//", StringComparison.Ordinal);
            if (comment < 0) continue;
            foreach (Match id in Regex.Matches(lines[k].Substring(comment), @"OPT\d{4}"))
                result.Add((k, id.Value));
        }
        return result;
    }

    /// <summary>
    /// The rows of docs/language.md's tables that have an <c>example</c> column holding one code span: its line (1-based),
    /// the row's first cell and the example.
    /// </summary>
    private static List<(int Line, string First, string Example)> TableExamples()
    {
        string[] lines = File.ReadAllLines(Path.Combine(DiagnosticsTests.RepositoryRoot(), "docs", "language.md"));
        var rows = new List<(int, string, string)>();
        for (int k = 0; k + 1 < lines.Length; k++)
        {
            if (!lines[k].StartsWith('|') || Cells(lines[k])[^1] != "example") continue;
            for (int row = k + 2; row < lines.Length && lines[row].StartsWith('|'); row++)
            {
                string[] cells = Cells(lines[row]);
                var code = Regex.Match(cells[^1], "^`([^`]+)`$");
                if (code.Success) rows.Add((row + 1, cells[0], code.Groups[1].Value));
            }
        }
        return rows;
    }

    /// <summary>The cells of a Markdown table row (a '|' escaped as '\|' stays in its cell).</summary>
    private static string[] Cells(string row) =>
        [.. Regex.Split(row.Trim().Trim('|'), @"(?<!\\)\|").Select(cell => cell.Trim())];

    public static TheoryData<int, string> TableExampleData()
    {
        var data = new TheoryData<int, string>();
        foreach (var (line, _, example) in TableExamples()) data.Add(line, example);
        return data;
    }

    /// <summary>Each example of a table (operators, functions, norms, losses, constants) is an objective of TableExamples.</summary>
    [Theory]
    [MemberData(nameof(TableExampleData))]
    public void Table_examples_compile_as_objectives_of_the_TableExamples_problem(int line, string example)
    {
        string context = Blocks("docs/language.md").Single(b => b.Text.Contains("problem TableExamples {", StringComparison.Ordinal)).Text;
        string text = new Regex(@"(?m)^(\s*)minimize [^\n]*;").Replace(context, m => m.Groups[1].Value + "minimize " + example + ";", 1);
        Assert.Contains("minimize " + example + ";", text);
        var output = OptCompiler.Compile($"docs/language.md:{line}.opt", text, "Docs");
        var errors = output.Diagnostics.Where(d => d.Level == DiagnosticLevel.Error).ToList();
        Assert.True(errors.Count == 0, $"docs/language.md:{line}: the example `{example}` does not compile as the objective of TableExamples:\n"
            + string.Join("\n", output.Diagnostics));
    }

    [Fact]
    public void Every_function_norm_and_loss_has_a_table_row_with_its_arguments_and_an_example()
    {
        var documented = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, first, _) in TableExamples())
        {
            var call = Regex.Match(first, @"^`(\w+)\(([^)]*)\)`$");
            if (call.Success) documented[call.Groups[1].Value] = call.Groups[2].Value.Split(',').Length;
        }
        // The functions a .opt file may call: the elementary ones (one argument) and the binder's others, with their arity.
        var binder = typeof(OptCompiler).Assembly.GetType("OptDsl.Compiler.Semantics.ExpressionBinder");
        var others = binder?.GetField("OtherFunctions", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as IReadOnlyDictionary<string, int>;
        Assert.True(others is not null, "ExpressionBinder.OtherFunctions (name -> arity) was not found: update this test to where the functions are now listed");
        var functions = ElementaryFunctions.CallableNames.Select(name => (name, arity: 1)).Concat(others!.Select(f => (name: f.Key, arity: f.Value))).ToList();
        Assert.True(functions.Count >= 30, $"only {functions.Count} functions");
        foreach (var (name, arity) in functions)
        {
            Assert.True(documented.TryGetValue(name, out int written), $"docs/language.md 4.5 has no table row `{name}(...)` with an example");
            Assert.True(arity == written, $"docs/language.md shows {name} with {written} argument(s); it takes {arity}");
        }
    }

    [Fact]
    public void Every_solver_and_option_of_the_catalog_appears_in_a_solver_line_of_the_reference()
    {
        var used = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var block in Blocks("docs/language.md"))
        {
            foreach (string raw in block.Text.Split('\n'))
            {
                int comment = raw.IndexOf("//", StringComparison.Ordinal);
                string code = comment < 0 ? raw : raw.Substring(0, comment);
                foreach (Match line in Regex.Matches(code, @"\bsolver\s+(\w+)\s*(?:\(([^)]*)\))?\s*;"))
                {
                    if (!used.TryGetValue(line.Groups[1].Value, out var options)) used[line.Groups[1].Value] = options = new(StringComparer.Ordinal);
                    foreach (Match option in Regex.Matches(line.Groups[2].Value, @"(\w+)\s*:")) options.Add(option.Groups[1].Value);
                }
            }
        }
        var common = SolverCatalog.Common.Select(o => o.Name).ToHashSet();
        foreach (var spec in SolverCatalog.All)
        {
            Assert.True(used.TryGetValue(spec.Name, out var options), $"docs/language.md has no example of solver '{spec.Name}'");
            foreach (var option in spec.Options.Where(o => !common.Contains(o.Name)))
                Assert.True(options!.Contains(option.Name), $"docs/language.md has no example of option '{option.Name}' of solver '{spec.Name}'");
        }
        foreach (string option in common)
            Assert.True(used.Values.Any(options => options.Contains(option)), $"docs/language.md has no example of the common option '{option}'");
    }

    [Fact]
    public void The_README_links_the_language_reference_in_the_repository()
    {
        string readme = File.ReadAllText(Path.Combine(DiagnosticsTests.RepositoryRoot(), "README.md"));
        Assert.Contains("](docs/language.md)", readme);
    }

    [Fact]
    public void The_language_reference_has_examples_of_both_kinds()
    {
        var blocks = Blocks("docs/language.md");
        Assert.True(blocks.Count(b => b.Tag == "opt") >= 10, $"{blocks.Count(b => b.Tag == "opt")} opt blocks");
        Assert.Contains(blocks, b => b.Tag == "opt-error");
        Assert.Contains(Blocks("README.md"), b => b.Tag == "opt");
    }

    /// <summary>The fenced code blocks tagged <c>opt</c> or <c>opt-error</c>, with the line (1-based) of their first text line.</summary>
    private static List<(string Tag, int Line, string Text)> Blocks(string document)
    {
        var lines = File.ReadAllLines(Path.Combine(DiagnosticsTests.RepositoryRoot(), document));
        var blocks = new List<(string, int, string)>();
        for (int k = 0; k < lines.Length; k++)
        {
            string fence = lines[k].Trim();
            if (!fence.StartsWith("```", StringComparison.Ordinal)) continue;
            string tag = fence.Substring(3).Trim();
            int end = k + 1;
            while (end < lines.Length && lines[end].Trim() != "```") end++;
            Assert.True(end < lines.Length, $"{document}:{k + 1}: a code block is never closed");
            if (tag is "opt" or "opt-error")
                blocks.Add((tag, k + 2, string.Join("\n", lines.Skip(k + 1).Take(end - k - 1)) + "\n"));
            k = end;
        }
        return blocks;
    }

    /// <summary>Every file under <paramref name="root"/> outside the skipped folders that is text (no NUL byte).</summary>
    private static IEnumerable<string> TextFiles(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string folder = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                if (!SkippedFolders.Contains(Path.GetFileName(sub))) pending.Push(sub);
            }
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                if (Path.GetFileName(file) == ".git") continue; // a worktree's link to its repository
                if (IsText(file)) yield return file;
            }
        }
    }

    private static bool IsText(string file)
    {
        using var stream = File.OpenRead(file);
        var buffer = new byte[8192];
        int read = stream.Read(buffer, 0, buffer.Length);
        return Array.IndexOf(buffer, (byte)0, 0, read) < 0;
    }
}
