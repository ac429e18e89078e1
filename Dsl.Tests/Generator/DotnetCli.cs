using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;

namespace OptDsl.Tests.Generator;

/// <summary>The result of a child process: exit code and interleaved stdout/stderr.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Output)
{
    public override string ToString() => $"$ {CommandLine}\n(exit code {ExitCode})\n{Output}";
}

/// <summary>Runs the <c>dotnet</c> CLI from a test, isolated from the test host's own MSBuild environment.</summary>
public static class DotnetCli
{
    /// <summary>The dotnet executable running the tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="arguments"/>. Variables MSBuild or the test platform set for the
    /// test host are removed, and <paramref name="environment"/> entries are added (a null value removes one).
    /// </summary>
    public static ProcessResult Run(string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.Equals("MSBuildExtensionsPath", StringComparison.OrdinalIgnoreCase) || key.Equals("MSBuildSDKsPath", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var commandLine = $"dotnet {string.Join(' ', start.ArgumentList)}";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ProcessResult(commandLine, -1, $"Timed out after {timeout}.\n{Text(output)}");
        }

        process.WaitForExit();
        return new ProcessResult(commandLine, process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
