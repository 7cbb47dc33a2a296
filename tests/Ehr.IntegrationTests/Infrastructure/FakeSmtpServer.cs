using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>
/// An SMTP relay on 127.0.0.1 (RFC 5321: greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT)
/// that keeps what it is sent, so tests check exactly what our mailer hands to a real relay. Recipients can be set
/// to be refused for good (550) or for a number of tries (451).
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public FakeSmtpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<(string From, IReadOnlyList<string> To, MimeMessage Message)> Received { get; } = new();

    /// <summary>Recipients refused with 550 (permanent).</summary>
    public ConcurrentDictionary<string, bool> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Recipients refused with 451 (temporary) this many more times.</summary>
    public ConcurrentDictionary<string, int> RefusedForNow { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<MimeMessage> To(string address) =>
        Received.Where(r => r.To.Contains(address, StringComparer.OrdinalIgnoreCase)).Select(r => r.Message).ToList();

    public MimeMessage? FirstTo(string address) => To(address) is [var first, ..] ? first : null;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 fake.smtp.test ESMTP ready");
        string? from = null;
        var to = new List<string>();
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-fake.smtp.test\r\n250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 fake.smtp.test");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 2.1.0 sender ok");
                        break;
                    case "RCPT":
                        var rcpt = Address(line);
                        if (Refused.ContainsKey(rcpt))
                        {
                            await writer.WriteLineAsync("550 5.1.1 mailbox unavailable");
                        }
                        else if (RefusedForNow.TryGetValue(rcpt, out var left) && left > 0)
                        {
                            RefusedForNow[rcpt] = left - 1;
                            await writer.WriteLineAsync("451 4.3.0 try again later");
                        }
                        else
                        {
                            to.Add(rcpt);
                            await writer.WriteLineAsync("250 2.1.5 recipient ok");
                        }

                        break;
                    case "DATA":
                        if (from is null || to.Count == 0)
                        {
                            await writer.WriteLineAsync("503 5.5.1 need MAIL and RCPT first");
                            break;
                        }

                        await writer.WriteLineAsync("354 end data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(data.ToString())));
                        Received.Enqueue((from, to.ToList(), message));
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 queued");
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 reset");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 ok");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 command not recognised");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line.Split(':', 2)[^1].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
