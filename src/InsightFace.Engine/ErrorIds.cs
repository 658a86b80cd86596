using System.Reflection;

namespace InsightFace.Engine;

/// <summary>
/// Every stable error id of the module, the engine's and the cmdlets', with the kind of failure each stands for. An
/// id is the first part of an ErrorRecord's <c>FullyQualifiedErrorId</c>; scripts match on it, so an id never changes
/// once released. Adding one is one line here (its <see cref="ErrorKindAttribute"/> and name) and its entry in
/// about_InsightFace, which a test checks.
/// </summary>
public static class ErrorIds
{
    // Configuration (Start-FaceTraining's -Config, its base: chain and -Set)

    /// <summary>A config key that the schema does not know; the message suggests the nearest ones.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ConfigKeyUnknown = nameof(ConfigKeyUnknown);
    /// <summary>A config value of the wrong type or outside its range.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ConfigValueInvalid = nameof(ConfigValueInvalid);
    /// <summary>A required config value (num_classes, num_image, rec) is set nowhere.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ConfigValueMissing = nameof(ConfigValueMissing);
    /// <summary>A config file, or a file its base: names, does not exist.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string ConfigFileNotFound = nameof(ConfigFileNotFound);
    /// <summary>A config file is not valid YAML, or not one mapping of keys to values; the message names file:line:column.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ConfigFileInvalid = nameof(ConfigFileInvalid);
    /// <summary>A config's base: chain comes back to a file it already read.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ConfigBaseCycle = nameof(ConfigBaseCycle);

    // Training

    /// <summary>The run folder holds a run; -Resume continues it, -Force replaces it.</summary>
    [ErrorKind(ErrorKind.ResourceExists)] public const string RunExists = nameof(RunExists);
    /// <summary>Another training (its process id in the message) holds the run folder's lock.</summary>
    [ErrorKind(ErrorKind.ResourceUnavailable)] public const string RunFolderLocked = nameof(RunFolderLocked);
    /// <summary>-Resume found no resumable checkpoint in the run folder.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string ResumeNotFound = nameof(ResumeNotFound);
    /// <summary>The checkpoint to resume from was trained with another network, embedding size or class count, or is unreadable.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string ResumeIncompatible = nameof(ResumeIncompatible);
    /// <summary>The dataset and the config disagree (for example more identities than num_classes).</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string DatasetIncompatible = nameof(DatasetIncompatible);
    /// <summary>The loss became NaN or infinite (nan_policy: stop); the last good checkpoint is kept.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string LossNotFinite = nameof(LossNotFinite);
    /// <summary>A run folder or checkpoint has no metrics.jsonl to plot.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string MetricsNotFound = nameof(MetricsNotFound);
    /// <summary>metrics.jsonl holds no training line to plot.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string MetricsEmpty = nameof(MetricsEmpty);
    /// <summary>The training-curve plot exists and -Force was not given.</summary>
    [ErrorKind(ErrorKind.ResourceExists)] public const string PlotExists = nameof(PlotExists);
    /// <summary>The ranks of a multi-process job were started with different configs, datasets or module versions.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string RanksDisagree = nameof(RanksDisagree);
    /// <summary>Another rank of a multi-process job failed, so this one stopped too (the failing rank reports why).</summary>
    [ErrorKind(ErrorKind.OperationStopped)] public const string RankFailed = nameof(RankFailed);

    // Multi-process jobs (the collectives between ranks)

    /// <summary>A launcher variable (OMPI_COMM_WORLD_*, PMI_*, SLURM_*, RANK, WORLD_SIZE, LOCAL_RANK) is not a whole number in range.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string LaunchVariableInvalid = nameof(LaunchVariableInvalid);
    /// <summary>A job of several processes, but no MPI library loads or no mpiexec is found; the message names the Debian packages.</summary>
    [ErrorKind(ErrorKind.ResourceUnavailable)] public const string MpiNotInstalled = nameof(MpiNotInstalled);
    /// <summary>MPI's world has another size than the launcher announced (the other MPI's mpiexec, or none).</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string MpiWorldMismatch = nameof(MpiWorldMismatch);
    /// <summary>An MPI call returned an error; the message names the call and holds MPI's own text.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string MpiCallFailed = nameof(MpiCallFailed);
    /// <summary>-Processes differs from the number of processes of the MPI or SLURM job it runs in.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ProcessesMismatch = nameof(ProcessesMismatch);
    /// <summary>A worker process failed without an error of its own, or ended (killed, crashed) without saying why; the message names the rank.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string WorkerFailed = nameof(WorkerFailed);

