using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Runtime.Training;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// Each schedule against a transcription of its PyTorch counterpart's update rule (torch.optim.lr_scheduler, the
/// recursive "chainable" <c>get_lr</c> forms, which the schedules do not use: they compute the closed forms), rate by rate
/// over several periods, to 1e-12 relative.
/// </summary>
public sealed class LearningRateScheduleTests
{
    private const double Base = 0.05;

    /// <summary>The rate of epochs 0 … count − 1 (one batch per epoch, so a per-batch schedule steps once per epoch too).</summary>
    private static List<double> Rates(LearningRateSchedule schedule, int count, Func<int, double>? loss = null)
    {
        schedule.Reset(Base);
        var rates = new List<double>();
        for (int e = 0; e < count; e++)
        {
            rates.Add(schedule.LearningRate);
            schedule.EndBatch();
            schedule.EndEpoch(loss?.Invoke(e) ?? 1.0);
        }
        return rates;
    }

    private static void AssertRates(IReadOnlyList<double> torch, IReadOnlyList<double> ours, string what)
    {
        Assert.Equal(torch.Count, ours.Count);
        for (int k = 0; k < torch.Count; k++)
            Assert.True(Math.Abs(torch[k] - ours[k]) <= 1e-12 * Math.Abs(torch[k]), $"{what}, step {k}: torch {torch[k]:R}, ours {ours[k]:R}");
    }

    [Theory]
    [InlineData(3, 0.5)]
    [InlineData(1, 0.9)]
    [InlineData(7, 0.1)]
    public void Step_is_torch_StepLR(int stepSize, double gamma)
    {
        // StepLR.get_lr: unchanged unless last_epoch is a positive multiple of step_size, then lr·gamma.
        var torch = new List<double>();
        double lr = Base;
        for (int epoch = 0; epoch < 40; epoch++)
        {
            if (epoch > 0 && epoch % stepSize == 0) lr *= gamma;
            torch.Add(lr);
        }
        AssertRates(torch, Rates(new StepSchedule(stepSize, gamma), 40), $"step({stepSize}, {gamma})");
    }

    [Fact]
    public void Exponential_is_torch_ExponentialLR()
    {
        var torch = new List<double>();
        double lr = Base;
        for (int epoch = 0; epoch < 60; epoch++)
        {
            if (epoch > 0) lr *= 0.93;
            torch.Add(lr);
        }
        AssertRates(torch, Rates(new ExponentialSchedule(0.93), 60), "exponential(0.93)");
    }

    [Theory]
    [InlineData(10, 0.0)]
    [InlineData(7, 1e-3)]
    [InlineData(1, 0.01)]
    public void Cosine_is_torch_CosineAnnealingLR_over_three_periods(int tMax, double etaMin)
    {
        // CosineAnnealingLR.get_lr, the recursive form, including its rule at the restart points.
        var torch = new List<double>();
        double lr = Base;
        for (int epoch = 0; epoch < 3 * tMax + 2; epoch++)
        {
            if (epoch == 0) lr = Base;
            else if ((epoch - 1 - tMax) % (2 * tMax) == 0) lr += (Base - etaMin) * (1 - Math.Cos(Math.PI / tMax)) / 2;
            else lr = (1 + Math.Cos(Math.PI * epoch / tMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / tMax)) * (lr - etaMin) + etaMin;
            torch.Add(lr);
        }
        // Where the recursive form divides by 1 + cos(π) = 0 PyTorch's rates are NaN-free only through the restart rule;
        // compare where both are defined and away from the cancellation at the bottom of a period.
        var ours = Rates(new CosineSchedule(tMax, etaMin), torch.Count);
        for (int k = 0; k < torch.Count; k++)
            Assert.True(Math.Abs(torch[k] - ours[k]) <= 1e-12 * Base, $"cosine({tMax}, {etaMin}) step {k}: torch {torch[k]:R}, ours {ours[k]:R}");
    }

