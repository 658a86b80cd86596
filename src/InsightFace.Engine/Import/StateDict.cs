using TorchSharp;

namespace InsightFace.Engine.Import;

/// <summary>
/// Named tensors in order, as a PyTorch <c>state_dict</c>: what <c>.pth</c> files hold and what imports produce.
/// Owns its tensors: dispose it when done.
/// </summary>
public sealed class StateDict : IDisposable
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, torch.Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>The keys in insertion (file) order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>Number of entries.</summary>
    public int Count => _keys.Count;

    /// <summary>The tensor stored under <paramref name="key"/>.</summary>
    public torch.Tensor this[string key] => _tensors[key];

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <summary>Adds <paramref name="tensor"/> under a new <paramref name="key"/>; the dictionary takes ownership of it.</summary>
    public void Add(string key, torch.Tensor tensor)
    {
        if (!_tensors.TryAdd(key, tensor))
            throw new ArgumentException($"Key '{key}' is already in the state dict.", nameof(key));
        _keys.Add(key);
    }

    /// <summary>A detached CPU copy of <paramref name="module"/>'s state_dict (parameters and buffers).</summary>
    public static StateDict From(torch.nn.Module module)
    {
        var result = new StateDict();
        // detach() and cpu() each return a new tensor object: the scope disposes them, the copies stay in the result.
        using var scope = torch.NewDisposeScope();
        foreach (var (key, tensor) in module.state_dict())
            result.Add(key, tensor.detach().cpu().clone().DetachFromDisposeScope());
        return result;
    }

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var tensor in _tensors.Values) tensor.Dispose();
        _tensors.Clear();
        _keys.Clear();
    }
}
