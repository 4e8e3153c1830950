using Backprop.Simd.Training;
using Xunit;

namespace Backprop.Simd.Tests.Training;

/// <summary>Each schedule against its closed form at chosen steps; tolerance 1e-15 relative (one or two roundings).</summary>
public class LearningRateScheduleTests
{
    private const double Precision = 1e-15;

    [Fact]
    public void ConstantIsConstant()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Constant(0.1);
        Assert.Equal(0.1, schedule.Rate(0));
        Assert.Equal(0.1, schedule.Rate(long.MaxValue));
    }

    [Fact]
    public void StepDecayMultipliesByGammaEveryStepSize()
    {
        LearningRateSchedule schedule = LearningRateSchedule.StepDecay(0.1, stepSize: 10, gamma: 0.5);
        Assert.Equal(0.1, schedule.Rate(0));
        Assert.Equal(0.1, schedule.Rate(9));
        Assert.Equal(0.05, schedule.Rate(10));
        Assert.Equal(0.05, schedule.Rate(19));
        Assert.Equal(0.0125, schedule.Rate(35));
    }

    [Fact]
    public void ExponentialIsRateTimesGammaToTheStep()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Exponential(0.2, 0.9);
        Assert.Equal(0.2, schedule.Rate(0));
        Assert.Equal(0.18, schedule.Rate(1), Precision);
        Assert.Equal(0.2 * Math.Pow(0.9, 17), schedule.Rate(17), Precision);
    }

    [Fact]
    public void CosineWithWarmupFollowsItsClosedForm()
    {
        LearningRateSchedule schedule = LearningRateSchedule.CosineWithWarmup(0.1, warmupSteps: 10, totalSteps: 110, minRate: 0.01);

        // Warm-up: linear from 0 at step 0 to the rate at warmupSteps.
        Assert.Equal(0, schedule.Rate(0));
        Assert.Equal(0.05, schedule.Rate(5), Precision);
        Assert.Equal(0.1, schedule.Rate(10), Precision);

        // Cosine: halfway through the decay, the mean of rate and minRate; a quarter through, cos(π/4).
        Assert.Equal(0.055, schedule.Rate(60), Precision);
        Assert.Equal(0.01 + (0.09 * 0.5 * (1 + Math.Cos(Math.PI / 4))), schedule.Rate(35), Precision);

        // At and after totalSteps: minRate.
        Assert.Equal(0.01, schedule.Rate(110), Precision);
        Assert.Equal(0.01, schedule.Rate(1_000_000));
    }

    [Fact]
    public void CosineWithoutWarmupStartsAtTheRate()
    {
        LearningRateSchedule schedule = LearningRateSchedule.CosineWithWarmup(1, warmupSteps: 0, totalSteps: 4);
        Assert.Equal(1, schedule.Rate(0));
        Assert.Equal(0.5, schedule.Rate(2), Precision);
        Assert.Equal(0, schedule.Rate(4));
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        AssertOutOfRange("step", () => LearningRateSchedule.Constant(1).Rate(-1));
        AssertOutOfRange("rate", () => LearningRateSchedule.Constant(-1));
        AssertOutOfRange("rate", () => LearningRateSchedule.Constant(double.NaN));
        AssertOutOfRange("stepSize", () => LearningRateSchedule.StepDecay(1, 0, 0.5));
        AssertOutOfRange("gamma", () => LearningRateSchedule.StepDecay(1, 5, 0));
        AssertOutOfRange("gamma", () => LearningRateSchedule.Exponential(1, double.PositiveInfinity));
        AssertOutOfRange("warmupSteps", () => LearningRateSchedule.CosineWithWarmup(1, -1, 10));
        AssertOutOfRange("totalSteps", () => LearningRateSchedule.CosineWithWarmup(1, 10, 10));
        AssertOutOfRange("minRate", () => LearningRateSchedule.CosineWithWarmup(1, 0, 10, minRate: 2));
        AssertOutOfRange("minRate", () => LearningRateSchedule.CosineWithWarmup(1, 0, 10, minRate: -0.5));
    }

    private static void AssertOutOfRange(string paramName, Action action)
        => Assert.Equal(paramName, Assert.Throws<ArgumentOutOfRangeException>(action).ParamName);
}
