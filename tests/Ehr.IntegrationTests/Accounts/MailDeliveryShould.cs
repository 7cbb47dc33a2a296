using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.Options;

namespace Ehr.IntegrationTests.Accounts;

/// <summary>
/// The e-mail outbox reaches people through an SMTP relay: what the relay receives (sender, recipient, subject, the
/// invitation link, a stable Message-Id), retries with back-off after a temporary refusal, and no more tries after a
/// permanent one.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Disposed in DisposeAsync (xunit IAsyncLifetime).")]
public sealed class MailDeliveryShould : IAsyncLifetime
{
    private FakeSmtpServer _relay = null!;
    private TestHost _host = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _relay = new FakeSmtpServer();
        _host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            // The mailer alone: a job server here would take other tests' jobs and stop with them unfinished.
            ["Mail:Deliver"] = "true",
            ["Mail:SmtpHost"] = "127.0.0.1",
            ["Mail:SmtpPort"] = _relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Security"] = "None",
            ["Mail:From"] = "Ehr.Saas <no-reply@ehr.test>",
            ["Mail:PollInterval"] = "00:00:00.200",
        });
        _tenant = await _host.CreateTenantAsync("mail");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task DeliverAnInvitationThroughTheRelay()
    {
        var email = $"new.{Guid.NewGuid():N}@example.test";
        await Admin().InviteAsync(email, ["nurse"]);

        var message = await Eventually(() => _relay.FirstTo(email));
        // The relay has the message before the sender commits its sent mark.
        var row = await Eventually(async () => await OutboxRowAsync(email) is { SentAt: not null } r ? r : null);

        Assert.Equal("no-reply@ehr.test", ((MimeKit.MailboxAddress)message.From[0]).Address);
        Assert.Equal(email, ((MimeKit.MailboxAddress)message.To[0]).Address);
        Assert.Contains(_tenant.DisplayName, message.Subject, StringComparison.Ordinal);
        Assert.Contains("/account/invitation?token=" + await _host.InvitationTokenAsync(email), message.TextBody, StringComparison.Ordinal);
        Assert.Equal($"{row.Id:N}@ehr.test", message.MessageId);
        Assert.Equal(1, row.Attempts);
    }

    [Fact]
    public async Task RetryATemporaryRefusalAfterABackOff()
    {
        var email = $"busy.{Guid.NewGuid():N}@example.test";
        _relay.RefusedForNow[email] = 1;
        await Admin().InviteAsync(email, ["nurse"]);

        var failed = await Eventually(async () => await OutboxRowAsync(email) is { Attempts: 1 } r ? r : null);
        Assert.Null(failed.SentAt);
        Assert.Null(failed.FailedAt);
        Assert.StartsWith("451", failed.LastError, StringComparison.Ordinal);
        Assert.True(failed.NextAttemptAt > DateTimeOffset.UtcNow.AddSeconds(30), "the retry waits a back-off period");
        Assert.Empty(_relay.To(email));

        // An operator (or the passing minute) makes it due again: it goes on the next round.
        await using (var sql = await _host.OpenSqlAsync())
        {
            await using var due = new Npgsql.NpgsqlCommand("UPDATE platform.email_outbox SET next_attempt_at = now() - interval '1 second' WHERE to_address = $1", sql);
            due.Parameters.AddWithValue(email);
            await due.ExecuteNonQueryAsync();
        }

        await Eventually(() => _relay.FirstTo(email));
        var sent = await Eventually(async () => await OutboxRowAsync(email) is { SentAt: not null } r ? r : null);
        Assert.Equal(2, sent.Attempts);
    }

    [Fact]
    public async Task GiveUpOnAPermanentRefusal()
    {
        var email = $"gone.{Guid.NewGuid():N}@example.test";
        _relay.Refused[email] = true;
        await Admin().InviteAsync(email, ["nurse"]);

        var failed = await Eventually(async () => await OutboxRowAsync(email) is { FailedAt: not null } r ? r : null);
        Assert.StartsWith("550", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(1, failed.Attempts);
        Assert.Null(failed.NextAttemptAt);

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await OutboxRowAsync(email)).Attempts);
        Assert.Empty(_relay.To(email));
    }

    [Fact]
    public async Task RefuseToStartWithARelayButNoSender()
    {
        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mail:SmtpHost"] = "127.0.0.1",
        }));
        Assert.Contains("Mail:From", error.Message, StringComparison.Ordinal);
    }

    private HttpClient Admin() => _host.Client(_host.Token(_tenant.Slug, "admin.mail", "tenant-admin"));

    private sealed record OutboxRow(Guid Id, DateTimeOffset? SentAt, int Attempts, string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset? FailedAt);

    private async Task<OutboxRow> OutboxRowAsync(string email)
    {
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT id, sent_at, attempts, last_error, next_attempt_at, failed_at FROM platform.email_outbox WHERE to_address = $1", sql);
        cmd.Parameters.AddWithValue(email);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the invitation e-mail is in the outbox");
        return new OutboxRow(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt32(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
    }

    private static Task<T> Eventually<T>(Func<T?> probe) where T : class => Eventually(() => Task.FromResult(probe()));

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the mailer");
            await Task.Delay(100);
        }
    }
}
