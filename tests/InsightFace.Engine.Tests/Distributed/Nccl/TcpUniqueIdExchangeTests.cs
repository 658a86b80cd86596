using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using InsightFace.Engine.Distributed.Nccl;

namespace InsightFace.Engine.Tests.Distributed.Nccl;

public class TcpUniqueIdExchangeTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1.5);

    [Fact]
    public void Three_ranks_get_the_id_rank_0_made_even_when_rank_0_comes_last()
    {
        var exchange = new TcpUniqueIdExchange("127.0.0.1", FreePort(), TimeSpan.FromSeconds(30));
        var id = Enumerable.Range(0, 128).Select(i => (byte)(255 - i)).ToArray();
        var made = 0;

        var results = new byte[3][];
        var errors = new Exception?[3];
        var threads = new[] { 2, 1, 0 }.Select(rank => new Thread(() =>
        {
            if (rank == 0) Thread.Sleep(300); // the others must retry until rank 0 listens
            try { results[rank] = exchange.Share(rank, 3, () => { Interlocked.Increment(ref made); return id; }); }
            catch (Exception e) { errors[rank] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(errors, Assert.Null);
        Assert.All(results, r => Assert.Equal(id, r));
        Assert.Equal(1, made);
    }

    [Fact]
    public void A_rank_fails_with_RendezvousFailed_when_rank_0_never_comes()
    {
        var port = FreePort();
        var exchange = new TcpUniqueIdExchange("127.0.0.1", port, Short);
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<NcclException>(() => exchange.Share(1, 2, () => throw new InvalidOperationException("only rank 0 makes the id")));

        Assert.Equal(ErrorIds.RendezvousFailed, e.ErrorId);
        Assert.Contains($"Rank 1 got no NCCL id from rank 0 at 127.0.0.1:{port}", e.Message);
        Assert.InRange(clock.Elapsed, Short, Short + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Rank_0_fails_naming_the_ranks_that_never_came_and_the_others_still_get_the_id()
    {
        var exchange = new TcpUniqueIdExchange("127.0.0.1", FreePort(), Short);
        var id = new byte[128];
        id[0] = 42;
        byte[]? rank1 = null;
        var peer = new Thread(() => rank1 = exchange.Share(1, 3, () => throw new InvalidOperationException()));
        peer.Start();

        var e = Assert.Throws<NcclException>(() => exchange.Share(0, 3, () => id));
        peer.Join();

        Assert.Equal(ErrorIds.RendezvousFailed, e.ErrorId);
        Assert.Contains("rank(s) 2 never came", e.Message);
        Assert.Equal(id, rank1);
    }

    [Fact]
    public void Ranks_that_disagree_on_the_world_size_fail_at_rank_0()
    {
        var exchange = new TcpUniqueIdExchange("127.0.0.1", FreePort(), Short);
        var peer = new Thread(() => Record.Exception(() => exchange.Share(1, 3, () => new byte[128])));
        peer.Start();

        var e = Assert.Throws<NcclException>(() => exchange.Share(0, 2, () => new byte[128]));
        peer.Join();

        Assert.Equal(ErrorIds.RendezvousFailed, e.ErrorId);
        Assert.Contains("Rank 1 says the job has 3 processes; rank 0 says 2", e.Message);
    }

    [Fact]
    public void A_one_process_job_needs_no_network()
    {
        var id = new byte[128];
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var exchange = new TcpUniqueIdExchange("127.0.0.1", ((IPEndPoint)busy.LocalEndpoint).Port, Short);

        Assert.Same(id, exchange.Share(0, 1, () => id)); // the port is taken, so listening would have failed
    }

    [Fact]
    public void The_address_comes_from_MASTER_ADDR_and_MASTER_PORT_with_torchruns_defaults()
    {
        var none = TcpUniqueIdExchange.FromEnvironment(_ => null);
        Assert.Equal(("127.0.0.1", 29500), (none.Host, none.Port));

        var set = TcpUniqueIdExchange.FromEnvironment(v => v == "MASTER_ADDR" ? "node1" : "1234");
        Assert.Equal(("node1", 1234), (set.Host, set.Port));

        var e = Assert.Throws<NcclException>(() => TcpUniqueIdExchange.FromEnvironment(v => v == "MASTER_PORT" ? "70000" : null));
        Assert.Equal(ErrorIds.RendezvousFailed, e.ErrorId);
        Assert.Contains("MASTER_PORT '70000'", e.Message);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
