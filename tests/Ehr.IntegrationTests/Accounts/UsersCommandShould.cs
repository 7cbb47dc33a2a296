using System.Diagnostics;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Accounts;

/// <summary><c>./ehr users ...</c> as an operator runs it: a real process against the test database, real exit codes.</summary>
public sealed class UsersCommandShould : IAsyncLifetime
{
    private const string Password = "copper kite above the bay";
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private AccountServices _accounts = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("cli-users");
        _accounts = new AccountServices(_host);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreateGrantListAndUnlockAnAccount()
    {
        var email = AccountServices.UniqueEmail("cli");

        var created = await RunAsync(null, "users", "create", "--email", email, "--name", "Cli Person", "--password", Password);
        var granted = await RunAsync(null, "users", "grant", "--email", email, "--tenant", _tenant.Slug, "--role", "physician", "--role", "nurse");
        var listed = await RunAsync(null, "users", "list", "--tenant", _tenant.Slug);
        for (var i = 0; i < UserAccount.LockoutThreshold; i++)
        {
            await _accounts.SignInAsync(email, "wrong guess " + i);
        }

        var locked = await _accounts.SignInAsync(email, Password);
        var unlocked = await RunAsync(null, "users", "unlock", "--email", email);

        Assert.Equal((0, 0, 0, 0), (created.Exit, granted.Exit, listed.Exit, unlocked.Exit));
        var line = Assert.Single(listed.Output.Split('\n'), l => l.StartsWith(email, StringComparison.Ordinal));
        Assert.Contains($"{_tenant.Slug}: physician, nurse", line, StringComparison.Ordinal);
        Assert.Equal(SignInOutcome.LockedOut, locked.Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await _accounts.SignInAsync(email, Password)).Outcome);
        Assert.Contains(await _accounts.EventsAsync(email), e => e.Event == SecurityEvents.AccountUnlocked);
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.cli", "tenant-admin"));
        var grant = (await admin.GraphQLAsync("{ auditLog(action: \"membership.create\") { edges { node { actorId details } } } }"))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!).Single();
        Assert.Equal("system:users-grant", grant["actorId"]!.GetValue<string>());
        Assert.Contains(email, grant["details"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetTwoStepSignInForSomeoneWhoLostTheirDevice()
    {
        var email = AccountServices.UniqueEmail("lost-phone");
        var user = await _accounts.CreateUserAsync(email, Password);
        var enrolment = await _accounts.RunAsync<BeginTotpEnrolment, TotpEnrolment>(b => b.HandleAsync(user.Id, null, CancellationToken.None));
        var code = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(enrolment.Secret)).ComputeTotp(_accounts.Clock.GetUtcNow().UtcDateTime);
        var codes = await _accounts.RunAsync<ConfirmTotpEnrolment, IReadOnlyList<string>>(c => c.HandleAsync(user.Id, code, null, CancellationToken.None));
        Assert.True((await _accounts.SignInAsync(email, Password)).MfaRequired);

        var reset = await RunAsync(null, "users", "reset-mfa", "--email", email);

        Assert.Equal(0, reset.Exit);
        var after = await _accounts.UserAsync(user.Id);
        Assert.Equal((false, (string?)null), (after.TotpEnabled, after.TotpSecret));
        Assert.NotEqual(user.SecurityStamp, after.SecurityStamp);
        Assert.False((await _accounts.SignInAsync(email, Password)).MfaRequired);
        Assert.Equal(10, codes.Count);
        await using (var sql = await _host.OpenSqlAsync())
        {
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM platform.recovery_codes WHERE user_id = $1", sql);
            count.Parameters.AddWithValue(user.Id);
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }

        Assert.Contains(await _accounts.EventsAsync(email), e => e.Event == SecurityEvents.MfaReset);
    }

    [Fact]
    public async Task ReadThePasswordFromStandardInputWhenNotGiven()
    {
        var email = AccountServices.UniqueEmail("piped");

        var created = await RunAsync(Password + "\n", "users", "create", "--email", email, "--name", "Piped Person");

        Assert.Equal(0, created.Exit);
        Assert.Equal(SignInOutcome.Succeeded, (await _accounts.SignInAsync(email, Password)).Outcome);
    }

    [Fact]
    public async Task ExplainARefusedPasswordOrRoleAndExitNonZero()
    {
        var email = AccountServices.UniqueEmail("weak");

        var weak = await RunAsync(null, "users", "create", "--email", email, "--name", "Weak", "--password", "Password123!");
        var role = await RunAsync(null, "users", "grant", "--email", email, "--tenant", _tenant.Slug, "--role", "wizard");

        Assert.Equal(2, weak.Exit);
        Assert.Contains("VALIDATION_FAILED", weak.Output, StringComparison.Ordinal);
        Assert.Contains("password (COMMON_PASSWORD)", weak.Output, StringComparison.Ordinal);
        Assert.Equal(2, role.Exit);
        Assert.Contains("role (UNKNOWN_REFERENCE)", role.Output, StringComparison.Ordinal);
        Assert.Equal(SignInOutcome.InvalidCredentials, (await _accounts.SignInAsync(email, "Password123!")).Outcome);
    }

    private async Task<(int Exit, string Output)> RunAsync(string? input, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ehr.Host.dll"), .. args])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestDatabase.RepoRoot,
        };
        psi.Environment["EHR_DATABASE_URL"] = TestDatabase.Url;
        psi.Environment["EHR_DATA_DIR"] = _host.DataDir;
        psi.Environment["COLUMNS"] = "200";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
