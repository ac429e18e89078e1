using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace OptDsl.Benchmarks;

/// <summary>
/// <c>--calls CLASS METHOD PARAMETER CALLS</c>: sets the class's one [Params] or [ParamsSource] property to PARAMETER, runs its
/// [GlobalSetup] (with the correctness checks), then calls one benchmark method CALLS times, and exits; nothing
/// is timed but the second half of the calls, roughly (a Stopwatch, no statistics). For reading the machine code the JIT makes of a derivative without BenchmarkDotNet in the way:
/// <code>DOTNET_TieredCompilation=0 DOTNET_JitDisasm="Gradient ValueAndGradient" dotnet Dsl.Benchmarks.dll --calls ExtendedRosenbrockBenchmarks Gradient 1000 10</code>
/// (docs/benchmarks.md quotes the loop bodies this prints).
/// </summary>
public static class KernelRunner
{
    public const string Option = "--calls";

    public static int Run(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine($"usage: {Option} CLASS METHOD PARAMETER CALLS   (e.g. {Option} ExtendedRosenbrockBenchmarks Gradient 10000 100)");
            return 2;
        }
        var type = typeof(KernelRunner).Assembly.GetTypes().Single(t => t.Name == args[1]);
        var instance = Activator.CreateInstance(type)!;
        var parameter = type.GetProperties().Single(p => p.GetCustomAttribute<ParamsAttribute>() is not null || p.GetCustomAttribute<ParamsSourceAttribute>() is not null);
        parameter.SetValue(instance, Convert.ChangeType(args[3], parameter.PropertyType, CultureInfo.InvariantCulture));
        type.GetMethods().Single(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null).Invoke(instance, null);

        var method = type.GetMethod(args[2]) ?? throw new ArgumentException($"{type.Name} has no method {args[2]}.");
        var call = method.CreateDelegate<Func<double>>(instance);
        int calls = int.Parse(args[4], CultureInfo.InvariantCulture);
        double sink = 0.0;
        for (int k = 0; k < calls / 2; k++) sink += call();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int k = calls / 2; k < calls; k++) sink += call();
        double perCall = clock.Elapsed.TotalNanoseconds / Math.Max(1, calls - calls / 2);
        Console.WriteLine($"{type.Name}.{method.Name} {parameter.Name}={args[3]}: {calls} calls, {perCall.ToString("F0", CultureInfo.InvariantCulture)} ns per call over the second half (checksum {sink.ToString("R", CultureInfo.InvariantCulture)})");
        return 0;
    }
}
