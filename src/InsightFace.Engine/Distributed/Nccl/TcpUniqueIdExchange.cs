using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// Shares the NCCL id over TCP when there is no MPI, as torchrun's store does: rank 0 listens on MASTER_ADDR:MASTER_PORT
/// and hands the id to each rank that connects; the others connect, retrying until rank 0 is up. Only the 128-byte id
/// travels this way; NCCL then makes its own connections.
/// </summary>
/// <remarks>
/// Each rank sends "IFID", its rank and the world size (little-endian int32s); rank 0 answers "IFID" and the id.
/// Rank 0 fails when a rank reports another world size or a rank comes twice, and every rank fails when
/// <see cref="Timeout"/> passes first, so a job whose ranks cannot meet ends instead of waiting forever.
/// </remarks>
public sealed class TcpUniqueIdExchange : IUniqueIdExchange
{
    /// <summary>torchrun's MASTER_PORT default.</summary>
    public const int DefaultPort = 29500;

    private const int Magic = 0x44494649; // "IFID" read as a little-endian int32
    private const int HelloSize = 12;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PollSlice = TimeSpan.FromSeconds(1);

    /// <summary>Rank 0's address and port, and how long any rank waits for the others.</summary>
    public TcpUniqueIdExchange(string host, int port, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        Host = host;
        Port = port;
        Timeout = timeout;
    }

    /// <summary>How long a rank waits by default: five minutes, the timeout of torchrun's store.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Rank 0's host name or address.</summary>
    public string Host { get; }

    /// <summary>The port rank 0 listens on.</summary>
    public int Port { get; }

    /// <summary>How long any rank waits for the others before it fails with RendezvousFailed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>
    /// The exchange torchrun's variables describe: MASTER_ADDR (default 127.0.0.1) and MASTER_PORT (default
    /// <see cref="DefaultPort"/>), waiting <see cref="DefaultTimeout"/>.
    /// </summary>
    public static TcpUniqueIdExchange FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    internal static TcpUniqueIdExchange FromEnvironment(Func<string, string?> variable)
    {
        var host = variable("MASTER_ADDR") is { Length: > 0 } address ? address : "127.0.0.1";
        var portText = variable("MASTER_PORT");
        if (string.IsNullOrEmpty(portText)) return new(host, DefaultPort, DefaultTimeout);
        if (!int.TryParse(portText, out var port) || port is < 1 or > IPEndPoint.MaxPort)
            throw new NcclException(ErrorIds.RendezvousFailed, $"MASTER_PORT '{portText}' is not a TCP port (1 to 65535).");
        return new(host, port, DefaultTimeout);
    }

    /// <inheritdoc/>
    public byte[] Share(int rank, int worldSize, Func<byte[]> create)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(worldSize);
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The ranks are 0 to {worldSize - 1}.");
        var clock = Stopwatch.StartNew();
        return rank == 0 ? Serve(worldSize, create(), clock) : Fetch(rank, worldSize, clock);
    }

    private byte[] Serve(int worldSize, byte[] id, Stopwatch clock)
    {
        var waiting = Enumerable.Range(1, worldSize - 1).ToHashSet();
        if (waiting.Count == 0) return id;
        using var listener = new TcpListener(ListenAddress(), Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            listener.Start(worldSize);
        }
        catch (SocketException e)
        {
            throw Failed($"Rank 0 cannot listen on {Host}:{Port}: {e.Message}. Set MASTER_PORT to a free port.", e);
        }
        var reply = new byte[4 + id.Length];
        BinaryPrimitives.WriteInt32LittleEndian(reply, Magic);
        id.CopyTo(reply, 4);
        while (waiting.Count > 0)
        {
            var remaining = Timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw Failed($"Rank 0 waited {Timeout} at {Host}:{Port}, and rank(s) {string.Join(", ", waiting.Order())} never came.");
            if (!listener.Server.Poll(Min(remaining, PollSlice), SelectMode.SelectRead)) continue;
            using var client = listener.AcceptTcpClient();
            SetTimeouts(client, remaining);
            var hello = new byte[HelloSize];
            try
            {
                client.GetStream().ReadExactly(hello);
            }
            catch (IOException)
            {
                continue; // a connection that is not a rank (a port scanner, a rank killed mid-way): not ours to judge
            }
            if (BinaryPrimitives.ReadInt32LittleEndian(hello) != Magic) continue;
            var peer = BinaryPrimitives.ReadInt32LittleEndian(hello.AsSpan(4));
            var peerWorld = BinaryPrimitives.ReadInt32LittleEndian(hello.AsSpan(8));
            if (peerWorld != worldSize)
                throw Failed($"Rank {peer} says the job has {peerWorld} processes; rank 0 says {worldSize}.");
            if (!waiting.Remove(peer))
                throw Failed($"Rank {peer} came to {Host}:{Port} twice, or is not a rank of a {worldSize}-process job.");
            client.GetStream().Write(reply);
        }
        return id;
    }

    private byte[] Fetch(int rank, int worldSize, Stopwatch clock)
    {
        var hello = new byte[HelloSize];
        BinaryPrimitives.WriteInt32LittleEndian(hello, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(4), rank);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(8), worldSize);
        Exception? last = null;
        while (true)
        {
            var remaining = Timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw Failed($"Rank {rank} got no NCCL id from rank 0 at {Host}:{Port} within {Timeout}" +
                             (last is null ? "." : $": {last.Message}"), last);
            try
            {
                using var client = new TcpClient();
                using (var cancel = new CancellationTokenSource(remaining))
                    client.ConnectAsync(Host, Port, cancel.Token).AsTask().GetAwaiter().GetResult();
                SetTimeouts(client, remaining);
                var stream = client.GetStream();
                stream.Write(hello);
                var reply = new byte[4 + NcclUniqueId.Size];
                stream.ReadExactly(reply);
                if (BinaryPrimitives.ReadInt32LittleEndian(reply) != Magic)
                    throw Failed($"Something other than rank 0 of this job answers at {Host}:{Port}.");
                return reply[4..];
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                last = e;
                Thread.Sleep(RetryDelay);
            }
        }
    }

    // Loopback stays loopback; any other MASTER_ADDR is rank 0's name for the other machines, which may resolve to
    // another interface here (Debian maps the host name to 127.0.1.1), so rank 0 listens on all of them, as torchrun does.
    private IPAddress ListenAddress()
    {
        var addresses = IPAddress.TryParse(Host, out var literal) ? [literal] : Dns.GetHostAddresses(Host);
        return addresses.Length > 0 && addresses.All(IPAddress.IsLoopback) ? addresses[0] : IPAddress.Any;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static void SetTimeouts(TcpClient client, TimeSpan remaining) =>
        client.ReceiveTimeout = client.SendTimeout = (int)Math.Clamp(remaining.TotalMilliseconds, 1, int.MaxValue);

    private static NcclException Failed(string message, Exception? inner = null) => new(ErrorIds.RendezvousFailed, message, inner);
}
