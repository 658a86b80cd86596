using System.Collections;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Configuration;

public sealed class ConfigResolverTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Examples(string name) => Path.Combine(Fixtures.RepoRoot, "examples", "configs", name);

    private string Write(string yaml, string name = "job.yaml", string? folder = null)
    {
        folder ??= Directory.CreateDirectory(_temp[Guid.NewGuid().ToString("N")]).FullName;
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Published_ms1mv3_r50_derives_arcface_torch_step_counts()
    {
        // anchors-insightface.md §2.2: MS1MV3 on 8×128 is 5,058 steps per epoch and 101,160 in total; on 1×128
        // it is 40,464 and 809,280 (5,179,510 div 1024 and div 128).
        var eight = ConfigResolver.Resolve(Examples("ms1mv3_r50.yaml"), worldSize: 8).Config;
        Assert.Equal(5058, eight.StepsPerEpoch);
        Assert.Equal(101_160, eight.TotalSteps);
        Assert.Equal(1024, eight.TotalBatchSize);
        Assert.Equal(0.1, eight.EffectiveLr);
        var v1 = ConfigResolver.Resolve(Examples("ms1mv3_r50.yaml"), set: new Hashtable { ["scale_lr"] = true }, worldSize: 8).Config;
        Assert.Equal(0.2, v1.EffectiveLr, 12); // arcface_torch v1: 0.1 / 512 × 8 × 128

        var one = ConfigResolver.Resolve(Examples("ms1mv3_r50.yaml")).Config;
        Assert.Equal(40_464, one.StepsPerEpoch);
        Assert.Equal(809_280, one.TotalSteps);
        Assert.Equal(0, one.WarmupSteps);
    }

    [Theory]
    [InlineData("ms1mv2_r50.yaml", "r50", 85742, 5822653L, 20, 5e-4, 0.0, 1.0)]
    [InlineData("ms1mv3_r50.yaml", "r50", 93431, 5179510L, 20, 5e-4, 0.0, 1.0)]
    [InlineData("ms1mv3_r100.yaml", "r100", 93431, 5179510L, 20, 5e-4, 0.0, 1.0)]
    [InlineData("ms1mv3_mbf.yaml", "mbf", 93431, 5179510L, 40, 1e-4, 0.0, 1.0)]
    [InlineData("glint360k_r100.yaml", "r100", 360232, 17091657L, 20, 1e-4, 0.4, 1.0)]
    [InlineData("wf42m_pfc02_r100.yaml", "r100", 2059906, 42474557L, 20, 5e-4, 0.4, 0.2)]
    public void Example_configs_match_the_published_ones(string file, string network, int classes, long images, int epochs,
        double weightDecay, double m3, double sampleRate)
    {
        var config = ConfigResolver.Resolve(Examples(file)).Config;
        Assert.Equal(network, config.Network);
        Assert.Equal(classes, config.NumClasses);
        Assert.Equal(images, config.NumImage);
        Assert.Equal(epochs, config.NumEpoch);
        Assert.Equal(weightDecay, config.WeightDecay);
        Assert.Equal(m3, config.MarginList[2]);
        Assert.Equal(sampleRate, config.SampleRate);
        Assert.Equal(0.1, config.Lr);
        Assert.Equal(128, config.BatchSize);
        Assert.Equal(512, config.EmbeddingSize);
        Assert.Equal(new[] { "lfw", "cfp_fp", "agedb_30" }, config.ValTargets);
    }

    [Fact]
    public void Precedence_is_parameter_then_set_then_dataset_then_file_then_base_then_default()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        Write("lr: 0.5\nweight_decay: 0.01\nbatch_size: 64\nnum_workers: 7\n", "parent.yaml", folder);
        var job = Write("base: parent.yaml\nweight_decay: 0.02\nbatch_size: 32\nnum_classes: 10\nnum_image: 999\nrec: a\n", "job.yaml", folder);

        var resolved = ConfigResolver.Resolve(job,
            dataset: new Dictionary<string, object?> { ["rec"] = "from-dataset", ["num_image"] = 640L },
            set: new Hashtable { ["batch_size"] = 16, ["lr"] = 0.25 },
            parameters: new Dictionary<string, object?> { ["lr"] = 0.125 });

        var c = resolved.Config;
        Assert.Equal(0.125, c.Lr);                 // parameter beats -Set, file and base
        Assert.Equal(16, c.BatchSize);             // -Set beats file
        Assert.Equal("from-dataset", c.Rec);       // dataset beats file
        Assert.Equal(640, c.NumImage);
        Assert.Equal(0.02, c.WeightDecay);         // file beats base
        Assert.Equal(7, c.NumWorkers);             // base beats default
        Assert.Equal(2048, c.Seed);                // default
        Assert.Equal("parameter", resolved.Values["lr"].Origin);
        Assert.Equal("-Set", resolved.Values["batch_size"].Origin);
        Assert.Equal($"{Path.Combine(folder, "job.yaml")}:2", resolved.Values["weight_decay"].Origin);
        Assert.Equal(Path.Combine("work_dirs", "job"), c.Output);
        Assert.Equal(40, c.StepsPerEpoch);         // 640 div 16
    }

    [Fact]
    public void Unknown_keys_fail_with_did_you_mean_and_where()
    {
        var job = Write("num_classes: 10\nnum_image: 100\nrec: x\nembeding_size: 256\n");
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.Equal("ConfigKeyUnknown", e.ErrorId);
        Assert.Equal("embeding_size", e.Key);
        Assert.Contains("Did you mean 'embedding_size'?", e.Message);
        Assert.Contains($"{job}:4", e.Message);

        var fromSet = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job.Replace("job", "none"), set: new Hashtable { ["learning_rate"] = 1 }));
        Assert.Equal("ConfigFileNotFound", fromSet.ErrorId);

        var set = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(null, set: new Hashtable { ["warmup_epochs"] = 1 }));
        Assert.Contains("-Set: unknown key 'warmup_epochs'. Did you mean 'warmup_epoch'?", set.Message);
    }

    [Theory]
    [InlineData("embeding_size", " Did you mean 'embedding_size'?")]
    [InlineData("warmup_epochs", " Did you mean 'warmup_epoch'?")]
    [InlineData("BatchSize", " Did you mean 'batch_size'?")]
    [InlineData("epochs", " Did you mean 'num_epoch' or 'warmup_epoch'?")]
    [InlineData("classes", " Did you mean 'num_classes'?")]
    [InlineData("learning_rate", " Did you mean 'lr'?")]
    [InlineData("wd", "")]
    [InlineData("gpu", "")]
    public void Set_and_yaml_suggest_the_same_keys_for_an_unknown_one(string key, string hint)
    {
        var job = Write($"num_classes: 10\nnum_image: 100\nrec: x\n{key}: 1\n");
        var fromYaml = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.Equal($"{job}:4: unknown key '{key}'.{hint}", fromYaml.Message);

        var fromSet = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(null, set: new Hashtable { [key] = 1 }));
        Assert.Equal(ErrorIds.ConfigKeyUnknown, fromSet.ErrorId);
        Assert.Equal(key, fromSet.Key);
        Assert.Equal($"-Set: unknown key '{key}'.{hint}", fromSet.Message);
    }

    [Theory]
    [InlineData("batch_size: many\n", "batch_size", "is not an integer")]
    [InlineData("lr: fast\n", "lr", "is not a number")]
    [InlineData("fp16: maybe\n", "fp16", "is not true or false")]
    [InlineData("lr: -0.1\n", "lr", "greater than 0")]
    [InlineData("sample_rate: 1.5\n", "sample_rate", "[0, 1]")]
    [InlineData("interclass_filtering_threshold: 1.5\n", "interclass_filtering_threshold", "[0, 1]")]
    [InlineData("network: r42\n", "network", "one of r18, r34, r50, r100, r200, mbf, mbf_large")]
    [InlineData("margin_list: [1.0, 0.5]\n", "margin_list", "three numbers")]
    [InlineData("optimizer: rmsprop\n", "optimizer", "sgd, adamw")]
    [InlineData("dali: true\n", "dali", "DALI")]
    [InlineData("memory_format: nhwc\n", "memory_format", "one of channels_last, contiguous")]
    public void Wrong_types_and_impossible_values_fail_naming_key_and_line(string line, string key, string expected)
    {
        var job = Write("num_classes: 10\nnum_image: 1000\nrec: x\n" + line);
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.Equal("ConfigValueInvalid", e.ErrorId);
        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Message);
        Assert.Contains($"{job}:4", e.Message);
    }

    [Fact]
    public void Missing_dataset_values_and_empty_epochs_fail_before_any_work()
    {
        var missing = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(null));
        Assert.Equal("ConfigValueMissing", missing.ErrorId);
        Assert.Equal("num_classes", missing.Key);

        var tooSmall = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(null,
            set: new Hashtable { ["num_classes"] = 2, ["num_image"] = 100, ["rec"] = "x", ["batch_size"] = 64 }, worldSize: 2));
        Assert.Contains("smaller than one global batch (128", tooSmall.Message);

        var warmup = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(null,
            set: new Hashtable { ["num_classes"] = 2, ["num_image"] = 1000, ["rec"] = "x", ["num_epoch"] = 2, ["warmup_epoch"] = 3 }));
        Assert.Equal("warmup_epoch", warmup.Key);
    }

    [Fact]
    public void A_base_chain_that_loops_is_an_error()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        Write("base: b.yaml\n", "a.yaml", folder);
        Write("base: a.yaml\n", "b.yaml", folder);
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(Path.Combine(folder, "a.yaml")));
        Assert.Equal("ConfigBaseCycle", e.ErrorId);
    }

    [Fact]
    public void Python_tuple_margins_and_powershell_arrays_are_accepted()
    {
        var job = Write("num_classes: 10\nnum_image: 1000\nrec: x\nmargin_list: (1.0, 0.0, 0.4)\n");
        Assert.Equal(new[] { 1.0, 0.0, 0.4 }, ConfigResolver.Resolve(job).Config.MarginList);

        var fromSet = ConfigResolver.Resolve(job, set: new Hashtable { ["margin_list"] = new object[] { 1, 0.3, 0.2 }, ["val_targets"] = new object[] { "lfw" } });
        Assert.Equal(new[] { 1.0, 0.3, 0.2 }, fromSet.Config.MarginList);
        Assert.Equal(new[] { "lfw" }, fromSet.Config.ValTargets);
    }

    [Fact]
    public void The_resolved_yaml_loads_back_to_the_same_config()
    {
        var first = ConfigResolver.Resolve(Examples("glint360k_r100.yaml"), set: new Hashtable { ["output"] = "it's here" }, worldSize: 8);
        var again = ConfigResolver.Resolve(Write(first.Yaml), worldSize: 8);
        Assert.Equal(first.Yaml, again.Yaml);
        Assert.Equal(first.Hash, again.Hash);
        Assert.Equal("it's here", again.Config.Output);
        Assert.Contains(first.LogLines(), l => l.StartsWith(": total_step") && l.EndsWith("333820")); // anchors §2.2: Glint360K on 8×128
    }
}