    // Checkpoints

    /// <summary>A path holds no checkpoint (no checkpoint.json).</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string CheckpointNotFound = nameof(CheckpointNotFound);
    /// <summary>A checkpoint.json or model.pt that cannot be read.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string CheckpointInvalid = nameof(CheckpointInvalid);
    /// <summary>A checkpoint whose network or weights do not fit what it is used for.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string CheckpointIncompatible = nameof(CheckpointIncompatible);
    /// <summary>The checkpoint folder to write exists and -Force was not given.</summary>
    [ErrorKind(ErrorKind.ResourceExists)] public const string CheckpointExists = nameof(CheckpointExists);

    // Datasets

    /// <summary>The path does not exist, or holds no dataset of the requested format.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string DatasetNotFound = nameof(DatasetNotFound);
    /// <summary>The property file is not num_classes,height,width.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string DatasetPropertyInvalid = nameof(DatasetPropertyInvalid);
    /// <summary>A record's label is negative or not below the dataset's class count.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string DatasetLabelOutOfRange = nameof(DatasetLabelOutOfRange);
    /// <summary>A record's bytes are not an image that decodes; writers skip it.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string DatasetImageUndecodable = nameof(DatasetImageUndecodable);
    /// <summary>A landmarks file line is not a path followed by 10 numbers.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string DatasetLandmarksInvalid = nameof(DatasetLandmarksInvalid);
    /// <summary>An image is not a 112x112 aligned crop and has no landmarks to align it with; writers skip it.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string DatasetImageNotAligned = nameof(DatasetImageNotAligned);
    /// <summary>The output dataset exists and -Force was not given.</summary>
    [ErrorKind(ErrorKind.ResourceExists)] public const string DatasetOutputExists = nameof(DatasetOutputExists);
    /// <summary>Writing a dataset failed (disk full, permissions); nothing complete-looking was left.</summary>
    [ErrorKind(ErrorKind.WriteError)] public const string DatasetWriteFailed = nameof(DatasetWriteFailed);
    /// <summary>A .rec file ends inside a record header or payload.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOTruncated = nameof(RecordIOTruncated);
    /// <summary>A .rec chunk does not start with the RecordIO magic number.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOBadMagic = nameof(RecordIOBadMagic);
    /// <summary>Split-record chunks (cflag 1/2/3) are not in a valid order.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOSplitInvalid = nameof(RecordIOSplitInvalid);
    /// <summary>A record payload is too short for its IRHeader and extra labels.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOHeaderInvalid = nameof(RecordIOHeaderInvalid);
    /// <summary>A .idx line is not key TAB offset.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOIndexInvalid = nameof(RecordIOIndexInvalid);
    /// <summary>A .idx offset lies at or past the end of the .rec file.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOIndexPastEnd = nameof(RecordIOIndexPastEnd);
    /// <summary>A .idx offset lies inside a record instead of at its start.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOIndexBetweenRecords = nameof(RecordIOIndexBetweenRecords);
    /// <summary>An InsightFace header record names an image key that the file does not have.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOKeyMissing = nameof(RecordIOKeyMissing);
    /// <summary>The RecordIO writer was given images that are not sorted by label.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string RecordIOLabelsNotSorted = nameof(RecordIOLabelsNotSorted);
    /// <summary>An image folder has no identity sub-folders.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string ImageFolderEmpty = nameof(ImageFolderEmpty);
    /// <summary>An identity sub-folder holds no JPEG or PNG image.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string ImageFolderIdentityEmpty = nameof(ImageFolderIdentityEmpty);
    /// <summary>An OFRecord part ends inside a length prefix or a record.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string OFRecordTruncated = nameof(OFRecordTruncated);
    /// <summary>An OFRecord length prefix is zero or negative.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string OFRecordLengthInvalid = nameof(OFRecordLengthInvalid);
    /// <summary>An OFRecord body is not a valid serialized oneflow.OFRecord.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string OFRecordInvalid = nameof(OFRecordInvalid);
    /// <summary>An OFRecord lacks the image or label feature, or it has the wrong type or count.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string OFRecordFeatureInvalid = nameof(OFRecordFeatureInvalid);

