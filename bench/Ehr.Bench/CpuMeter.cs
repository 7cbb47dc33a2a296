using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Ehr.Bench;

/// <summary>
/// Where the CPU of a measured stretch went, read from Linux's <c>/proc</c>: this process, the bench's PostgreSQL
/// cluster (its postmaster, the children it has reaped and the backends still alive), and how busy the whole machine
/// was. A throughput short of its target is either work to cut (CPU per operation) or waiting to overlap (an idle
/// machine); this tells which. Elsewhere than Linux the server's share reads as unknown.
/// </summary>
internal sealed class CpuMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly int? _postmaster;
    private TimeSpan _host;
    private TimeSpan? _server;
    private (long Busy, long All)? _machine;
    private readonly Stopwatch _clock = new();

    private CpuMeter(int? postmaster) => _postmaster = postmaster;

    /// <summary>A meter for the cluster behind <paramref name="databaseUrl"/> (found by the port its postmaster was started on).</summary>
    public static CpuMeter For(string databaseUrl)
    {
        // A URL (postgres://user@host:port/db) or a keyword connection string.
        var port = Uri.TryCreate(databaseUrl, UriKind.Absolute, out var url) && url.Port > 0
            ? url.Port
            : new NpgsqlConnectionStringBuilder(databaseUrl).Port;
        return new CpuMeter(FindPostmaster(port));
    }

    public void Start()
    {
        _host = Process.GetCurrentProcess().TotalProcessorTime;
        _server = ServerCpu();
        _machine = MachineTicks();
        _clock.Restart();
    }

    /// <summary>CPU milliseconds per operation for the host and the server, and the machine's busy share (0..1) since <see cref="Start"/>.</summary>
    public (double HostMs, double? ServerMs, double? MachineBusy) Stop(int operations)
    {
        var host = Process.GetCurrentProcess().TotalProcessorTime - _host;
        var server = ServerCpu() - _server;
        var machine = MachineTicks();
        double? busy = machine is { } m && _machine is { } s && m.All > s.All ? (double)(m.Busy - s.Busy) / (m.All - s.All) : null;
        var n = Math.Max(1, operations);
        return (host.TotalMilliseconds / n, server?.TotalMilliseconds / n, busy);
    }

    private TimeSpan? ServerCpu()
    {
        if (_postmaster is not { } postmaster || ReadStat(postmaster) is not { } own)
        {
            return null;
        }

        // The postmaster's own time and its reaped children's (cutime, cstime), plus every live child's own.
        var ticks = own.UTime + own.STime + own.CUTime + own.CSTime;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ReadStat(pid) is { } child && child.ParentId == postmaster)
            {
                ticks += child.UTime + child.STime;
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private static int? FindPostmaster(int port)
    {
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        var flag = "-p\0" + port.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid)
                    && File.ReadAllText(Path.Combine(dir, "cmdline")) is var cmdline
                    && cmdline.Contains("postgres", StringComparison.Ordinal)
                    && (cmdline.Contains(flag + "\0", StringComparison.Ordinal) || cmdline.EndsWith(flag, StringComparison.Ordinal)))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    private static (int ParentId, long UTime, long STime, long CUTime, long CSTime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // Fields after the command name (which may hold spaces and parentheses): state ppid ... utime(14) stime(15) cutime(16) cstime(17).
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(rest[number - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14), Field(15), Field(16), Field(17));
    }

    private static (long Busy, long All)? MachineTicks()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = cpu[3] + cpu[4]; // idle + iowait
            var all = cpu.Take(8).Sum();
            return (all - idle, all);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
