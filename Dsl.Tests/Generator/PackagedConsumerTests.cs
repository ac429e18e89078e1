using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace OptDsl.Tests.Generator;

/// <summary>
/// The OptDsl NuGet package as a user gets it: <c>dotnet pack</c> makes one package; a fresh console
/// project whose only reference is that package compiles its <c>.opt</c> file and solves it.
/// Slow (packs, restores and builds): run alone with <c>--filter Category=Package</c>.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackagedConsumerTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    private const string RosenbrockOpt = """
        problem Rosenbrock {
            var x[2] = [-1.2, 1.0];
            minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2;
            solver lbfgs(memory: 10, tolerance: 1e-10, max_iter: 500);
        }
        """;

    private const string ProgramCs = """
        using System.Globalization;
        using Consumer;

        var result = new Rosenbrock().Solve();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"X = {result.X[0]:R} {result.X[1]:R}"));
        Console.WriteLine($"Status = {result.Status}");
        """;

    [Fact]
    public void Pack_produces_one_package_named_OptDsl_with_the_repository_version()
    {
        Assert.True(package.Pack.ExitCode == 0, package.Pack.ToString());
        Assert.Equal([$"OptDsl.{package.ExpectedVersion}.nupkg"], package.Packages);
        Assert.DoesNotMatch(@"warning (NU|CS|MSB)\d+", package.Pack.Output);
    }

    [Fact]
    public void Package_holds_the_runtime_the_generator_with_its_dependencies_and_the_props()
    {
        var entries = package.Entries();

        Assert.Contains("lib/net10.0/OptDsl.Runtime.dll", entries);
        string[] analyzers =
        [
            "analyzers/dotnet/cs/OptDsl.Generators.dll",
            "analyzers/dotnet/cs/OptDsl.Compiler.dll",
            "analyzers/dotnet/cs/OptDsl.Grammar.dll",
            "analyzers/dotnet/cs/Antlr4.Runtime.Standard.dll",
        ];
        Assert.All(analyzers, analyzer => Assert.Contains(analyzer, entries));
        Assert.Equal(analyzers.Order(), entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)).Order());
        Assert.Contains("build/OptDsl.props", entries);
        Assert.Contains("build/OptDsl.targets", entries);
        Assert.Contains("buildTransitive/OptDsl.props", entries);
        Assert.Contains("buildTransitive/OptDsl.targets", entries);
        // Only the runtime is a library of the user's program: nothing the generator needs leaks into lib/.
        Assert.Equal(["lib/net10.0/OptDsl.Runtime.dll"], entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)));
    }

    private static readonly string[] AnalyzerFileNames = ["Antlr4.Runtime.Standard.dll", "OptDsl.Compiler.dll", "OptDsl.Generators.dll", "OptDsl.Grammar.dll"];

    [Fact]
    public void Package_holds_ReadyToRun_copies_of_the_generator_made_from_the_same_build_as_its_IL_DLLs()
    {
        var entries = package.Entries();

        // Outside analyzers/ (NuGet hands every DLL there to csc), the same four DLLs, nothing else.
        Assert.Equal(AnalyzerFileNames.Select(name => "tools/readytorun/linux-x64/" + name), entries.Where(e => e.StartsWith("tools/", StringComparison.Ordinal)).Order());
        foreach (var name in AnalyzerFileNames)
        {
            using var readyToRun = new PEReader(new MemoryStream(package.ReadBytes("tools/readytorun/linux-x64/" + name)));
            using var il = new PEReader(new MemoryStream(package.ReadBytes("analyzers/dotnet/cs/" + name)));
            // A ReadyToRun image keeps the IL and metadata and adds native code, announced by the managed native header.
            Assert.True(readyToRun.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{name} in tools/readytorun/linux-x64/ is not a ReadyToRun image");
            Assert.Equal(0, il.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size);
            Assert.Equal(Machine.Amd64, (Machine)((ushort)readyToRun.PEHeaders.CoffHeader.Machine ^ 0x7B79)); // the Linux variant of x64
            // Compiled from the very DLL that is packed as IL: same module version id.
            var readyToRunMetadata = readyToRun.GetMetadataReader();
            var ilMetadata = il.GetMetadataReader();
            Assert.Equal(ilMetadata.GetGuid(ilMetadata.GetModuleDefinition().Mvid), readyToRunMetadata.GetGuid(readyToRunMetadata.GetModuleDefinition().Mvid));
        }
    }

    [Fact]
    public void Consumer_builds_give_a_csc_of_their_own_the_ReadyToRun_copies_on_their_platform_and_the_server_or_an_opt_out_the_IL_DLLs()
    {
        var project = CreateConsumer("ReadyToRunChoice", ("rosenbrock.opt", RosenbrockOpt), ("Program.cs", ProgramCs));
        var restore = DotnetCli.Run(project, ["restore", "-nodeReuse:false"], BuildTimeout, PackagesFolder);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        // The folder of each OptDsl analyzer csc is given, relative to the package's root.
        string[] AnalyzerFolders(params string[] properties)
        {
            var result = DotnetCli.Run(project, ["msbuild", "-nodeReuse:false", "-t:ResolveLockFileAnalyzers", "-getItem:Analyzer", .. properties], BuildTimeout, PackagesFolder);
            Assert.True(result.ExitCode == 0, result.ToString());
            var json = result.Output[result.Output.IndexOf('{')..];
            var root = Path.GetFullPath(Path.Combine(package.Root, "packages", "optdsl", package.ExpectedVersion)) + Path.DirectorySeparatorChar;
            var optDsl = JsonDocument.Parse(json).RootElement.GetProperty("Items").GetProperty("Analyzer").EnumerateArray()
                .Select(item => item.GetProperty("FullPath").GetString()!)
                .Where(path => path.StartsWith(root, StringComparison.Ordinal))
                .ToList();
            Assert.Equal(AnalyzerFileNames, optDsl.Select(Path.GetFileName).Order());
            return [.. optDsl.Select(path => Path.GetDirectoryName(path)![root.Length..].Replace('\\', '/')).Distinct()];
        }

        // A csc of its own for the build: the ReadyToRun copies where they were compiled for (this test's machine, in CI).
        bool linuxX64 = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        Assert.Equal([linuxX64 ? "tools/readytorun/linux-x64" : "analyzers/dotnet/cs"], AnalyzerFolders("-p:UseSharedCompilation=false"));
        Assert.Equal(["analyzers/dotnet/cs"], AnalyzerFolders("-p:UseSharedCompilation=false", "-p:OptDslUseReadyToRun=false"));
        // The compiler server loads analyzers from a stream on Linux and macOS, where ReadyToRun code goes unused: IL.
        Assert.Equal(["analyzers/dotnet/cs"], AnalyzerFolders("-p:UseSharedCompilation=true"));
    }

    [Fact]
    public void Package_depends_on_the_runtime_packages_only()
    {
        var nuspec = XDocument.Parse(package.ReadEntry("OptDsl.nuspec"));
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.Equal("OptDsl", metadata.Elements().Single(e => e.Name.LocalName == "id").Value);
        Assert.Equal(package.ExpectedVersion, metadata.Elements().Single(e => e.Name.LocalName == "version").Value);

        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();
        Assert.Contains("System.Numerics.Tensors", dependencies);
        Assert.DoesNotContain(dependencies, id => id.StartsWith("Antlr4", StringComparison.Ordinal) || id.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
            || id.StartsWith("OptDsl", StringComparison.Ordinal) || id == "PolySharp");
        var groups = nuspec.Descendants().Where(e => e.Name.LocalName == "group").Select(e => (string?)e.Attribute("targetFramework")).ToList();
        Assert.Equal(["net10.0"], groups);
    }

    [Fact]
    public void Package_carries_a_readme_the_licence_and_the_project_urls()
    {
        var nuspec = XDocument.Parse(package.ReadEntry("OptDsl.nuspec"));
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value
            ?? throw new Xunit.Sdk.XunitException($"The nuspec has no <{name}>:\n{nuspec}");

        // The readme nuget.org shows, packed byte for byte from the repository; its links must work outside it.
        string readme = Value("readme");
        Assert.Equal("PACKAGE.md", readme);
        Assert.Contains(readme, package.Entries());
        string packed = package.ReadEntry(readme);
        Assert.Equal(File.ReadAllText(RepositoryLayout.PathOf("Dsl.Runtime/PACKAGE.md")), packed);
        Assert.DoesNotMatch(@"\]\((?!https://)[^)]*\)", packed);

        // The licence: an SPDX expression, the same as the repository's LICENSE file.
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.StartsWith("MIT License", File.ReadAllText(RepositoryLayout.PathOf("LICENSE")), StringComparison.Ordinal);

        Assert.Equal("https://github.com/optdsl/optdsl", Value("projectUrl"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal("https://github.com/optdsl/optdsl", (string?)repository.Attribute("url"));
        Assert.Contains(".opt files", Value("description"), StringComparison.Ordinal);
        Assert.Contains("optimization", Value("tags").Split(' '));
    }

    [Fact]
    public void Props_add_opt_files_and_make_RootNamespace_visible_to_the_generator()
    {
        var props = XDocument.Parse(package.ReadEntry("build/OptDsl.props"));

        var visible = props.Descendants().Where(e => e.Name.LocalName == "CompilerVisibleProperty").Select(e => (string)e.Attribute("Include")!);
        Assert.Contains("RootNamespace", visible);
        Assert.Contains("ProjectDir", visible);
        Assert.Contains(props.Descendants().Where(e => e.Name.LocalName == "AdditionalFiles"), e => (string?)e.Attribute("Include") == "**/*.opt");
        Assert.Equal(package.ReadEntry("build/OptDsl.props"), package.ReadEntry("buildTransitive/OptDsl.props"));
        Assert.Equal(package.ReadEntry("build/OptDsl.targets"), package.ReadEntry("buildTransitive/OptDsl.targets"));
    }

    [Fact]
    public void Console_app_referencing_only_the_package_solves_Rosenbrock()
    {
        var project = CreateConsumer("Consumer", ("rosenbrock.opt", RosenbrockOpt), ("Program.cs", ProgramCs));

        var build = Build(project);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain("CS8032", build.Output);  // an analyzer (the generator or a DLL it needs) failed to load
        Assert.DoesNotContain("CS8785", build.Output);  // the generator threw

        var run = DotnetCli.Run(project, [Path.Combine("bin", "Debug", "net10.0", "Consumer.dll")], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.ToString());
        var x = Regex.Match(run.Output, @"X = (\S+) (\S+)");
        Assert.True(x.Success, run.ToString());
        var x0 = double.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture);
        var x1 = double.Parse(x.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(x0 - 1) < 1e-6 && Math.Abs(x1 - 1) < 1e-6, $"Expected x ≈ (1, 1).\n{run}");
    }

    [Fact]
    public void A_build_without_the_compiler_server_writes_stamped_sources_that_the_next_build_reuses()
    {
        var project = CreateConsumer("Reuse", ("rosenbrock.opt", RosenbrockOpt), ("Program.cs", ProgramCs.Replace("using Consumer;", "using Reuse;", StringComparison.Ordinal)));
        var written = Path.Combine(project, "obj", "Debug", "net10.0", "generated", "OptDsl.Generators", "OptDsl.Generators.OptGenerator", "rosenbrock.opt", "Rosenbrock.g.cs");

        var first = Build(project);
        Assert.True(first.ExitCode == 0, first.ToString());
        var stamped = File.ReadAllText(written);
        Assert.StartsWith("// OptDsl generated-file stamp: ", stamped.TrimStart('\uFEFF'), StringComparison.Ordinal);

        // A C# edit: csc runs again, and is given the written file back (as an additional file) with the .opt file.
        File.AppendAllText(Path.Combine(project, "Program.cs"), "// edited\n");
        var second = DotnetCli.Run(project, ["build", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:detailed"], BuildTimeout, PackagesFolder);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Matches(@"/additionalfile:\S*OptDsl\.Generators\.OptGenerator/rosenbrock\.opt/Rosenbrock\.g\.cs", second.Output);
        Assert.Equal(stamped, File.ReadAllText(written));

        var run = DotnetCli.Run(project, [Path.Combine("bin", "Debug", "net10.0", "Reuse.dll")], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("X = ", run.Output, StringComparison.Ordinal);  // the program ran the reused class (the answer: the test above)
    }

    [Fact]
    public void Broken_opt_file_fails_the_build_with_an_OPT_error_at_its_line()
    {
        var broken = "problem Broken {\n    var x[2] = [1, 2];\n    minimize x[0] +;\n}\n";
        var project = CreateConsumer("Broken", ("broken.opt", broken), ("Program.cs", "System.Console.WriteLine(1);\n"));

        var build = Build(project);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(@"broken\.opt\(3,\d+\): error OPT\d{4}", build.Output);
        Assert.DoesNotContain("CS8785", build.Output);
    }

    /// <summary>A console project (net10.0, nullable, warnings as errors) whose only package is OptDsl from the test feed.</summary>
    private string CreateConsumer(string name, params (string Name, string Text)[] files)
    {
        var directory = Path.Combine(package.Root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OptDsl" Version="{package.ExpectedVersion}" />
              </ItemGroup>
            </Project>
            """);
        // The test feed first; the user's usual sources (inherited) for System.Numerics.Tensors.
        File.WriteAllText(Path.Combine(directory, "NuGet.Config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="optdsl-test-feed" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        foreach (var (fileName, text) in files)
        {
            File.WriteAllText(Path.Combine(directory, fileName), text);
        }

        return directory;
    }

    /// <summary>Builds with a packages folder of its own, so a stale OptDsl of the same version in the user's cache is never used.</summary>
    private ProcessResult Build(string project) =>
        DotnetCli.Run(project, ["build", "-nodeReuse:false", "-p:UseSharedCompilation=false"], BuildTimeout, PackagesFolder);

    private Dictionary<string, string?> PackagesFolder => new() { ["NUGET_PACKAGES"] = Path.Combine(package.Root, "packages") };
}
