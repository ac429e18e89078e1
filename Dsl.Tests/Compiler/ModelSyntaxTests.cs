using System.Linq;
using OptDsl.Compiler.Syntax;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>A model block's members become syntax records with their expressions and options (the binder of models builds on them).</summary>
public sealed class ModelSyntaxTests
{
    private const string Model = """
        model LogisticRegression {
            dim d;
            input x[d];
            target y;
            var w[d] = 0;
            var b = 0;
            param lambda = 1e-3;
            let z = dot(w, x) + b;
            predict sigmoid(z);
            loss bce_logits(z, y) + lambda * l2(w);
            optimizer adam(lr: 0.05) {
                batch: 32; epochs: 100; shuffle: true; seed: 7;
                schedule: cosine(t_max: 100);
                early_stop: (patience: 5, min_delta: 1e-4, restore_best: true);
            }
        }
        """;

    [Fact]
    public void Predict_loss_and_optimizer_keep_their_expressions_options_and_settings()
    {
        var (file, diagnostics) = OptSyntax.Parse("m.opt", Model);
        Assert.Empty(diagnostics);
        var model = Assert.IsType<ModelSyntax>(Assert.Single(file!.Blocks));
        var members = model.Members;

        var predict = Assert.Single(members.OfType<PredictSyntax>());
        Assert.Equal("sigmoid", Assert.IsType<CallSyntax>(predict.Value).Name);
        Assert.Equal("predict sigmoid(z);", Model.Substring(predict.Span.Start, predict.Span.Length));

        var loss = Assert.Single(members.OfType<LossSyntax>());
        Assert.Equal('+', Assert.IsType<BinarySyntax>(loss.Value).Op);

        var optimizer = Assert.Single(members.OfType<OptimizerSyntax>());
        Assert.Equal("adam", optimizer.Name);
        Assert.Equal("adam", Model.Substring(optimizer.NameSpan.Start, optimizer.NameSpan.Length));
        Assert.Equal(["lr"], optimizer.Options.Select(o => o.Name));
        Assert.Equal(["batch", "epochs", "shuffle", "seed", "schedule", "early_stop"], optimizer.Settings.Select(o => o.Name));
        var schedule = Assert.IsType<CallOptionValue>(optimizer.Settings.Single(o => o.Name == "schedule").Value);
        Assert.Equal("cosine", schedule.Name);
        Assert.Equal(["t_max"], schedule.Options.Select(o => o.Name));
        var early = Assert.IsType<TupleOptionValue>(optimizer.Settings.Single(o => o.Name == "early_stop").Value);
        Assert.Equal(["patience", "min_delta", "restore_best"], early.Options.Select(o => o.Name));
        Assert.All(new ModelMemberSyntax[] { predict, loss, optimizer }, m => Assert.Contains(m.Keyword, new[] { "predict", "loss", "optimizer" }));
    }

    [Fact]
    public void An_optimizer_without_a_block_has_no_settings()
    {
        var (file, diagnostics) = OptSyntax.Parse("m.opt", "model M { var w; loss w^2; optimizer sgd; }");
        Assert.Empty(diagnostics);
        var optimizer = Assert.Single(((ModelSyntax)file!.Blocks[0]).Members.OfType<OptimizerSyntax>());
        Assert.Equal(("sgd", 0, 0), (optimizer.Name, optimizer.Options.Count, optimizer.Settings.Count));
    }
}
