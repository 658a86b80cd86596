using System.Globalization;
using InsightFace.Engine.Export;
using InsightFace.Engine.Files;

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
/// one or loses the one being replaced: each is built in a hidden staging folder, flushed to disk, and swapped in.
/// </summary>
/// <remarks>
/// <para>A run folder holds <c>checkpoints/epoch-0001</c>, <c>checkpoints/step-000001234</c> (written on Ctrl+C), and
/// so on, each with checkpoint.json and model.pt (plus the resume state when save_all_states is on). The newest is
/// also copied to the run folder's own model.pt and checkpoint.json, as arcface_torch writes
/// <c>output/model.pt</c>.</para>
/// <para>Replacing a checkpoint folder moves the old one aside (<c>.NAME.old-ID</c>), renames the new one in from
/// its staging folder (<c>.NAME.new-ID</c>), and only then deletes the old one. A crash between the first two steps
/// leaves just the aside folder: readers take it for the checkpoint, and the next write puts it back first.</para>
/// </remarks>
public static class CheckpointStore
{
    /// <summary>The sub-folder of a run folder that holds the checkpoints.</summary>
    public const string CheckpointsFolder = "checkpoints";

    // The hidden folders beside a checkpoint folder NAME: .NAME.new-ID while it is written, .NAME.old-ID while it is replaced.
    private const string NewMark = ".new-";
    private const string OldMark = ".old-";

