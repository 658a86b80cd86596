using System.Globalization;

namespace InsightFace.Engine.Checkpoints;

/// <summary>A checkpoint folder and its manifest.</summary>
/// <param name="Folder">The folder holding checkpoint.json and model.pt.</param>
/// <param name="Manifest">Its manifest.</param>
public sealed record CheckpointInfo(string Folder, CheckpointManifest Manifest)
{
    /// <summary>The backbone weights (a PyTorch state dict).</summary>
    public string ModelPath => Path.Combine(Folder, CheckpointManifest.ModelFileName);
}

/// <summary>
/// Where checkpoints live in a run folder, and how they are written so that a crash never leaves a half-written
/// one: each is built in a hidden staging folder and renamed into place when complete.
/// </summary>
/// <remarks>
/// A run folder holds <c>checkpoints/epoch-0001</c>, <c>checkpoints/step-000001234</c> (written on Ctrl+C), and so
/// on, each with checkpoint.json and model.pt (plus the resume state when save_all_states is on). The newest is
/// also copied to the run folder's own model.pt and checkpoint.json, as arcface_torch writes
/// <c>output/model.pt</c>.
/// </remarks>
public static class CheckpointStore
{
    /// <summary>The sub-folder of a run folder that holds the checkpoints.</summary>
    public const string CheckpointsFolder = "checkpoints";

    /// <summary>Opens a checkpoint folder, a run folder (its newest checkpoint), or a checkpoint.json / model.pt file.</summary>
    public static CheckpointInfo Open(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) full = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(full))
            throw new CheckpointException(ErrorIds.CheckpointNotFound, full, $"{full}: no such checkpoint or run folder.");

        var manifest = Path.Combine(full, CheckpointManifest.FileName);
        if (File.Exists(manifest)) return Load(full);
        var newest = List(full).LastOrDefault();
        return newest ?? throw new CheckpointException(ErrorIds.CheckpointNotFound, full,
            $"{full}: neither a checkpoint (no {CheckpointManifest.FileName}) nor a run folder with checkpoints.");
    }

    /// <summary>The complete checkpoints of a run folder, oldest first.</summary>
    public static IReadOnlyList<CheckpointInfo> List(string runFolder)
    {
        var folder = Path.Combine(runFolder, CheckpointsFolder);
        if (!Directory.Exists(folder)) return Array.Empty<CheckpointInfo>();
        return Directory.EnumerateDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.') && File.Exists(Path.Combine(d, CheckpointManifest.FileName)))
            .Select(Load)
            .OrderBy(c => c.Manifest.GlobalStep)
            .ThenBy(c => c.Manifest.Created)
            .ToArray();
    }

    /// <summary>
    /// Writes a checkpoint: <paramref name="write"/> fills a staging folder, which is then renamed to its final
    /// name. The run folder's model.pt and checkpoint.json are replaced, and all but the newest
    /// <paramref name="keep"/> checkpoints are removed.
    /// </summary>
    public static CheckpointInfo Save(string runFolder, CheckpointManifest manifest, Action<string> write, int keep)
    {
        var checkpoints = Directory.CreateDirectory(Path.Combine(runFolder, CheckpointsFolder)).FullName;
        var name = manifest.Reason == "epoch"
            ? $"epoch-{manifest.Epoch.ToString("D4", CultureInfo.InvariantCulture)}"
            : $"step-{manifest.GlobalStep.ToString("D9", CultureInfo.InvariantCulture)}";
        var final = Path.Combine(checkpoints, name);
        Stage(final, manifest, write);
        PublishLatest(runFolder, final);
        Prune(runFolder, keep);
        return Load(final);
    }

    /// <summary>
    /// Writes a checkpoint that belongs to no run (an import) into <paramref name="folder"/>: staged beside it and
    /// renamed into place when complete. An existing folder is replaced only with <paramref name="overwrite"/>.
    /// </summary>
    public static CheckpointInfo SaveStandalone(string folder, CheckpointManifest manifest, Action<string> write, bool overwrite)
    {
        var final = Path.GetFullPath(folder);
        if ((Directory.Exists(final) || File.Exists(final)) && !overwrite)
            throw new CheckpointException(ErrorIds.CheckpointExists, final, $"{final} already exists. Use -Force to replace it.");
        Stage(final, manifest, write);
        return Load(final);
    }

    // Builds the checkpoint in a hidden folder beside its final place, then renames it there.
    private static void Stage(string final, CheckpointManifest manifest, Action<string> write)
    {
        var parent = Directory.CreateDirectory(Path.GetDirectoryName(final)!).FullName;
        var staging = Path.Combine(parent, $".{Path.GetFileName(final)}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            manifest.Write(staging);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(staging, final);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static void PublishLatest(string runFolder, string checkpoint)
    {
        foreach (var file in new[] { CheckpointManifest.ModelFileName, CheckpointManifest.FileName })
        {
            var temporary = Path.Combine(runFolder, $".{file}.{Guid.NewGuid():N}");
            File.Copy(Path.Combine(checkpoint, file), temporary);
            File.Move(temporary, Path.Combine(runFolder, file), overwrite: true);
        }
    }

    private static void Prune(string runFolder, int keep)
    {
        var all = List(runFolder);
        foreach (var old in all.Take(Math.Max(0, all.Count - keep)))
            Directory.Delete(old.Folder, recursive: true);
    }

    private static CheckpointInfo Load(string folder)
    {
        var manifest = CheckpointManifest.Read(Path.Combine(folder, CheckpointManifest.FileName));
        if (!File.Exists(Path.Combine(folder, CheckpointManifest.ModelFileName)))
            throw new CheckpointException(ErrorIds.CheckpointInvalid, folder, $"{folder}: {CheckpointManifest.ModelFileName} is missing.");
        return new CheckpointInfo(folder, manifest);
    }
}
