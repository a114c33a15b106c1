using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Flows.Redshift.Tests.Support;

/// <summary>
/// A TCP proxy in front of the test PostgreSQL that, once, lets a message through and loses the server's answer to
/// it: the first time the client sends bytes containing <see cref="LoseReplyTo"/>, they reach the server, and when
/// the server answers (so it has done the work, a COMMIT included) the client's connection is dropped instead.
/// That is a network failure after the server committed, which only the client cannot tell from one before.
/// </summary>
internal sealed class ReplyLosingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _server;
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _sockets = [];
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accepting;
    private int _armed = 1;

    /// <summary>The query COMMIT with its terminating NUL, so <c>READ COMMITTED</c> in a BEGIN does not match.</summary>
    public const string Commit = "COMMIT\0";

    private ReplyLosingProxy(string server, int serverPort, string loseReplyTo)
    {
        _server = server;
        _serverPort = serverPort;
        LoseReplyTo = loseReplyTo;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>
    /// The text whose reply is lost, as it appears in the protocol message: <see cref="Commit"/>, or the start of a
    /// statement (<c>INSERT INTO items</c>).
    /// </summary>
    public string LoseReplyTo { get; }

    /// <summary>Completes once a reply was lost and the client's connection dropped.</summary>
    public Task Lost => _lost.Task;

    /// <summary>A proxy for the server of <paramref name="connectionString"/>; connect to it with <see cref="Through"/>.</summary>
    public static ReplyLosingProxy Start(string connectionString, string loseReplyTo)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        return new ReplyLosingProxy(target.Host!, target.Port, loseReplyTo);
    }

    /// <summary>The connection string with its host and port pointed at the proxy.</summary>
    public string Through(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        Host = "127.0.0.1",
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
    }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new TcpClient();
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            await server.ConnectAsync(_server, _serverPort, _stop.Token);
            var pair = new Pair(client, server);
            _ = PumpAsync(pair, toServer: true);
            _ = PumpAsync(pair, toServer: false);
        }
    }

    private async Task PumpAsync(Pair pair, bool toServer)
    {
        var from = (toServer ? pair.Client : pair.Server).GetStream();
        var to = (toServer ? pair.Server : pair.Client).GetStream();
        var marker = Encoding.UTF8.GetBytes(LoseReplyTo);
        var buffer = new byte[64 * 1024];
        var tail = Array.Empty<byte>();
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (toServer && Volatile.Read(ref _armed) == 1)
                {
                    // Look across the previous read's end too, in case the marker was split.
                    var seen = tail.Concat(buffer.Take(read)).ToArray();
                    if (seen.AsSpan().IndexOf(marker) >= 0 && Interlocked.Exchange(ref _armed, 0) == 1)
                    {
                        pair.LoseNextReply = true;
                    }

                    tail = seen[Math.Max(0, seen.Length - marker.Length + 1)..];
                }
                else if (!toServer && pair.LoseNextReply)
                {
                    // The server has answered, so it did what it was asked; the client never hears of it. Lost
                    // completes before the client's socket closes: the client may check it the moment it sees the drop.
                    _lost.TrySetResult();
                    pair.Client.Client.Close();
                    pair.Server.Client.Close();
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        // One side hung up: hang up the other.
        pair.Client.Client.Close();
        pair.Server.Client.Close();
    }

    private sealed class Pair(TcpClient client, TcpClient server)
    {
        private volatile bool _loseNextReply;

        public TcpClient Client { get; } = client;

        public TcpClient Server { get; } = server;

        public bool LoseNextReply
        {
            get => _loseNextReply;
            set => _loseNextReply = value;
        }
    }
}
