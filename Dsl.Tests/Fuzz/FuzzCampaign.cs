using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OptDsl.Tests.Fuzz;

/// <summary>Runs the generator through the harness until enough inputs are accepted, and reports by category.</summary>
public sealed class FuzzCampaign
{
    public required int Accepted { get; init; }
    public required int Seed { get; init; }
    /// <summary>Programs per Roslyn compilation.</summary>
    public int BatchSize { get; init; } = 48;
    /// <summary>Shrinking time per reported example.</summary>
    public TimeSpan ShrinkBudget { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Shrinking time for the whole report (categories with the most programs first).</summary>
    public TimeSpan TotalShrinkBudget { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How many examples of each category are shrunk (distinct first messages first).</summary>
    public int ShrinkPerCategory { get; init; } = 1;
    /// <summary>Run only this program id (to reproduce one input).</summary>
    public int? Only { get; init; }
    public Action<string>? Log { get; init; }

    public sealed class Category
    {
        public required string Name;
        public int Programs;
        public readonly List<(Prepared Program, Failure Failure)> Examples = new();
        public readonly Dictionary<string, int> Messages = new(StringComparer.Ordinal);
        public readonly List<(Prepared Original, Shrinker.Result Shrunk)> Reproducers = new();
    }

    public int Generated { get; private set; }
    public int AcceptedCount { get; private set; }
    public int Executed { get; private set; }
    public int Inconclusive { get; private set; }
    public int NoFinitePoint { get; private set; }
    public int TimedOut { get; private set; }
    public int ProgramsWithFailures { get; private set; }
    public readonly Dictionary<string, int> Rejections = new(StringComparer.Ordinal);
    public readonly Dictionary<string, (FuzzProgram Program, string Message)> RejectionExamples = new(StringComparer.Ordinal);
    public readonly Dictionary<string, Category> Categories = new(StringComparer.Ordinal);
    public readonly Dictionary<string, int> Features = new(StringComparer.Ordinal);
    public TimeSpan GenerateAndCompileTime, RoslynAndRunTime, ShrinkTime, Total;
    public readonly List<(TimeSpan Time, int Id, int Length)> Slowest = new();
    public readonly List<(TimeSpan Time, int Id, int Length)> SlowestCompiles = new();

    public static int SeedOf(int baseSeed, int id) => unchecked(baseSeed * 1_000_003 + id * 7_919);

    public void Run()
    {
        var total = Stopwatch.StartNew();
        var batch = new List<Prepared>();
        int id = Only ?? 0;
        int maxGenerated = Accepted * 3 + 100;
        var clock = new Stopwatch();
        while (AcceptedCount < Accepted && Generated < maxGenerated)
        {
            clock.Restart();
            var program = OptProgramGenerator.Generate(SeedOf(Seed, id), id);
            id++;
            var prepared = FuzzHarness.Prepare(program);
            Generated++;
            SlowestCompiles.Add((prepared.CompileTime, program.Id, prepared.Text.Length));
            if (SlowestCompiles.Count > 20) SlowestCompiles.Remove(SlowestCompiles.MinBy(c => c.Time));
            CountFeatures(program, prepared.Text);
            GenerateAndCompileTime += clock.Elapsed;
            if (prepared.Accepted)
            {
                AcceptedCount++;
                batch.Add(prepared);
            }
            else
            {
                foreach (var d in prepared.Errors.GroupBy(e => e.Id))
                {
                    Rejections[d.Key] = Rejections.GetValueOrDefault(d.Key) + 1;
                    RejectionExamples.TryAdd(d.Key, (program, d.First().Message));
                }
                Record(prepared);
            }
            if (batch.Count >= BatchSize || Only is not null)
            {
                Flush(batch);
                if (Only is not null) break;
            }
            if (Generated % 500 == 0)
                Log?.Invoke($"{Generated} generated, {AcceptedCount} accepted, {ProgramsWithFailures} with failures, {total.Elapsed.TotalSeconds:F0} s");
        }
        Flush(batch);

        clock.Restart();
        foreach (var category in Categories.Values.OrderByDescending(c => c.Programs))
        {
            if (ShrinkBudget <= TimeSpan.Zero) break;
            // Small programs first, and examples that differ in message or in the shapes known to cause bugs, so a category
            // with several causes shows more than one.
            var picks = new List<(Prepared Program, Failure Failure)>();
            var seen = new HashSet<string>();
            foreach (var e in category.Examples.OrderBy(e => e.Program.Text.Length))
            {
                if (picks.Count >= ShrinkPerCategory) break;
                if (seen.Add(Normalize(e.Failure.Detail) + "|" + Signature(e.Program.Text))) picks.Add(e);
            }
            foreach (var (prepared, _) in picks)
            {
                var left = TotalShrinkBudget - clock.Elapsed;
                if (left <= TimeSpan.Zero) break;
                var fresh = OptProgramGenerator.Generate(prepared.Program.Seed, prepared.Program.Id);
                Shrinker.Result shrunk;
                try
                {
                    shrunk = Shrinker.Shrink(fresh, category.Name, left < ShrinkBudget ? left : ShrinkBudget);
                }
                catch (Exception ex)
                {
                    // A shrinker bug must not cost the campaign: report the program unshrunk.
                    Log?.Invoke($"shrinking #{prepared.Program.Id} failed: {ex}");
                    shrunk = new Shrinker.Result(OptProgramGenerator.Generate(prepared.Program.Seed, prepared.Program.Id), null, 0, 0, TimeSpan.Zero, false);
                }
                category.Reproducers.Add((prepared, shrunk));
                Log?.Invoke($"shrunk #{prepared.Program.Id} for '{category.Name}': {prepared.Text.Length} → {shrunk.Program.Text.Length} chars in {shrunk.Elapsed.TotalSeconds:F0} s");
            }
        }
        ShrinkTime = clock.Elapsed;
        Total = total.Elapsed;
        Log?.Invoke($"done: {Generated} generated, {AcceptedCount} accepted, shrinking took {ShrinkTime.TotalSeconds:F0} s, {Total.TotalSeconds:F0} s in all");
    }

    private void Flush(List<Prepared> batch)
    {
        if (batch.Count == 0) return;
        var clock = Stopwatch.StartNew();
        FuzzHarness.CompileAndCheck(batch);
        RoslynAndRunTime += clock.Elapsed;
        foreach (var p in batch)
        {
            Slowest.Add((p.CheckTime, p.Program.Id, p.Text.Length));
            if (p.Executed) Executed++;
            Inconclusive += p.Inconclusive;
            NoFinitePoint += p.NoFinitePoint;
            TimedOut += p.TimedOut;
            Record(p);
        }
        batch.Clear();
    }

    private void Record(Prepared p)
    {
        if (p.Failures.Count == 0) return;
        ProgramsWithFailures++;
        foreach (var group in p.Failures.GroupBy(f => f.Category))
        {
            if (!Categories.TryGetValue(group.Key, out var c)) Categories[group.Key] = c = new Category { Name = group.Key };
            c.Programs++;
            var first = group.First();
            string key = Normalize(first.Detail);
            c.Messages[key] = c.Messages.GetValueOrDefault(key) + 1;
            if (c.Examples.Count < 50) c.Examples.Add((p, first));
        }
        // Keep memory flat over long campaigns: the trees are not needed once checked.
        p.Trees.Clear();
    }

    /// <summary>Which known trouble shapes a program contains (to pick different examples of one category).</summary>
    public static string Signature(string text)
    {
        var features = new List<string>();
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"(g|v|hv)_[A-Za-z]")) features.Add("slice-like name");
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"in [A-Za-z_][A-Za-z0-9_]*\.\.")) features.Add("range from an index");
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"in ([A-Za-z0-9_]+)\.\.")) features.Add("empty range");
        if (text.Contains("cce_logits(", StringComparison.Ordinal)) features.Add("cce_logits");
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"c\d+:")) features.Add("c<k> label");
        if (text.Contains("subject to", StringComparison.Ordinal)) features.Add("constraints");
        return string.Join(",", features);
    }

    /// <summary>A failure message with numbers, names and locations blurred, for grouping.</summary>
    public static string Normalize(string detail)
    {
        string s = System.Text.RegularExpressions.Regex.Replace(detail, @"^problem [^:]*: ", "");
        s = System.Text.RegularExpressions.Regex.Replace(s, @" at Fz\d+/\d+\.g\.cs:\d+:.*$", "");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"'[^']*'", "'…'");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"-?\d+(\.\d+)?(E[-+]?\d+)?", "#");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"x = \[.*", "");
        return s.Length > 160 ? s.Substring(0, 160) : s;
    }

    private void CountFeatures(FuzzProgram p, string text)
    {
        void Count(string feature, bool present)
        {
            if (present) Features[feature] = Features.GetValueOrDefault(feature) + 1;
        }
        Count("namespace line", p.NamespaceLine is not null);
        Count("keyword namespace segment", p.NamespaceLine?.Any(s => s is "class" or "int" or "namespace" or "var" or "double" or "this" or "record" or "event" or "value") == true);
        Count("hostile namespace argument", p.Vectors.Contains("namespace argument"));
        Count("hostile file name", p.Vectors.Contains("file name"));
        Count("payload comment", p.Vectors.Contains("comment"));
        Count("U+2028/U+2029/U+0085 in text", text.IndexOfAny(['\u2028', '\u2029', '\u0085']) >= 0);
        Count("CRLF", p.NewLine == "\r\n");
        Count("several problems", p.Problems.Count > 1);
        Count("runtime dim", p.Problems.Any(q => q.Dims.Any(d => !d.Fixed)));
        Count("runtime dim as constructor argument", p.Problems.Any(q => q.Dims.Any(d => !d.Fixed && !q.BoundDims().ContainsKey(d.Name))));
        Count("scalar data", p.Problems.Any(q => q.Data.Any(d => d.Shape.Count == 0)));
        Count("2-D data", p.Problems.Any(q => q.Data.Any(d => d.Shape.Count == 2)));
        Count("matrix var", p.Problems.Any(q => q.Vars.Any(v => v.Shape.Count == 2)));
        Count("bounds", p.Problems.Any(q => q.HasBounds));
        Count("constraints", p.Problems.Any(q => q.Constraints.Count > 0));
        Count("forall", p.Problems.Any(q => q.Constraints.Any(c => c.ForAll.Count > 0)));
        Count("two-sided constraint", p.Problems.Any(q => q.Constraints.Any(c => c.Ops.Count == 2)));
        Count("maximize", p.Problems.Any(q => q.Maximize));
        Count("indexed let", p.Problems.Any(q => q.Lets.Any(l => l.Indices.Count > 0)));
        Count("named objective", p.Problems.Any(q => q.Objectives.Count > 0));
        Count("many vars (>= 20)", p.Problems.Any(q => q.Vars.Count >= 20));
        Count("long text (> 5000 chars)", text.Length > 5000);
        foreach (var word in new[] { "sum(", "prod(", "logsumexp(", "dot(", "l2(", "norm(", "mse(", "bce(", "bce_logits(", "cce_logits(", "focal(", ":]", "[:", "/ 0)" })
            Count(word, text.Contains(word, StringComparison.Ordinal));
        foreach (var s in new[] { "lm", "ipm", "auglag", "newton", "newton_cg", "lbfgs", "bfgs", "gd", "adam", "adamw", "momentum", "nesterov", "adagrad", "rmsprop" })
            Count("solver " + s, p.Problems.Any(q => q.Solver is { } line && (line.StartsWith($"solver {s};", StringComparison.Ordinal) || line.StartsWith($"solver {s}(", StringComparison.Ordinal))));
        Count("default solver", p.Problems.Any(q => q.Solver is null));
    }

    // ---- Report -------------------------------------------------------------------------------------------------------

    public string Report()
    {
        var sb = new StringBuilder();
        int rejected = Generated - AcceptedCount;
        sb.AppendLine($"OptDsl fuzz campaign: seed {Seed}, {Generated} programs generated, {AcceptedCount} accepted, {rejected} rejected ({Percent(rejected, Generated)}).");
        int failing = ProgramsWithFailures - (Categories.GetValueOrDefault("OPT0999 internal compiler error")?.Programs ?? 0);
        sb.AppendLine($"Accepted inputs with at least one failure: {failing} of {AcceptedCount}; {AcceptedCount - failing} passed every check; runtime checks ran on {Executed} of the accepted inputs.");
        sb.AppendLine($"Time: {Total.TotalSeconds:F0} s (generate + .opt compile {GenerateAndCompileTime.TotalSeconds:F0} s, Roslyn + checks {RoslynAndRunTime.TotalSeconds:F0} s, shrinking {ShrinkTime.TotalSeconds:F0} s). " +
                      $"Inconclusive difference entries: {Inconclusive}; problems without a finite point: {NoFinitePoint}; problems whose checks hit the time budget: {TimedOut}.");
        sb.AppendLine($"Roslyn: {FuzzHarness.Compilations} compilations of {FuzzHarness.CompiledTrees} files in {FuzzHarness.RoslynTime.TotalSeconds:F0} s; slowest runtime checks: " +
                      string.Join(", ", Slowest.OrderByDescending(s => s.Time).Take(5).Select(s => $"#{s.Id} {s.Time.TotalSeconds:F1} s ({s.Length} chars)")));
        sb.AppendLine(".opt compile times (limit 1 s), slowest: " +
                      string.Join(", ", SlowestCompiles.OrderByDescending(s => s.Time).Take(5).Select(s => $"#{s.Id} {s.Time.TotalMilliseconds:F0} ms ({s.Length} chars)")));
        sb.AppendLine();
        sb.AppendLine("Rejections (error diagnostics, by id; an input can have several):");
        foreach (var (id, count) in Rejections.OrderByDescending(r => r.Value))
            sb.AppendLine($"  {id}: {count} ({Percent(count, Generated)}), e.g. program #{RejectionExamples[id].Program.Id}: {FuzzProgram.Visible(RejectionExamples[id].Message)}");
        sb.AppendLine();
        sb.AppendLine($"Failures by category ({Categories.Count}), programs per category:");
        foreach (var c in Categories.Values.OrderByDescending(c => c.Programs))
            sb.AppendLine($"  {c.Programs,6}  {c.Name}");
        foreach (var c in Categories.Values.OrderByDescending(c => c.Programs))
        {
            sb.AppendLine();
            sb.AppendLine($"==== {c.Name}: {c.Programs} program(s)");
            foreach (var (message, count) in c.Messages.OrderByDescending(m => m.Value).Take(6))
                sb.AppendLine($"    {count,5} × {message}");
            var example = c.Examples.OrderBy(e => e.Program.Text.Length).First();
            sb.AppendLine($"  e.g. program #{example.Program.Program.Id}: {FuzzProgram.Visible(example.Failure.Detail)}");
            if (c.Reproducers.Count == 0)
            {
                sb.AppendLine($"  not shrunk (shrinking budget spent); the whole program (replay with OPTDSL_FUZZ_SEED={Seed} OPTDSL_FUZZ_ONLY={example.Program.Program.Id}):");
                AppendProgram(sb, example.Program.Program);
            }
            foreach (var (original, shrunk) in c.Reproducers)
            {
                var p = shrunk.Program;
                sb.AppendLine($"  program #{original.Program.Id} (seed {original.Program.Seed}, replay with OPTDSL_FUZZ_SEED={Seed} OPTDSL_FUZZ_ONLY={original.Program.Id})");
                if (original != example.Program)
                    sb.AppendLine($"  its failure: {FuzzProgram.Visible(c.Examples.First(e => e.Program == original).Failure.Detail)}");
                if (!shrunk.Reproduced)
                {
                    sb.AppendLine("  (not shrunk: it does not reproduce when compiled alone, or the shrinker failed; original text follows)");
                    AppendProgram(sb, OptProgramGenerator.Generate(original.Program.Seed, original.Program.Id));
                    continue;
                }
                sb.AppendLine($"  minimal reproducer ({shrunk.Steps} reductions in {shrunk.Tries} tries, {shrunk.Elapsed.TotalSeconds:F0} s; {original.Text.Length} → {p.Text.Length} chars):");
                AppendProgram(sb, p);
                sb.AppendLine($"    what mismatched: {FuzzProgram.Visible(shrunk.Failure!.Detail)}");
            }
        }
        if (Only is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"Program #{Only}:");
            AppendProgram(sb, OptProgramGenerator.Generate(SeedOf(Seed, Only.Value), Only.Value));
        }
        sb.AppendLine();
        sb.AppendLine("Generator coverage (programs with the feature):");
        foreach (var (feature, count) in Features.OrderBy(f => f.Key, StringComparer.Ordinal))
            sb.AppendLine($"  {feature}: {count}");
        return sb.ToString();
    }

    private static void AppendProgram(StringBuilder sb, FuzzProgram p)
    {
        sb.AppendLine($"    OptCompiler.Compile(path: {FuzzProgram.Escape(p.Path)}, text, defaultNamespace: {FuzzProgram.Escape(p.NamespaceArgument)}) with text:");
        foreach (var line in FuzzProgram.Visible(p.Text).Replace("\r\n", "\n").TrimEnd().Split('\n'))
            sb.AppendLine("    | " + line);
    }

    private static string Percent(int a, int b) => b == 0 ? "0%" : (100.0 * a / b).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
