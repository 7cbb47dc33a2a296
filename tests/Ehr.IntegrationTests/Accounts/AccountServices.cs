using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ehr.IntegrationTests.Accounts;

/// <summary>
/// Calls account use cases as the host composes them, each in a fresh scope, with a <see cref="FakeTimeProvider"/>
/// in place of the system clock so lock-out delays and TOTP steps can be stepped through.
/// </summary>
internal sealed class AccountServices(TestHost host)
{
    // Whole seconds: PostgreSQL keeps microseconds, so times read back compare equal to the ones computed here.
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public static string UniqueEmail(string name) => $"{name}-{Guid.NewGuid():N}@example.org".ToLowerInvariant();

    public async Task<TResult> RunAsync<TUseCase, TResult>(Func<TUseCase, Task<TResult>> call) where TUseCase : class
    {
        await using var scope = host.Services.CreateAsyncScope();
        var useCase = ActivatorUtilities.CreateInstance<TUseCase>(scope.ServiceProvider, Clock);
        return await call(useCase);
    }

    public Task<UserAccount> CreateUserAsync(string email, string password, string name = "Test Person") =>
        RunAsync<CreateUser, UserAccount>(u => u.HandleAsync(new NewUser(email, name, password), CancellationToken.None));

    public Task<SignInAttemptResult> SignInAsync(string email, string password) =>
        RunAsync<PasswordSignIn, SignInAttemptResult>(s => s.SignInAsync(email, password, "203.0.113.7", CancellationToken.None));

    public async Task<UserAccount> UserAsync(Guid id)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Users.AsNoTracking().SingleAsync(u => u.Id == id);
    }

    public async Task<IReadOnlyList<SecurityEvent>> EventsAsync(string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var normalized = UserAccount.NormalizeEmail(email);
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().SecurityEvents.AsNoTracking()
            .Where(e => e.Email == normalized).OrderBy(e => e.Id).ToListAsync();
    }

    /// <summary>Changes a user directly in the platform schema (what an operator's other tools would do).</summary>
    public async Task ChangeUserAsync(Guid id, Action<UserAccount> change)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        change(await db.Users.SingleAsync(u => u.Id == id));
        await db.SaveChangesAsync();
    }
}