    [Theory]
    [InlineData(1e-3, 0.1, 4)]
    [InlineData(0.01, 0.01, 3)]
    [InlineData(1e-4, 1.0, 1)]
    public void Cyclic_is_torch_CyclicLR_triangular_per_batch(double baseLr, double maxLr, int stepSize)
    {
        // CyclicLR.get_lr, mode "triangular", step_size_down = step_size_up.
        var torch = new List<double>();
        double totalSize = 2.0 * stepSize, stepRatio = stepSize / totalSize;
        for (int it = 0; it < 5 * stepSize + 3; it++)
        {
            double cycle = Math.Floor(1 + it / totalSize);
            double x = 1.0 + it / totalSize - cycle;
            double scale = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
            torch.Add(baseLr + (maxLr - baseLr) * scale);
        }
        var schedule = new CyclicSchedule(baseLr, maxLr, stepSize);
        schedule.Reset(Base);
        var ours = new List<double>();
        for (int it = 0; it < torch.Count; it++)
        {
            ours.Add(schedule.LearningRate);
            schedule.EndBatch();
            if (it % 3 == 2) schedule.EndEpoch(1.0); // epochs do not move a per-batch schedule
        }
        for (int k = 0; k < torch.Count; k++)
            Assert.True(Math.Abs(torch[k] - ours[k]) <= 1e-12 * maxLr, $"cyclic step {k}: torch {torch[k]:R}, ours {ours[k]:R}");
    }

    /// <summary>ReduceLROnPlateau.step(metrics), mode "min", threshold_mode "rel", transcribed.</summary>
    private static List<double> TorchPlateau(double factor, int patience, double minLr, double threshold, int cooldown, double eps, IReadOnlyList<double> losses)
    {
        double lr = Base, best = double.PositiveInfinity;
        int bad = 0, cooldownCounter = 0;
        var rates = new List<double>();
        foreach (double current in losses)
        {
            rates.Add(lr);
            if (current < best * (1 - threshold)) { best = current; bad = 0; }
            else bad++;
            if (cooldownCounter > 0) { cooldownCounter--; bad = 0; }
            if (bad > patience)
            {
                double newLr = Math.Max(lr * factor, minLr);
                if (lr - newLr > eps) lr = newLr;
                cooldownCounter = cooldown;
                bad = 0;
            }
        }
        return rates;
    }

    public static TheoryData<double, int, double, int> PlateauCases => new()
    {
        { 0.5, 2, 0.0, 0 },
        { 0.1, 0, 1e-3, 0 },
        { 0.5, 1, 0.0, 3 },
        { 0.2, 3, 0.004, 1 },
    };

    [Theory]
    [MemberData(nameof(PlateauCases))]
    public void Plateau_is_torch_ReduceLROnPlateau(double factor, int patience, double minLr, int cooldown)
    {
        // A validation curve that improves, stalls (inside and just outside the relative threshold), improves again,
        // and has a NaN epoch.
        var rng = new Random(5);
        var losses = new List<double>();
        double level = 1.0;
        for (int e = 0; e < 80; e++)
        {
            if (e % 17 < 6) level *= 0.9;
            losses.Add(e == 40 ? double.NaN : level * (1 + (rng.NextDouble() < 0.5 ? 5e-5 : 0)));
        }
        var torch = TorchPlateau(factor, patience, minLr, 1e-4, cooldown, 1e-8, losses);
        AssertRates(torch, Rates(new PlateauSchedule(factor, patience, minLr, cooldown: cooldown), losses.Count, e => losses[e]), $"plateau({factor}, {patience}, {minLr}, cooldown {cooldown})");
        Assert.Contains(torch, r => r < Base); // the curve does make it reduce
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Warmup_is_torch_LinearLR_chained_with_the_schedule(int warmup)
    {
        // ChainedScheduler(LinearLR(start_factor = 1/warmup, end_factor = 1, total_iters = warmup - 1), ExponentialLR(0.9)):
        // each step applies LinearLR's recursive factor, then ExponentialLR's, to the same rate.
        double start = 1.0 / warmup, end = 1.0;
        int totalIters = warmup - 1;
        var torch = new List<double>();
        double lr = Base * start; // LinearLR at last_epoch 0
        for (int epoch = 0; epoch < 30; epoch++)
        {
            if (epoch > 0)
            {
                if (epoch <= totalIters) lr *= 1 + (end - start) / (totalIters * start + (epoch - 1) * (end - start));
                lr *= 0.9;
            }
            torch.Add(lr);
        }
        AssertRates(torch, Rates(new WarmupSchedule(new ExponentialSchedule(0.9), warmup), 30), $"warmup({warmup}) + exponential(0.9)");
    }

    [Fact]
    public void Constant_keeps_the_base_rate_and_a_schedule_needs_a_reset()
    {
        Assert.All(Rates(new ConstantSchedule(), 10), r => Assert.Equal(Base, r));
        var fresh = new CosineSchedule(10);
        Assert.Contains("Reset", Assert.Throws<InvalidOperationException>(() => fresh.EndEpoch(1.0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PlateauSchedule(factor: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CyclicSchedule(0.1, 0.01, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule().Reset(double.NaN));
    }
}
