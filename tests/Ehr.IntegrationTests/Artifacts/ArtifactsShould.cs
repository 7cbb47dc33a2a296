using System.Text.Json;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.IntegrationTests.Artifacts;

/// <summary>
/// Configuration artifacts (ARCHITECTURE.md): drafts edited, published versions frozen (also by the database),
/// retired versions out of resolution, a location's override before the tenant's standard, every step checked and
/// audited. A kind defined here stands in for the modules' kinds (forms, workflows).
/// </summary>
public sealed class ArtifactsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private IReadOnlyList<Location> _locations = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("artifacts");
        await using var scope = _host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(Actor.System("artifacts test", _tenant.Slug));
        _locations = await scope.ServiceProvider.GetRequiredService<LocationDirectory>().ListAsync(default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ResolveTheLocationsOverrideThenTheTenantsStandardAndSkipDraftsAndRetiredVersions()
    {
        var key = Key();
        var (main, branch) = (_locations[0].Id, _locations[1].Id);
        var v1 = await PublishAsync(await DraftAsync(new NewDraft(NoteKind.Name, key, null, "Standard", Doc("standard v1"))));
        var local = await PublishAsync(await DraftAsync(new NewDraft(NoteKind.Name, key, branch, "Branch", Doc("branch v1"))));

        Assert.Equal(v1.Id, (await ResolveAsync(key, null))!.Id);
        Assert.Equal(v1.Id, (await ResolveAsync(key, main))!.Id);
        Assert.Equal(local.Id, (await ResolveAsync(key, branch))!.Id);
        Assert.Equal(1, local.Version);

        var v2 = await DraftAsync(new NewDraft(NoteKind.Name, null, null, null, Doc("standard v2"), From: v1.Id));
        Assert.Equal((key, 2, "Standard"), (v2.Key, v2.Version, v2.Title));
        Assert.Equal(v1.Id, (await ResolveAsync(key, main))!.Id);
        v2 = await PublishAsync(v2, "Adds the second section");
        Assert.Equal(v2.Id, (await ResolveAsync(key, main))!.Id);
        Assert.Equal("Adds the second section", v2.Note);

        await RunLifecycleAsync(l => l.RetireAsync(v2.Id, v2.RowVersion, default));
        Assert.Equal(v1.Id, (await ResolveAsync(key, main))!.Id);
        Assert.Equal([2, 1, 1], (await RunAsync<ReadArtifacts, IReadOnlyList<Artifact>>("tenant-admin", r => r.VersionsAsync(NoteKind.Name, key, default))).Select(a => a.Version));
        Assert.Null(await ResolveAsync(Key(), main));
    }

    [Fact]
    public async Task KeepPublishedVersionsFrozenInTheApplicationAndInTheDatabase()
    {
        var published = await PublishAsync(await DraftAsync(new NewDraft(NoteKind.Name, Key(), null, "Frozen", Doc("as published"))));

        var edit = await Assert.ThrowsAsync<EhrException>(() => RunLifecycleAsync(l => l.EditAsync(published.Id, published.RowVersion, null, Doc("changed"), default)));
        Assert.Equal(ErrorCodes.Conflict, edit.Code);
        var discard = await Assert.ThrowsAsync<EhrException>(() => RunLifecycleAsync(l => l.DiscardAsync(published.Id, published.RowVersion, default)));
        Assert.Equal(ErrorCodes.Conflict, discard.Code);

        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_tenant.SchemaName}");
        foreach (var statement in new[]
                 {
                     $"UPDATE {_tenant.SchemaName}.artifacts SET content = '{{\"text\":\"tampered\"}}' WHERE id = '{published.Id}'",
                     $"UPDATE {_tenant.SchemaName}.artifacts SET status = 'draft', published_at = NULL WHERE id = '{published.Id}'",
                     $"DELETE FROM {_tenant.SchemaName}.artifacts WHERE id = '{published.Id}'",
                 })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, statement));
            Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, refused.SqlState);
        }

        Assert.Equal(Doc("as published"), (await RunAsync<ReadArtifacts, Artifact?>("tenant-admin", r => r.GetAsync(published.Id, default)))!.Content);
    }

    [Fact]
    public async Task EditAndDiscardDraftsWithTheVersionTheCallerSaw()
    {
        var draft = await DraftAsync(new NewDraft(NoteKind.Name, Key(), null, "Draft", Doc("first")));
        var edited = await RunLifecycleAsync(l => l.EditAsync(draft.Id, draft.RowVersion, "Draft, edited", Doc("second"), default));
        Assert.Equal((2, "Draft, edited", Doc("second")), (edited.RowVersion, edited.Title, edited.Content));

        var stale = await Assert.ThrowsAsync<EhrException>(() => RunLifecycleAsync(l => l.EditAsync(draft.Id, draft.RowVersion, null, Doc("third"), default)));
        Assert.Equal(ErrorCodes.VersionConflict, stale.Code);

        await RunLifecycleAsync(l => l.DiscardAsync(edited.Id, edited.RowVersion, default));
        Assert.Null(await RunAsync<ReadArtifacts, Artifact?>("tenant-admin", r => r.GetAsync(edited.Id, default)));
        var again = await DraftAsync(new NewDraft(NoteKind.Name, edited.Key, null, "Again", Doc("again")));
        Assert.Equal(1, again.Version);
    }

    [Theory]
    [InlineData("kind", "input.kind", ErrorCodes.UnknownReference)]
    [InlineData("key", "input.key", ErrorCodes.InvalidFormat)]
    [InlineData("title", "input.title", ErrorCodes.Required)]
    [InlineData("not-json", "input.content", ErrorCodes.InvalidFormat)]
    [InlineData("array", "input.content", ErrorCodes.InvalidFormat)]
    [InlineData("kind-rule", "input.content.text", ErrorCodes.InvalidFormat)]
    [InlineData("location", "input.locationId", ErrorCodes.UnknownReference)]
    public async Task RefuseABadDraftWithItsFieldPath(string problem, string path, string code)
    {
        var input = new NewDraft(NoteKind.Name, Key(), null, "Title", Doc("fine"));
        input = problem switch
        {
            "kind" => input with { Kind = "no-such-kind" },
            "key" => input with { Key = "Has Spaces" },
            "title" => input with { Title = "  " },
            "not-json" => input with { Content = "{ not json" },
            "array" => input with { Content = "[1, 2]" },
            "kind-rule" => input with { Content = """{"text": 42}""" },
            _ => input with { LocationId = Guid.NewGuid() },
        };

        var before = await CountAsync();
        var error = await Assert.ThrowsAsync<EhrException>(() => DraftAsync(input));

        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        var field = Assert.Single(error.FieldErrors);
        Assert.Equal((path, code), (field.Path, field.Code));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task RefuseToResolveAMalformedKey()
    {
        var error = await Assert.ThrowsAsync<EhrException>(() => ResolveAsync("Not A Key", null));
        Assert.Equal(("key", ErrorCodes.InvalidFormat), (Assert.Single(error.FieldErrors).Path, error.FieldErrors[0].Code));
    }

    private async Task<long> CountAsync()
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_tenant.SchemaName}");
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {_tenant.SchemaName}.artifacts", sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task RefuseASecondDraftAndAnIncompletePublication()
    {
        var key = Key();
        var draft = await DraftAsync(new NewDraft(NoteKind.Name, key, null, "Incomplete", """{"text": "TODO"}"""));

        var second = await Assert.ThrowsAsync<EhrException>(() => DraftAsync(new NewDraft(NoteKind.Name, key, null, "Second", Doc("x"))));
        Assert.Equal(ErrorCodes.Duplicate, Assert.Single(second.FieldErrors).Code);

        var publish = await Assert.ThrowsAsync<EhrException>(() => RunLifecycleAsync(l => l.PublishAsync(draft.Id, draft.RowVersion, null, default)));
        Assert.Equal("content.text", Assert.Single(publish.FieldErrors).Path);
        Assert.Equal(ArtifactStatus.Draft, (await RunAsync<ReadArtifacts, Artifact?>("tenant-admin", r => r.GetAsync(draft.Id, default)))!.Status);
    }

    [Fact]
    public async Task LeaveManagingToItsPermissionAndAuditEveryStep()
    {
        var refused = await Assert.ThrowsAsync<EhrException>(() => RunAsync<CreateDraft, Artifact>("nurse",
            c => c.HandleAsync(new NewDraft(NoteKind.Name, Key(), null, "Nope", Doc("x")), default)));
        Assert.Equal(ErrorCodes.Forbidden, refused.Code);
        var published = await PublishAsync(await DraftAsync(new NewDraft(NoteKind.Name, Key(), null, "Audited", Doc("x"))), "First release");
        Assert.NotNull(await RunAsync<ReadArtifacts, Artifact?>("nurse", r => r.GetAsync(published.Id, default)));

        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.artifacts", "tenant-admin"));
        var actions = (await admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action actorId } } } }", new { id = published.Id.ToString() }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["artifact.publish", "artifact.draft"], actions);
    }

    private static string Key() => "doc-" + Guid.NewGuid().ToString("N")[..10];

    private static string Doc(string text) => JsonSerializer.Serialize(new { text });

    private Task<Artifact> DraftAsync(NewDraft input) => RunAsync<CreateDraft, Artifact>("tenant-admin", c => c.HandleAsync(input, default));

    private Task<Artifact> PublishAsync(Artifact draft, string? note = null) => RunLifecycleAsync(l => l.PublishAsync(draft.Id, draft.RowVersion, note, default));

    private Task<Artifact?> ResolveAsync(string key, Guid? location) =>
        RunAsync<ReadArtifacts, Artifact?>("nurse", r => r.ResolveAsync(NoteKind.Name, key, location, default));

    private Task<Artifact> RunLifecycleAsync(Func<ArtifactLifecycle, Task<Artifact>> work) => RunAsync("tenant-admin", work);

    /// <summary>A use case as the host composes it, in the tenant, as a person with <paramref name="role"/>, with the test kind registered.</summary>
    private async Task<T> RunAsync<TUseCase, T>(string role, Func<TUseCase, Task<T>> work) where TUseCase : class
    {
        await using var scope = _host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(new Actor(role + ".artifacts", _tenant.Slug, [role], "127.0.0.1", PurposeOfUse.SystemAdministration));
        var useCase = ActivatorUtilities.CreateInstance<TUseCase>(scope.ServiceProvider, new ArtifactKindRegistry([new NoteKind()]));
        return await work(useCase);
    }

    private static async Task Exec(NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A kind of artifact for the test: <c>{"text": "..."}</c>, and "TODO" is fine in a draft but not published.</summary>
    private sealed class NoteKind : IArtifactKind
    {
        public const string Name = "test-note";

        public string Kind => Name;

        public string ReadPermission => Permissions.LocationRead;

        public string ManagePermission => Permissions.TenantAdmin;

        public IReadOnlyList<FieldError> Check(string content, bool publishing)
        {
            using var document = JsonDocument.Parse(content);
            if (!document.RootElement.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                return [new FieldError("text", ErrorCodes.InvalidFormat, "text is a string.")];
            }

            return publishing && text.GetString()!.Contains("TODO", StringComparison.Ordinal)
                ? [new FieldError("text", ErrorCodes.InvalidFormat, "Finish the TODOs before publishing.")]
                : [];
        }
    }
}
