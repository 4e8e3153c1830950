using Backprop.Simd.Training;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Backprop.Simd.Cli;

/// <summary>The learning curves of a run, loss (left axis) and accuracy (right axis) per epoch, as an SVG file.</summary>
public static class LearningCurvePlot
{
    /// <summary>Writes the curves of <paramref name="report"/> to <paramref name="path"/>.</summary>
    public static void Write(TrainingReport report, string path, string title)
    {
        ArgumentNullException.ThrowIfNull(report);
        var model = new PlotModel
        {
            Title = "Learning curves",
            Subtitle = title,
            TitleFontSize = 16,
            SubtitleFontSize = 12,
            Padding = new OxyThickness(12, 28, 12, 8),
            Background = OxyColors.White,
        };
        model.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.BottomCenter,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendItemSpacing = 24,
        });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "epoch", Minimum = 1, MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "loss", Key = "loss", Minimum = 0, MajorGridlineStyle = LineStyle.Dot, AxisTitleDistance = 10 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Right, Title = "accuracy", Key = "accuracy", Maximum = 1, AxisTitleDistance = 10 });

        bool validation = report.Epochs.Any(m => !double.IsNaN(m.ValidationLoss));
        model.Series.Add(Curve("train loss", "loss", OxyColors.SteelBlue, LineStyle.Solid, report, m => m.TrainLoss));
        model.Series.Add(Curve("train acc", "accuracy", OxyColors.SteelBlue, LineStyle.Dash, report, m => m.TrainAccuracy));
        if (validation)
        {
            model.Series.Add(Curve("val loss", "loss", OxyColors.OrangeRed, LineStyle.Solid, report, m => m.ValidationLoss));
            model.Series.Add(Curve("val acc", "accuracy", OxyColors.OrangeRed, LineStyle.Dash, report, m => m.ValidationAccuracy));
        }

        using FileStream file = File.Create(path);
        new SvgExporter { Width = 900, Height = 540 }.Export(model, file);
    }

    private static LineSeries Curve(string title, string axis, OxyColor color, LineStyle style, TrainingReport report, Func<EpochMetrics, double> value)
    {
        var series = new LineSeries { Title = title, YAxisKey = axis, Color = color, LineStyle = style, MarkerType = MarkerType.Circle, MarkerSize = 2.5 };
        foreach (EpochMetrics metrics in report.Epochs)
        {
            series.Points.Add(new DataPoint(metrics.Epoch, value(metrics)));
        }

        return series;
    }
}
