using InsightFace.Engine.Tests.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Optim;

/// <summary>
/// Our SGD and AdamW compute what TorchSharp's do (the implementations they replace, and what checkpoints written
/// before them hold), step for step, and read and write the same state files.
/// </summary>
public class HeldScalarOptimizerTests
{
    private static (Parameter[] Parameters, Tensor[][] Gradients) Problem(int steps)
    {
        var generator = new Generator(7);
        var parameters = new[] { new Parameter(randn(5, 3, generator: generator)), new Parameter(randn(4, generator: generator)) };
        var gradients = Enumerable.Range(0, steps)
            .Select(_ => parameters.Select(p => randn(p.shape, generator: generator)).ToArray()).ToArray();
        return (parameters, gradients);
    }

    private static Parameter[] Copy(Parameter[] parameters) =>
        parameters.Select(p => new Parameter(p.detach().clone())).ToArray();

    private static void Step(OptimizerHelper optimizer, Parameter[] parameters, Tensor[] gradients, double lr)
    {
        for (var i = 0; i < parameters.Length; i++) parameters[i].grad = gradients[i].clone();
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        optimizer.step();
    }

    // reserved: the momentum buffers made (as zeros) before the first step, as the Trainer makes them; they must change
    // no number, and reserving again later must keep the buffers the steps made.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sgd_with_momentum_and_weight_decay_steps_as_torchsharps(bool reserved)
    {
        var (ours, gradients) = Problem(steps: 4);
        var theirs = Copy(ours);
        using var sgd = new Engine.Optim.SGD([new SGD.ParamGroup(ours, 0.1, 0.9, weight_decay: 5e-4)], 0.1, 0.9, 5e-4);
        using var reference = optim.SGD(theirs, 0.1, 0.9, weight_decay: 5e-4);
        if (reserved)
        {
            sgd.ReserveState();
            Assert.All(sgd.StateTensors(), buffer => Assert.Equal(0, buffer.abs().sum().item<float>()));
        }
        for (var step = 0; step < gradients.Length; step++)
        {
            Step(sgd, ours, gradients[step], 0.1 / (step + 1));
            Step(reference, theirs, gradients[step], 0.1 / (step + 1));
            if (!reserved || step != 0) continue;
            var buffers = sgd.StateTensors().Select(b => b.clone()).ToArray();
            sgd.ReserveState();
            Assert.All(sgd.StateTensors().Zip(buffers), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
        }
        for (var i = 0; i < ours.Length; i++) Assert.True(ours[i].allclose(theirs[i], rtol: 0, atol: 0), $"parameter {i}");
    }

    [Fact]
    public void Reserved_gradients_are_zeros_in_the_parameters_layout_only_where_a_gradient_is_wanted_and_missing()
    {
        var convolution = new Parameter(Engine.Backbones.MemoryFormat.To(randn(4, 3, 2, 2), Engine.Backbones.MemoryFormat.ChannelsLast));
        var frozen = new Parameter(randn(3), requires_grad: false);
        var stepped = new Parameter(randn(2)) { grad = ones(2) };
        Engine.Optim.Gradients.Reserve([convolution, frozen, stepped]);
        Assert.Equal(0, convolution.grad!.abs().sum().item<float>());
        Assert.True(Engine.Backbones.MemoryFormat.Is(convolution.grad, Engine.Backbones.MemoryFormat.ChannelsLast));
        Assert.Null(frozen.grad);
        Assert.Equal([1f, 1f], stepped.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Sgd_matches_the_update_rule_computed_by_hand()
    {
        // d = g + wd·w; v = μ·v + d (v = d at the first step); w = w − lr·v, in float64.
        var parameter = new Parameter(tensor(new[] { 1.0, -2.0 }, float64));
        using var sgd = new Engine.Optim.SGD([new SGD.ParamGroup([parameter], 0.5, 0.9, weight_decay: 0.1)], 0.5, 0.9, 0.1);
        double[] w = [1.0, -2.0], v = [0, 0];
        double[][] g = [[0.3, 0.4], [-1.0, 2.0]];
        for (var step = 0; step < 2; step++)
        {
            Step(sgd, [parameter], [tensor(g[step], float64)], 0.5);
            for (var i = 0; i < 2; i++)
            {
                var d = g[step][i] + 0.1 * w[i];
                v[i] = step == 0 ? d : 0.9 * v[i] + d;
                w[i] -= 0.5 * v[i];
            }
        }
        Assert.Equal(w, parameter.data<double>().ToArray());
    }

    [Fact]
    public void AdamW_steps_as_torchsharps()
    {
        var (ours, gradients) = Problem(steps: 4);
        var theirs = Copy(ours);
        using var adamw = new Engine.Optim.AdamW([new AdamW.ParamGroup(ours, 1e-3, weight_decay: 0.1)], 1e-3, 0.1);
        using var reference = optim.AdamW(theirs, 1e-3, weight_decay: 0.1);
        for (var step = 0; step < gradients.Length; step++)
        {
            Step(adamw, ours, gradients[step], 1e-3);
            Step(reference, theirs, gradients[step], 1e-3);
        }
        for (var i = 0; i < ours.Length; i++)
            Assert.True(ours[i].allclose(theirs[i], rtol: 1e-6, atol: 1e-7), $"parameter {i}");
    }

    [Fact]
    public void State_files_written_by_torchsharps_sgd_resume_ours_and_ours_resume_torchsharps()
    {
        using var temp = new TempFolder();
        var (start, gradients) = Problem(steps: 3);
        var theirs = Copy(start);
        var ours = Copy(start);
        using var reference = optim.SGD(theirs, 0.1, 0.9);
        using var sgd = new Engine.Optim.SGD([new SGD.ParamGroup(ours, 0.1, 0.9)], 0.1, 0.9, 0);
        Step(reference, theirs, gradients[0], 0.1);
        Step(reference, theirs, gradients[1], 0.1);
        for (var i = 0; i < ours.Length; i++) ours[i].detach().copy_(theirs[i]);

        var path = Path.Combine(temp.Path, "optimizer.pt");
        reference.save_state_dict(path);
        sgd.load_state_dict(path);
        Step(reference, theirs, gradients[2], 0.1);
        Step(sgd, ours, gradients[2], 0.1);
        for (var i = 0; i < ours.Length; i++) Assert.True(ours[i].allclose(theirs[i], rtol: 0, atol: 0), $"parameter {i}");

        sgd.save_state_dict(path);
        using var again = optim.SGD(Copy(start), 0.1, 0.9);
        again.load_state_dict(path);
        Assert.True(sgd.state_dict().State.Zip(again.state_dict().State).All(p => p.First.ApproximatelyEquals(p.Second)));
    }
}
