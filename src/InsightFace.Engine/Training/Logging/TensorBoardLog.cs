using TorchSharp;

namespace InsightFace.Engine.Training.Logging;

/// <summary>
/// TensorBoard event files (tfevents: TFRecord framing with masked CRC32C around Event protos), written by
/// TorchSharp's SummaryWriter, with arcface_torch's tags: loss, learning_rate, time_for_end, and one per target.
/// </summary>
internal sealed class TensorBoardLog
{
    private readonly TorchSharp.Modules.SummaryWriter _writer;

    public TensorBoardLog(string folder) => _writer = torch.utils.tensorboard.SummaryWriter(folder, createRunName: false);

    public void Scalar(string tag, double value, long step) => _writer.add_scalar(tag, (float)value, checked((int)step));
}
