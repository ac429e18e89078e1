using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks.Ipopt;

/// <summary>
/// <c>--compare-ipopt</c>: OptDsl's generated Solve (its .opt's solver, ipm, with its defaults) and IPOPT (tol 1e-8, its
/// defaults otherwise) on the same generated problems from the same starts: final f, iterations and status side by side.
/// The Hock–Schittkowski problems of the tests (Dsl.Tests/Constrained/Problems), or with <c>--broad</c> the transcribed
/// problems 1–60 of Dsl.Tests/Constrained/HockSchittkowski.
/// </summary>
public static class IpoptComparison
{
    private static IEnumerable<(string Name, object Problem)> Problems()
    {
        yield return ("hs006", new Hs006());
        yield return ("hs007", new Hs007());
        yield return ("hs014", new Hs014());
        yield return ("hs021", new Hs021());
        yield return ("hs026", new Hs026());
        yield return ("hs028", new Hs028());
        yield return ("hs035", new Hs035());
        yield return ("hs039", new Hs039());
        yield return ("hs040", new Hs040());
        yield return ("hs043", new Hs043());
        yield return ("hs048", new Hs048());
        yield return ("hs051", new Hs051());
        yield return ("hs065", new Hs065());
        yield return ("hs071", new OptDsl.Benchmarks.Problems.Hs071());
        yield return ("hs076", new Hs076());
        yield return ("hs078", new Hs078());
        yield return ("hs079", new Hs079());
        yield return ("hs080", new Hs080());
        yield return ("hs100", new Hs100());
    }

    /// <summary>Issue 14's broad set: the transcribed Hock–Schittkowski problems 1–60 with constraint rows (those with bounds only are not constrained problems).</summary>
    private static IEnumerable<(string Name, object Problem)> Broad()
    {
        yield return ("hs008", new Hs008());
        yield return ("hs009", new Hs009());
        yield return ("hs010", new Hs010());
        yield return ("hs011", new Hs011());
        yield return ("hs012", new Hs012());
        yield return ("hs013", new Hs013());
        yield return ("hs015", new Hs015());
        yield return ("hs016", new Hs016());
        yield return ("hs017", new Hs017());
        yield return ("hs018", new Hs018());
        yield return ("hs019", new Hs019());
        yield return ("hs020", new Hs020());
        yield return ("hs022", new Hs022());
        yield return ("hs023", new Hs023());
        yield return ("hs024", new Hs024());
        yield return ("hs027", new Hs027());
        yield return ("hs029", new Hs029());
        yield return ("hs030", new Hs030());
        yield return ("hs031", new Hs031());
        yield return ("hs032", new Hs032());
        yield return ("hs033", new Hs033());
        yield return ("hs034", new Hs034());
        yield return ("hs036", new Hs036());
        yield return ("hs037", new Hs037());
        yield return ("hs041", new Hs041());
        yield return ("hs042", new Hs042());
        yield return ("hs044", new Hs044());
        yield return ("hs046", new Hs046());
        yield return ("hs047", new Hs047());
        yield return ("hs049", new Hs049());
        yield return ("hs050", new Hs050());
        yield return ("hs052", new Hs052());
        yield return ("hs053", new Hs053());
        yield return ("hs054", new Hs054());
        yield return ("hs055", new Hs055());
        yield return ("hs056", new Hs056());
        yield return ("hs057", new Hs057());
        yield return ("hs058", new Hs058());
        yield return ("hs059", new Hs059());
        yield return ("hs060", new Hs060());
    }

    public static int Run(bool broad = false)
    {
        Console.WriteLine("| problem | ipm: f | iterations | status | IPOPT: f | iterations | status | |f_ipm − f_IPOPT| |");
        Console.WriteLine("|---|---:|---:|---|---:|---:|---|---:|");
        string? only = Environment.GetEnvironmentVariable("OPTDSL_ONLY");
        foreach (var (name, problem) in broad ? Broad() : Problems())
        {
            if (only is not null && !only.Split(',').Contains(name)) continue;
            dynamic p = problem;
            SolveResult ours = p.Solve();
            double[] start = p.StartPoint();
            Bounds? bounds = p.VariableBounds();
            var theirs = IpoptPeer.Solve((IConstrainedProblem)problem, start, bounds?.Lower, bounds?.Upper);
            string F(double v) => v.ToString("G10", CultureInfo.InvariantCulture);
            Console.WriteLine($"| {name} | {F(ours.Objective)} | {ours.Iterations} | {ours.Status} | {F(theirs.Objective)} | {theirs.Iterations} | {theirs.StatusName} | {Math.Abs(ours.Objective - theirs.Objective):G2} |");
        }
        return 0;
    }
}
