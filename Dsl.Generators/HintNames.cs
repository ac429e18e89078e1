using System;
using System.Collections.Generic;
using System.Text;

namespace OptDsl.Generators;

/// <summary>
/// Hint names of generated files. Roslyn requires them to be unique across the generator, but two
/// <c>.opt</c> files may declare classes of the same name, so each file's sources are placed under its
/// own (project-relative) path: <c>Problems/rosenbrock.opt/Rosenbrock.g.cs</c>.
/// </summary>
internal static class HintNames
{
    /// <summary>
    /// The hint names of every file's sources. Hint names must be unique across the generator, ignoring case, but
    /// sanitizing can map two paths to one prefix (<c>a b.opt</c> and <c>a_b.opt</c>, <c>Case.opt</c> and
    /// <c>case.opt</c>): in ordinal order of their paths, the first keeps it and the next get <c>_2</c>, <c>_3</c>...
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> ForAll(IReadOnlyList<(string DisplayPath, IReadOnlyList<string> CompilerHintNames)> files)
    {
        var result = new IReadOnlyList<string>[files.Count];
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var order = new List<int>();
        for (var i = 0; i < files.Count; i++)
        {
            order.Add(i);
        }

        order.Sort((a, b) => string.CompareOrdinal(files[a].DisplayPath, files[b].DisplayPath) is var c && c != 0 ? c : a.CompareTo(b));
        foreach (var i in order)
        {
            var prefix = Prefix(files[i].DisplayPath);
            var unique = prefix;
            for (var n = 2; !taken.Add(unique); n++)
            {
                unique = prefix + "_" + n;
            }

            result[i] = WithPrefix(unique, files[i].CompilerHintNames);
        }

        return result;
    }

    /// <summary>The hint names for one file's sources, in order; made unique within the file too.</summary>
    public static IReadOnlyList<string> For(string displayPath, IReadOnlyList<string> compilerHintNames) =>
        WithPrefix(Prefix(displayPath), compilerHintNames);

    private static string Prefix(string displayPath)
    {
        var prefix = Sanitize(displayPath);
        return prefix.Length == 0 ? "opt" : prefix;
    }

    private static IReadOnlyList<string> WithPrefix(string prefix, IReadOnlyList<string> compilerHintNames)
    {

        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>(compilerHintNames.Count);
        foreach (var hintName in compilerHintNames)
        {
            var name = Sanitize(hintName.Replace('/', '_').Replace('\\', '_'));
            if (name.Length == 0)
            {
                name = "generated";
            }

            if (name.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
            {
                name = name.Substring(0, name.Length - 3);
            }

            var candidate = prefix + "/" + name + ".cs";
            for (var n = 2; !used.Add(candidate); n++)
            {
                candidate = prefix + "/" + name + "_" + n + ".cs";
            }

            names.Add(candidate);
        }

        return names;
    }

    /// <summary>Keeps letters, digits, '_', '-', '.' and '/' separators; ".." and empty segments cannot escape the output folder.</summary>
    internal static string Sanitize(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var segment in path.Replace('\\', '/').Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('/');
            }

            if (segment == "..")
            {
                builder.Append("__");
                continue;
            }

            foreach (var c in segment)
            {
                builder.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.' ? c : '_');
            }
        }

        return builder.ToString();
    }
}
