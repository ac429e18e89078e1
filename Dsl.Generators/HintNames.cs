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
    /// <summary>The hint names for one file's sources, in order; made unique within the file too.</summary>
    public static IReadOnlyList<string> For(string displayPath, IReadOnlyList<string> compilerHintNames)
    {
        var prefix = Sanitize(displayPath);
        if (prefix.Length == 0)
        {
            prefix = "opt";
        }

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
