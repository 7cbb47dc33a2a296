using System.Net.Sockets;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Ehr.Platform.Mail;

public enum SmtpSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS, required (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS: only for a relay on the same machine or a private network you trust.</summary>
    None,
}

/// <summary>The SMTP relay that delivers the e-mail outbox (section <c>Mail</c>). No <see cref="SmtpHost"/>: nothing is sent.</summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Relay account, if it requires one; the password comes from the environment or a secret store.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Sender address, e.g. <c>Ehr.Saas &lt;no-reply@your-domain&gt;</c>. Required with a relay.</summary>
    public string? From { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int BatchSize { get; set; } = 20;

    /// <summary>Temporary failures are retried with back-off until this many attempts, then the message is given up.</summary>
    public int MaxAttempts { get; set; } = 10;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this process delivers the outbox; unset, it does where background jobs run (<c>Jobs:RunServer</c>).</summary>
    public bool? Deliver { get; set; }
}

public static class MailModule
{
    /// <summary>
    /// Delivery runs where background jobs run (<c>Jobs:RunServer</c>, the worker in production, unless <c>Mail:Deliver</c>
    /// says otherwise) and only when a relay
    /// is configured; a bad mail setting stops start-up instead of failing quietly at the first invitation.
    /// </summary>
    public static IServiceCollection AddEhrMail(this IServiceCollection services, IConfiguration configuration, bool runsJobs)
    {
        services.AddOptions<MailOptions>().Bind(configuration.GetSection(MailOptions.SectionName))
            .Validate(o => string.IsNullOrWhiteSpace(o.SmtpHost) || MailboxAddress.TryParse(o.From ?? "", out _),
                "Mail:From must be a valid address when Mail:SmtpHost is set.")
            .Validate(o => o.SmtpPort is > 0 and < 65536, "Mail:SmtpPort must be a TCP port.")
            .Validate(o => string.IsNullOrEmpty(o.Username) || !string.IsNullOrEmpty(o.Password), "Mail:Password is required with Mail:Username.")
            .Validate(o => o.BatchSize > 0 && o.MaxAttempts > 0 && o.PollInterval > TimeSpan.Zero, "Mail:BatchSize, MaxAttempts and PollInterval must be positive.")
            .ValidateOnStart();
        var configured = !string.IsNullOrWhiteSpace(configuration[MailOptions.SectionName + ":" + nameof(MailOptions.SmtpHost)]);
        var delivers = configuration.GetValue<bool?>(MailOptions.SectionName + ":" + nameof(MailOptions.Deliver)) ?? runsJobs;
        if (delivers && configured)
        {
            services.AddSingleton<OutboxMailer>();
            services.AddHostedService(sp => sp.GetRequiredService<OutboxMailer>());
        }

        return services;
    }
}

/// <summary>
/// Delivers <c>platform.email_outbox</c> over SMTP (MailKit). Each batch is claimed with <c>FOR UPDATE SKIP LOCKED</c>,
/// so several workers never send the same message at once, and its outcome is committed after the relay answered.
/// Delivery is at least once: if the process dies between the relay's acceptance and the commit, the message goes
/// again, with the same Message-Id so mail systems can drop the duplicate. Temporary failures (4xx, connection
/// problems) are retried with back-off; a permanent refusal (5xx) ends the tries and is kept in <c>last_error</c>.
/// </summary>
public sealed class OutboxMailer(
    IDbContextFactory<PlatformDbContext> contexts,
    IOptions<MailOptions> options,
    TimeProvider clock,
    ILogger<OutboxMailer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                while (await DeliverBatchAsync(stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "E-mail delivery round failed; trying again in {Interval}", options.Value.PollInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Sends the messages that are due, oldest first; returns how many were tried.</summary>
    internal async Task<int> DeliverBatchAsync(CancellationToken ct)
    {
        var settings = options.Value;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var due = await db.OutboxEmails.SelectFrom(
                $"""
                FROM platform.email_outbox
                WHERE sent_at IS NULL AND failed_at IS NULL AND coalesce(next_attempt_at, created_at) <= {now}
                ORDER BY coalesce(next_attempt_at, created_at) LIMIT {settings.BatchSize}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);
        if (due.Count == 0)
        {
            return 0;
        }

        using var smtp = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        var connected = await ConnectAsync(smtp, due, ct);
        if (connected)
        {
            foreach (var message in due)
            {
                if (!smtp.IsConnected)
                {
                    // The relay dropped us mid-batch: the rest wait for the next round, no attempt counted.
                    break;
                }

                await SendAsync(smtp, message, ct);
            }

            try
            {
                await smtp.DisconnectAsync(quit: true, ct);
            }
            catch (Exception e) when (IsTransportError(e))
            {
                log.LogDebug(e, "SMTP QUIT failed after the batch");
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return due.Count;
    }

    private async Task<bool> ConnectAsync(SmtpClient smtp, IReadOnlyList<OutboxEmail> due, CancellationToken ct)
    {
        var settings = options.Value;
        try
        {
            await smtp.ConnectAsync(settings.SmtpHost!, settings.SmtpPort, settings.Security switch
            {
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            }, ct);
            if (!string.IsNullOrEmpty(settings.Username))
            {
                await smtp.AuthenticateAsync(settings.Username, settings.Password ?? "", ct);
            }

            return true;
        }
        catch (Exception e) when (IsTransportError(e))
        {
            log.LogWarning("SMTP relay {Host}:{Port} unavailable ({Error}); {Count} message(s) wait for a retry",
                settings.SmtpHost, settings.SmtpPort, e.Message, due.Count);
            var now = clock.GetUtcNow();
            foreach (var message in due)
            {
                message.MarkFailed("connect: " + e.Message, permanent: false, now, settings.MaxAttempts);
            }

            return false;
        }
    }

    private async Task SendAsync(SmtpClient smtp, OutboxEmail message, CancellationToken ct)
    {
        try
        {
            await smtp.SendAsync(Compose(message), ct);
            message.MarkSent(clock.GetUtcNow());
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            message.MarkFailed($"{code} {e.Message}", permanent: code >= 500, clock.GetUtcNow(), options.Value.MaxAttempts);
            log.LogWarning("SMTP relay refused message {Id} ({Code}): {Error}", message.Id, code, e.Message);
            if (smtp.IsConnected)
            {
                // Leave the relay's transaction state clean for the next message.
                await smtp.NoOpAsync(ct);
            }
        }
        catch (Exception e) when (IsTransportError(e))
        {
            message.MarkFailed(e.Message, permanent: false, clock.GetUtcNow(), options.Value.MaxAttempts);
            log.LogWarning("Sending message {Id} failed: {Error}", message.Id, e.Message);
        }
    }

    private MimeMessage Compose(OutboxEmail email)
    {
        var from = MailboxAddress.Parse(options.Value.From!);
        var message = new MimeMessage
        {
            Subject = email.Subject,
            // Stable across retries, so a message sent twice (crash after the relay accepted it) can be recognised.
            MessageId = $"{email.Id:N}@{from.Domain}",
            Date = email.CreatedAt,
            Body = new TextPart("plain") { Text = email.Body },
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(email.ToAddress));
        return message;
    }

    private static bool IsTransportError(Exception e) =>
        e is SocketException or IOException or TimeoutException or ProtocolException or CommandException
            or AuthenticationException or SslHandshakeException or ServiceNotConnectedException or FormatException
            or System.Security.Authentication.AuthenticationException;
}
