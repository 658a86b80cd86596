using System.Text;
using Razorvine.Pickle;

namespace InsightFace.Engine.Data.Verification;

/// <summary>
/// The few numpy objects a verification <c>.bin</c> can hold (uint8 image arrays written by cv2.imencode, bool
/// arrays and scalars), rebuilt as plain data. Nothing named in a pickle is ever executed.
/// </summary>
internal static class NumpyPickleObjects
{
    private static int _registered;

    /// <summary>Registers the constructors with Razorvine's process-wide table, once.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        // numpy 1.x pickles name numpy.core; numpy 2.x renamed it numpy._core.
        foreach (var core in new[] { "numpy.core", "numpy._core" })
        {
            Unpickler.registerConstructor($"{core}.multiarray", "_reconstruct", new Construct(_ => new NumpyArray()));
            Unpickler.registerConstructor($"{core}.numeric", "_frombuffer", new Construct(NumpyArray.FromBuffer));
            Unpickler.registerConstructor($"{core}.multiarray", "scalar", new Construct(NumpyArray.FromScalar));
        }
        Unpickler.registerConstructor("numpy", "dtype", new Construct(args => new NumpyDtype(Text(args[0]))));
    }

    /// <summary>Python 2 <c>str</c> values arrive as strings of Latin-1 characters; they are bytes.</summary>
    public static byte[] Bytes(object? value) => value switch
    {
        byte[] bytes => bytes,
        string text => Encoding.Latin1.GetBytes(text),
        _ => throw new PickleException($"expected bytes, found {value?.GetType().Name ?? "None"}"),
    };

    private static string Text(object? value) => value as string ?? Encoding.Latin1.GetString(Bytes(value));

    private sealed class Construct(Func<object[], object> build) : IObjectConstructor
    {
        public object construct(object[] args) => build(args);
    }
}

/// <summary>A numpy dtype, known by its short name (<c>u1</c>, <c>b1</c>, ...).</summary>
internal sealed class NumpyDtype(string name)
{
    public string Name { get; } = name;

    /// <summary>Called by the pickle BUILD opcode; the byte order and flags do not matter for one-byte types.</summary>
    public void __setstate__(object[] state) { }
}

/// <summary>A numpy array reduced to its dtype and raw bytes.</summary>
internal sealed class NumpyArray
{
    public string Dtype { get; private set; } = "";
    public byte[] Data { get; private set; } = [];

    /// <summary>
    /// Called by BUILD after <c>_reconstruct</c>: state is <c>(version, shape, dtype, is_fortran, raw)</c>, or the
    /// same without the version in very old pickles.
    /// </summary>
    public void __setstate__(object[] state)
    {
        var offset = state.Length == 5 ? 1 : 0;
        Dtype = (state[offset + 1] as NumpyDtype)?.Name ?? throw new PickleException("ndarray state without a dtype");
        Data = NumpyPickleObjects.Bytes(state[offset + 3]);
    }

    /// <summary><c>_frombuffer(buffer, dtype, shape, order)</c>, used by pickle protocol 5.</summary>
    public static object FromBuffer(object[] args) => new NumpyArray
    {
        Data = NumpyPickleObjects.Bytes(args[0]),
        Dtype = (args[1] as NumpyDtype)?.Name ?? throw new PickleException("_frombuffer without a dtype"),
    };

    /// <summary><c>scalar(dtype, raw)</c>: numpy scalars such as <c>np.True_</c>.</summary>
    public static object FromScalar(object[] args) => new NumpyArray
    {
        Dtype = (args[0] as NumpyDtype)?.Name ?? throw new PickleException("scalar without a dtype"),
        Data = NumpyPickleObjects.Bytes(args[1]),
    };
}
