namespace InsightFace.Engine.Data.OFRecord;

/// <summary>How <see cref="OFRecordWriter"/> lays out its parts.</summary>
public sealed record OFRecordWriteOptions
{
    /// <summary>The number of part files; records are spread evenly over them (sizes differ by at most one).</summary>
    public int Parts { get; init; } = 16;

    /// <summary>The zero-padded digits of the part number: 5 gives <c>part-00000</c>, as OneFlow's face loaders expect.</summary>
    public int SuffixLength { get; init; } = 5;

    /// <summary>Shuffle the records before splitting them into parts (OneFlow reads parts in order).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The shuffle seed: the same seed and source give byte-identical output.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// The parts written at once, each on a thread of its own (at most one per part); 0, the default, takes one per
    /// processor, at most 8. The output is the same for any number.
    /// </summary>
    public int Workers { get; init; }

    /// <summary>Replace an existing OFRecord output (<c>_SUCCESS</c> or <c>part-*</c>) in the folder.</summary>
    public bool Force { get; init; }
}