    // Verification sets (.bin files and pairs lists)

    /// <summary>A .bin file is not a Python pickle.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string VerificationBinNotPickle = nameof(VerificationBinNotPickle);
    /// <summary>A .bin pickle ends before its STOP opcode.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string VerificationBinTruncated = nameof(VerificationBinTruncated);
    /// <summary>A .bin holds a number of images that is not twice its number of issame flags.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string VerificationBinCountMismatch = nameof(VerificationBinCountMismatch);
    /// <summary>A .bin pickle that is not (bins, issame_list) with supported entry types.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string VerificationBinUnexpectedContent = nameof(VerificationBinUnexpectedContent);
    /// <summary>The .bin to write exists and -Force was not given.</summary>
    [ErrorKind(ErrorKind.ResourceExists)] public const string VerificationBinExists = nameof(VerificationBinExists);
    /// <summary>Writing a .bin failed (missing folder, disk full, permissions); no partial file is left.</summary>
    [ErrorKind(ErrorKind.WriteError)] public const string VerificationBinWriteFailed = nameof(VerificationBinWriteFailed);
    /// <summary>A pairs-list line does not have the expected fields.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string PairsListLineInvalid = nameof(PairsListLineInvalid);
    /// <summary>A pairs-list line names an image file that does not exist.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string PairsListImageNotFound = nameof(PairsListImageNotFound);
    /// <summary>An image file named by a pair does not decode.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string PairsListImageInvalid = nameof(PairsListImageInvalid);
    /// <summary>Get-FaceDataset -Synthetic was given -VerificationPairs without -OutputPath, or the reverse.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string VerificationPairsNeedOutputPath = nameof(VerificationPairsNeedOutputPath);

    // Verification and embeddings

    /// <summary>An image of a verification set does not decode; the message names its index and pair.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string VerificationImageInvalid = nameof(VerificationImageInvalid);
    /// <summary>A verification target name or path that resolves to no .bin file.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string VerificationTargetNotFound = nameof(VerificationTargetNotFound);
    /// <summary>The ROC plot to write exists and -Force was not given.</summary>
    [ErrorKind(ErrorKind.ResourceExists)] public const string VerificationOutputExists = nameof(VerificationOutputExists);
    /// <summary>A verification set has fewer pairs than cross-validation folds.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string VerificationTooFewPairs = nameof(VerificationTooFewPairs);
    /// <summary>A target's accuracy fell short of Test-FaceVerification -MinimumAccuracy.</summary>
    [ErrorKind(ErrorKind.InvalidResult)] public const string VerificationBelowMinimum = nameof(VerificationBelowMinimum);
    /// <summary>A model returned a batch of embeddings of the wrong shape.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string EmbeddingShapeInvalid = nameof(EmbeddingShapeInvalid);
    /// <summary>An ONNX model's input is not N x 3 x 112 x 112 float.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string OnnxInputShapeUnsupported = nameof(OnnxInputShapeUnsupported);
    /// <summary>An ONNX model's output is not a 2-D float tensor.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string OnnxOutputShapeUnsupported = nameof(OnnxOutputShapeUnsupported);
    /// <summary>A file that ONNX Runtime cannot load as a model.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string OnnxModelInvalid = nameof(OnnxModelInvalid);
    /// <summary>Bytes that do not decode as a JPEG or PNG image.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string ImageDecodeFailed = nameof(ImageDecodeFailed);
    /// <summary>Get-FaceEmbedding was given a folder where an image file was expected.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ImagePathIsFolder = nameof(ImagePathIsFolder);
    /// <summary>A checkpoint was piped to Get-FaceEmbedding without -Path: the images must come from -Path then.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string ImagePathRequired = nameof(ImagePathRequired);
    /// <summary>The -LandmarksPath file has no line for an image.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string LandmarksMissing = nameof(LandmarksMissing);
    /// <summary>Compare-FaceEmbedding was given something that is not a FaceEmbedding or an array of numbers.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string EmbeddingInvalid = nameof(EmbeddingInvalid);
    /// <summary>Embeddings of different lengths: two compared vectors, or a backbone and a head built for other sizes.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string EmbeddingSizeMismatch = nameof(EmbeddingSizeMismatch);

