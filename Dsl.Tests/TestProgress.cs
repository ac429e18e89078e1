using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("OptDsl.Tests.ProgressReportingTestFramework", "Dsl.Tests")]

namespace OptDsl.Tests;

/// <summary>
/// xUnit's own framework, plus a progress line every half minute while the tests run, so that the README's
/// <c>dotnet test OptDsl.sln</c> is never silent for minutes. The lines are xUnit diagnostic messages (enabled in
/// xunit.runner.json), which <c>dotnet test</c> shows at its default verbosity, one line each:
/// <c>[xUnit.net 00:01:30.02] Dsl.Tests: 812 of 1,640 test cases done (49%), 0 failed</c>, followed by the test
/// that has been running longest when it has taken more than one interval.
/// The interval is <c>OPTDSL_TEST_PROGRESS_SECONDS</c> (default 30; 0 turns the lines off). Under the terminal logger
/// there are no such lines (see <see cref="ProgressSink.Interval"/>).
/// </summary>
public sealed class ProgressReportingTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            var cases = testCases.ToList();
            TimeSpan interval = ProgressSink.Interval();
            IMessageSink sink = interval > TimeSpan.Zero
                ? new ProgressSink(executionMessageSink, DiagnosticMessageSink, cases.Count, interval)
                : executionMessageSink;
            base.RunTestCases(cases, sink, executionOptions);
        }
    }

    /// <summary>
    /// Passes every message on, counts finished test cases and failures, and reports them from a thread of its own (a
    /// thread-pool timer waited minutes while the tests kept the pool busy), with the test that has run longest when it
    /// has run for more than one interval.
    /// </summary>
    private sealed class ProgressSink : LongLivedMarshalByRefObject, IMessageSink
    {
        private readonly IMessageSink _inner;
        private readonly IMessageSink _diagnostics;
        private readonly int _total;
        private readonly TimeSpan _interval;
        private readonly ManualResetEventSlim _finished = new();
        private readonly ConcurrentDictionary<ITest, DateTime> _running = new(ReferenceEqualityComparer.Instance);
        private int _done;
        private int _failed;

        public ProgressSink(IMessageSink inner, IMessageSink diagnostics, int total, TimeSpan interval)
        {
            _inner = inner;
            _diagnostics = diagnostics;
            _total = total;
            _interval = interval;
            _diagnostics.OnMessage(new DiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
                $"running {total:N0} test cases; progress every {interval.TotalSeconds:0} s")));
            new Thread(ReportUntilFinished) { IsBackground = true, Name = "test progress" }.Start();
        }

        public static TimeSpan Interval()
        {
            // Under MSBuild's terminal logger (dotnet test in an interactive terminal, where the SDK sets
            // _MSBUILDTLENABLED=1 for the test host) diagnostic messages become build warnings printed after the run;
            // that logger shows a live timer and xUnit's "Discovered: ... (N test cases to be run)" line instead.
            if (Environment.GetEnvironmentVariable("_MSBUILDTLENABLED") == "1") return TimeSpan.Zero;
            string? text = Environment.GetEnvironmentVariable("OPTDSL_TEST_PROGRESS_SECONDS");
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromSeconds(30);
        }

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestStarting starting:
                    _running[starting.Test] = DateTime.UtcNow;
                    break;
                case ITestFinished finished:
                    _running.TryRemove(finished.Test, out _);
                    break;
                case ITestFailed:
                    Interlocked.Increment(ref _failed);
                    break;
                case ITestCaseFinished:
                    Interlocked.Increment(ref _done);
                    break;
                case ITestAssemblyFinished:
                    _finished.Set();
                    break;
            }

            return _inner.OnMessage(message);
        }

        private void ReportUntilFinished()
        {
            while (!_finished.Wait(_interval))
            {
                int done = Volatile.Read(ref _done);
                int failed = Volatile.Read(ref _failed);
                double percent = _total == 0 ? 100 : Math.Floor(100.0 * done / _total);   // 99% until the last one
                string line = string.Create(CultureInfo.InvariantCulture, $"{done:N0} of {_total:N0} test cases done ({percent:0}%), {failed:N0} failed");
                var longest = _running.ToArray().OrderBy(test => test.Value).FirstOrDefault();
                TimeSpan elapsed = DateTime.UtcNow - longest.Value;
                if (longest.Key is not null && elapsed >= _interval)
                {
                    string name = longest.Key.DisplayName.StartsWith("OptDsl.Tests.", StringComparison.Ordinal)
                        ? longest.Key.DisplayName.Substring("OptDsl.Tests.".Length)
                        : longest.Key.DisplayName;
                    line += string.Create(CultureInfo.InvariantCulture, $"; running for {(int)elapsed.TotalMinutes}m {elapsed.Seconds:00}s: {name}");
                }
                _diagnostics.OnMessage(new DiagnosticMessage(line));
            }
        }
    }
}
