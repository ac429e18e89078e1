using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OptDsl.Compiler;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The repository stands alone: its documentation is complete without anything kept beside it, and the examples of the
/// language reference compile as they are written.
/// </summary>
public sealed class DocumentationTests
{
    /// <summary>Markdown files whose fenced <c>opt</c> and <c>opt-error</c> blocks are compiled.</summary>
    private static readonly string[] DocumentsWithExamples = ["docs/language.md", "README.md", "Dsl.Runtime/PACKAGE.md"];

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