    // Networks and heads

    /// <summary>A network name that the registry cannot build.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string UnknownBackbone = nameof(UnknownBackbone);
    /// <summary>An embedding size below 1.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string InvalidEmbeddingSize = nameof(InvalidEmbeddingSize);
    /// <summary>A dropout outside [0, 1).</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string InvalidDropout = nameof(InvalidDropout);
    /// <summary>Dropout asked of a network that has none (MobileFaceNet).</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string DropoutNotSupported = nameof(DropoutNotSupported);
    /// <summary>fp16 asked of a device that cannot run it (the CPU).</summary>
    [ErrorKind(ErrorKind.NotImplemented)] public const string Fp16NotSupported = nameof(Fp16NotSupported);
    /// <summary>Margins (m1, m2, m3) the combined margin loss cannot use.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string InvalidMargin = nameof(InvalidMargin);
    /// <summary>A Partial FC sample_rate outside (0, 1].</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string InvalidSampleRate = nameof(InvalidSampleRate);
    /// <summary>A num_classes below 1.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string InvalidNumClasses = nameof(InvalidNumClasses);
    /// <summary>An interclass_filtering_threshold outside [0, 1].</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string InvalidFilteringThreshold = nameof(InvalidFilteringThreshold);
    /// <summary>A batch carried a label outside [0, num_classes): the dataset and the config disagree.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string LabelOutOfRange = nameof(LabelOutOfRange);
    /// <summary>Get-FaceBackbone -Name matched no network.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string NameNotFound = nameof(NameNotFound);

    // Export and import

    /// <summary>The output file exists and -Force was not given.</summary>
    [ErrorKind(ErrorKind.ResourceExists)] public const string OutputExists = nameof(OutputExists);
    /// <summary>An output's folder cannot be created: a file stands where a folder of the path should be, or no permission.</summary>
    [ErrorKind(ErrorKind.WriteError)] public const string OutputPathUnusable = nameof(OutputPathUnusable);
    /// <summary>ONNX Runtime's output of the exported model differs from TorchSharp's by more than the tolerance.</summary>
    [ErrorKind(ErrorKind.InvalidResult)] public const string OnnxVerificationFailed = nameof(OnnxVerificationFailed);
    /// <summary>Import-FaceModel needs -Network for a PyTorch file.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string NetworkRequired = nameof(NetworkRequired);
    /// <summary>An MXNet graph of a network the registry cannot build.</summary>
    [ErrorKind(ErrorKind.NotImplemented)] public const string MxnetNetworkNotInRegistry = nameof(MxnetNetworkNotInRegistry);
    /// <summary>An MXNet symbol graph that is not one of the backbones we build.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetGraphMismatch = nameof(MxnetGraphMismatch);
    /// <summary>MXNet arrays missing, extra or of other shapes than the backbone's.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetArrayMismatch = nameof(MxnetArrayMismatch);
    /// <summary>A -symbol.json file that is not an MXNet symbol graph.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetSymbolInvalid = nameof(MxnetSymbolInvalid);
    /// <summary>A .params file, or an array in it, with an unknown magic number.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetParamsUnknownMagic = nameof(MxnetParamsUnknownMagic);
    /// <summary>A .params file whose names list is neither empty nor one name per array.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetParamsNameCount = nameof(MxnetParamsNameCount);
    /// <summary>A .params file with bytes after its names list.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetParamsTrailingBytes = nameof(MxnetParamsTrailingBytes);
    /// <summary>A .params array in sparse storage; only dense arrays are read.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetParamsSparseArray = nameof(MxnetParamsSparseArray);
    /// <summary>A .params array with an unknown type flag.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetParamsUnknownDType = nameof(MxnetParamsUnknownDType);
    /// <summary>A .params array with an impossible number of dimensions or size.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetParamsBadShape = nameof(MxnetParamsBadShape);
    /// <summary>A .params file that ends inside a header, a name or an array.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string MxnetParamsTruncated = nameof(MxnetParamsTruncated);
    /// <summary>A .pth/.pt file that cannot be read (not a valid zip, a missing data.pkl, big-endian tensors).</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string PthUnreadable = nameof(PthUnreadable);
    /// <summary>A .pth/.pt file that holds something other than a state dict.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string PthNotAStateDict = nameof(PthNotAStateDict);
    /// <summary>A TorchScript archive, not a state dict.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string PthTorchScript = nameof(PthTorchScript);
    /// <summary>A file that is neither a PyTorch zip archive nor a legacy torch.save file.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string PthUnknownFormat = nameof(PthUnknownFormat);
    /// <summary>The -Entry asked for is not in the file's dict of state dicts.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string PthEntryMissing = nameof(PthEntryMissing);
    /// <summary>A state dict whose keys or shapes do not fit the model; nothing was loaded.</summary>
    [ErrorKind(ErrorKind.InvalidData)] public const string StateDictMismatch = nameof(StateDictMismatch);