    /// <summary>Opens a checkpoint folder, a run folder (its newest checkpoint), or a checkpoint.json / model.pt file.</summary>
    public static CheckpointInfo Open(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) full = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(full))
            return SetAside(full) is { } aside
                ? Load(aside)
                : throw new CheckpointException(ErrorIds.CheckpointNotFound, full, $"{full}: no such checkpoint or run folder.");

        var manifest = Path.Combine(full, CheckpointManifest.FileName);
        if (File.Exists(manifest)) return Load(full);
        var newest = List(full).LastOrDefault();
        return newest ?? throw new CheckpointException(ErrorIds.CheckpointNotFound, full,
            $"{full}: neither a checkpoint (no {CheckpointManifest.FileName}) nor a run folder with checkpoints.");
    }

    /// <summary>
    /// The complete checkpoints of a run folder, oldest first. A checkpoint whose replacement a crash interrupted is
    /// listed from the folder it was set aside in.
    /// </summary>
    public static IReadOnlyList<CheckpointInfo> List(string runFolder)
    {
        var folder = Path.Combine(runFolder, CheckpointsFolder);
        if (!Directory.Exists(folder)) return Array.Empty<CheckpointInfo>();
        var visible = Directory.EnumerateDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.')).ToList();
        var names = visible.Select(Path.GetFileName).ToHashSet();
        // An aside folder counts only while its final name is missing (a crash between the swap's two renames).
        var setAside = Directory.EnumerateDirectories(folder, $".*{OldMark}*").Where(d => FinalName(d) is { Length: > 0 } name && names.Add(name));
        return visible
            .Concat(setAside)
            .Where(d => File.Exists(Path.Combine(d, CheckpointManifest.FileName)))
            .Select(Load)
            .OrderBy(c => c.Manifest.GlobalStep)
            .ThenBy(c => c.Manifest.Created)
            .ToArray();
    }

    /// <summary>
    /// Writes a checkpoint: <paramref name="write"/> fills a staging folder, which is then swapped in under its final
    /// name. The run folder's model.pt and checkpoint.json are replaced, and all but the newest
    /// <paramref name="keep"/> checkpoints are removed.
    /// </summary>
    public static CheckpointInfo Save(string runFolder, CheckpointManifest manifest, Action<string> write, int keep)
    {
        var checkpoints = Directory.CreateDirectory(Path.Combine(runFolder, CheckpointsFolder)).FullName;
        var name = manifest.Reason == "epoch"
            ? $"epoch-{manifest.Epoch.ToString("D4", CultureInfo.InvariantCulture)}"
            : $"step-{manifest.GlobalStep.ToString("D9", CultureInfo.InvariantCulture)}";
        // A run has one writer: whatever a crash left in checkpoints/ is its own to put back or remove.
        foreach (var interrupted in Directory.EnumerateDirectories(checkpoints, ".*").Select(FinalName).Where(n => n.Length > 0).Distinct().ToList())
            Recover(Path.Combine(checkpoints, interrupted));
        var final = Path.Combine(checkpoints, name);
        Stage(final, manifest, write);
        PublishLatest(runFolder, final);
        Prune(runFolder, keep);
        return Load(final);
    }

    /// <summary>
    /// Writes a checkpoint that belongs to no run (an import) into <paramref name="folder"/>: staged beside it and
    /// swapped in when complete. An existing folder is replaced only with <paramref name="overwrite"/>. Missing
    /// folders above it are created, and removed again when the write fails.
    /// </summary>
    /// <exception cref="CheckpointException">CheckpointExists: the folder exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="OutputPathException">A folder above it cannot be created.</exception>
    public static CheckpointInfo SaveStandalone(string folder, CheckpointManifest manifest, Action<string> write, bool overwrite)
    {
        var final = Path.GetFullPath(folder);
        if ((Directory.Exists(final) || File.Exists(final) || SetAside(final) is not null) && !overwrite)
            throw new CheckpointException(ErrorIds.CheckpointExists, final, $"{final} already exists. Use -Force to replace it.");
        using var created = CreateParent(final);
        Recover(final);
        Stage(final, manifest, write);
        created.Keep();
        return Load(final);
    }

    private static CreatedFolders CreateParent(string final)
    {
        try
        {
            return CreatedFolders.Create(Path.GetDirectoryName(final)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException(final, e);
        }
    }

    // Builds the checkpoint in a hidden folder beside its final place, flushes it to disk, then swaps it in.
    private static void Stage(string final, CheckpointManifest manifest, Action<string> write)
    {
        var staging = Hidden(final, NewMark);
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            manifest.Write(staging);
            Durable.FlushTree(staging);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
        Swap(staging, final);
    }

    // Moves the old folder aside, the new one in, and only then deletes the old one.
    private static void Swap(string staging, string final)
    {
        var parent = Path.GetDirectoryName(final)!;
        string? aside = null;
        try
        {
            if (Directory.Exists(final))
            {
                aside = Hidden(final, OldMark);
                Directory.Move(final, aside);
                CrashPoint.Reached("checkpoint-old-aside", final);
            }
            Directory.Move(staging, final);
        }
        catch
        {
            if (aside is not null && !Directory.Exists(final)) Directory.Move(aside, final);
            Directory.Delete(staging, recursive: true);
            throw;
        }
        Durable.FlushFolder(parent);
        CrashPoint.Reached("checkpoint-new-in", final);
        if (aside is not null) Directory.Delete(aside, recursive: true);
    }

    // Undoes what a crash left of an earlier write of final: its aside folder goes back (or away, when final was
    // swapped in already), and staging folders are removed.
    private static void Recover(string final)
    {
        var parent = Path.GetDirectoryName(final)!;
        var name = Path.GetFileName(final);
        if (!Directory.Exists(final) && SetAside(final) is { } aside) Directory.Move(aside, final);
        foreach (var stale in Directory.EnumerateDirectories(parent, $".{name}.*")
                     .Where(d => FinalName(d) == name))
            Directory.Delete(stale, recursive: true);
    }

    // The folder a crash left the replaced checkpoint of final in, if any.
    private static string? SetAside(string final)
    {
        var parent = Path.GetDirectoryName(final);
        if (parent is null || !Directory.Exists(parent)) return null;
        return Directory.EnumerateDirectories(parent, $".{Path.GetFileName(final)}{OldMark}*")
            .FirstOrDefault(d => FinalName(d) == Path.GetFileName(final));
    }

    private static string Hidden(string final, string mark) =>
        Path.Combine(Path.GetDirectoryName(final)!, $".{Path.GetFileName(final)}{mark}{Guid.NewGuid():N}");

    // NAME for .NAME.new-ID and .NAME.old-ID, else "".
    private static string FinalName(string hidden)
    {
        var name = Path.GetFileName(hidden);
        var mark = Math.Max(name.LastIndexOf(NewMark, StringComparison.Ordinal), name.LastIndexOf(OldMark, StringComparison.Ordinal));
        return name.StartsWith('.') && mark > 1 ? name[1..mark] : "";
    }

    // checkpoint.json goes first and comes back last: in between the run folder is no checkpoint of its own, and
    // Open reads the newest one in checkpoints/ instead, so model.pt and checkpoint.json never disagree.
    private static void PublishLatest(string runFolder, string checkpoint)
    {
        File.Delete(Path.Combine(runFolder, CheckpointManifest.FileName));
        Durable.FlushFolder(runFolder);
        CrashPoint.Reached("latest-manifest-withdrawn", runFolder);
        AtomicFile.Copy(Path.Combine(checkpoint, CheckpointManifest.ModelFileName), Path.Combine(runFolder, CheckpointManifest.ModelFileName));
        CrashPoint.Reached("latest-model-in", runFolder);
        AtomicFile.Copy(Path.Combine(checkpoint, CheckpointManifest.FileName), Path.Combine(runFolder, CheckpointManifest.FileName));
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
