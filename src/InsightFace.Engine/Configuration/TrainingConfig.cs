namespace InsightFace.Engine.Configuration;

/// <summary>A validated training configuration with arcface_torch's keys, and the values derived from them once.</summary>
public sealed class TrainingConfig
{
    internal TrainingConfig(IReadOnlyDictionary<string, ConfigValue> values, int worldSize)
    {
        T Get<T>(string key) => (T)values[key].Value!;
        Network = Get<string>("network");
        EmbeddingSize = (int)Get<long>("embedding_size");
        Dropout = Get<double>("dropout");
        MarginList = Get<double[]>("margin_list");
        StraightThroughGradient = Get<string>("margin_gradient") == "straight_through";
        Scale = Get<double>("scale");
        SampleRate = Get<double>("sample_rate");
        DenseCentreUpdate = Get<string>("pfc_update") == "dense";
        InterclassFilteringThreshold = Get<double>("interclass_filtering_threshold");
        Fp16 = Get<bool>("fp16");
        Optimizer = Get<string>("optimizer");
        Lr = Get<double>("lr");
        LrPower = Get<double>("lr_power");
        Momentum = Get<double>("momentum");
        WeightDecay = Get<double>("weight_decay");
        BatchSize = (int)Get<long>("batch_size");
        GradientAcc = (int)Get<long>("gradient_acc");
        NumEpoch = (int)Get<long>("num_epoch");
        WarmupEpoch = (int)Get<long>("warmup_epoch");
        NumClasses = (int)Get<long>("num_classes");
        NumImage = Get<long>("num_image");
        Rec = Get<string>("rec");
        ValTargets = Get<string[]>("val_targets");
        Frequent = (int)Get<long>("frequent");
        Verbose = (int)Get<long>("verbose");
        Seed = Get<long>("seed");
        NumWorkers = (int)Get<long>("num_workers");
        Output = Get<string>("output");
        Resume = Get<bool>("resume");
        SaveAllStates = Get<bool>("save_all_states");
        KeepCheckpoints = (int)Get<long>("keep_checkpoints");
        SkipNonFiniteLoss = Get<string>("nan_policy") == "skip";
        Device = Get<string>("device");
        MemoryFormat = Get<string>("memory_format");

        WorldSize = worldSize;
        TotalBatchSize = (long)BatchSize * worldSize;
        StepsPerEpoch = NumImage / TotalBatchSize;
        TotalSteps = StepsPerEpoch * NumEpoch;
        WarmupSteps = StepsPerEpoch * WarmupEpoch;
        EffectiveLr = Get<bool>("scale_lr") ? Lr * TotalBatchSize / 512.0 : Lr;
    }

    /// <summary>Backbone name (r18 … r200, mbf, mbf_large).</summary>
    public string Network { get; }
    /// <summary>Embedding dimension.</summary>
    public int EmbeddingSize { get; }
    /// <summary>Dropout before the embedding layer.</summary>
    public double Dropout { get; }
    /// <summary>Combined margin (m1, m2, m3).</summary>
    public double[] MarginList { get; }
    /// <summary>Use arcface_torch's straight-through ArcFace gradient instead of the true one.</summary>
    public bool StraightThroughGradient { get; }
    /// <summary>Logit scale s.</summary>
    public double Scale { get; }
    /// <summary>Partial FC sampling rate.</summary>
    public double SampleRate { get; }
    /// <summary>
    /// pfc_update: dense. SGD then updates every class centre every step, as arcface_torch's PartialFC_V2 does;
    /// otherwise only the sampled ones (Partial FC v1). AdamW always updates densely.
    /// </summary>
    public bool DenseCentreUpdate { get; }
    /// <summary>Inter-class filtering threshold (0 disables it).</summary>
    public double InterclassFilteringThreshold { get; }
    /// <summary>Mixed precision requested.</summary>
    public bool Fp16 { get; }
    /// <summary>sgd or adamw.</summary>
    public string Optimizer { get; }
    /// <summary>Base learning rate.</summary>
    public double Lr { get; }
    /// <summary>Power of the polynomial decay.</summary>
    public double LrPower { get; }
    /// <summary>SGD momentum.</summary>
    public double Momentum { get; }
    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; }
    /// <summary>Batch size per process.</summary>
    public int BatchSize { get; }
    /// <summary>Gradient accumulation steps.</summary>
    public int GradientAcc { get; }
    /// <summary>Epochs.</summary>
    public int NumEpoch { get; }
    /// <summary>Warm-up epochs.</summary>
    public int WarmupEpoch { get; }
    /// <summary>Number of identities.</summary>
    public int NumClasses { get; }
    /// <summary>Number of training images.</summary>
    public long NumImage { get; }
    /// <summary>Dataset location or "synthetic".</summary>
    public string Rec { get; }
    /// <summary>Verification set names.</summary>
    public string[] ValTargets { get; }
    /// <summary>Log every N steps.</summary>
    public int Frequent { get; }
    /// <summary>Verify every N steps.</summary>
    public int Verbose { get; }
    /// <summary>Random seed.</summary>
    public long Seed { get; }
    /// <summary>Decode threads.</summary>
    public int NumWorkers { get; }
    /// <summary>Run folder.</summary>
    public string Output { get; }
    /// <summary>Continue from the last checkpoint.</summary>
    public bool Resume { get; }
    /// <summary>Save full training state with each checkpoint.</summary>
    public bool SaveAllStates { get; }
    /// <summary>Checkpoints to keep.</summary>
    public int KeepCheckpoints { get; }
    /// <summary>Skip a batch whose loss is NaN or infinite instead of stopping.</summary>
    public bool SkipNonFiniteLoss { get; }
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; }
    /// <summary>The backbone's memory layout: channels_last or contiguous (see <see cref="Backbones.MemoryFormat"/>).</summary>
    public string MemoryFormat { get; }

    /// <summary>Number of processes.</summary>
    public int WorldSize { get; }
    /// <summary>batch_size × world size.</summary>
    public long TotalBatchSize { get; }
    /// <summary>num_image div total batch size (drop-last).</summary>
    public long StepsPerEpoch { get; }
    /// <summary>StepsPerEpoch × num_epoch.</summary>
    public long TotalSteps { get; }
    /// <summary>StepsPerEpoch × warmup_epoch.</summary>
    public long WarmupSteps { get; }
    /// <summary>The peak rate the schedule uses: lr, or lr × total_batch_size / 512 with scale_lr.</summary>
    public double EffectiveLr { get; }
}