    // Devices

    /// <summary>A device this machine or build cannot use (CUDA without a GPU build, a missing cuda:N).</summary>
    [ErrorKind(ErrorKind.ResourceUnavailable)] public const string DeviceUnavailable = nameof(DeviceUnavailable);
    /// <summary>A device string that is not cpu, cuda or cuda:N.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string DeviceInvalid = nameof(DeviceInvalid);

    // Multi-process training on GPUs (NCCL)

    /// <summary>Neither libnccl.so.2 nor a libtorch_cuda.so that exports NCCL could be loaded.</summary>
    [ErrorKind(ErrorKind.ResourceUnavailable)] public const string NcclNotFound = nameof(NcclNotFound);
    /// <summary>An NCCL call failed; the message names the call, the rank and NCCL's own text.</summary>
    [ErrorKind(ErrorKind.InvalidOperation)] public const string NcclCallFailed = nameof(NcclCallFailed);
    /// <summary>The ranks could not meet to share NCCL's id: rank 0 unreachable, a rank missing, or ranks that disagree on the job.</summary>
    [ErrorKind(ErrorKind.ResourceUnavailable)] public const string RendezvousFailed = nameof(RendezvousFailed);

    // Paths given to the cmdlets

    /// <summary>An input path that does not exist.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string PathNotFound = nameof(PathNotFound);
    /// <summary>A path on a PowerShell drive that is not the file system.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string PathNotFileSystem = nameof(PathNotFileSystem);
    /// <summary>A wildcard path that matches more than the one item expected.</summary>
    [ErrorKind(ErrorKind.InvalidArgument)] public const string PathAmbiguous = nameof(PathAmbiguous);

    // Failures of .NET itself that the cmdlets report with these ids

    /// <summary>A file that does not exist.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string FileNotFound = nameof(FileNotFound);
    /// <summary>A folder that does not exist.</summary>
    [ErrorKind(ErrorKind.ObjectNotFound)] public const string DirectoryNotFound = nameof(DirectoryNotFound);
    /// <summary>The file system refused to read or write a file.</summary>
    [ErrorKind(ErrorKind.PermissionDenied)] public const string UnauthorizedAccess = nameof(UnauthorizedAccess);
    /// <summary>Any other failure to read or write a file.</summary>
    [ErrorKind(ErrorKind.WriteError)] public const string IOError = nameof(IOError);
    /// <summary>The work was cancelled by something other than Ctrl+C.</summary>
    [ErrorKind(ErrorKind.OperationStopped)] public const string OperationStopped = nameof(OperationStopped);

    private static readonly Dictionary<string, ErrorKind> Kinds = typeof(ErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .ToDictionary(f => (string)f.GetRawConstantValue()!, f => f.GetCustomAttribute<ErrorKindAttribute>()?.Kind ?? ErrorKind.InvalidOperation);

    /// <summary>Every id above.</summary>
    public static IReadOnlyCollection<string> All => Kinds.Keys;

    /// <summary>
    /// The kind of failure <paramref name="errorId"/> stands for; an id that is not (yet) listed here counts as
    /// <see cref="ErrorKind.InvalidOperation"/>.
    /// </summary>
    public static ErrorKind KindOf(string errorId) => Kinds.GetValueOrDefault(errorId, ErrorKind.InvalidOperation);
}
