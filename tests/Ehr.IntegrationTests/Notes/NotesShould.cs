using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;
using Npgsql;

namespace Ehr.IntegrationTests.Notes;

/// <summary>
/// Clinical notes: drafted by clinicians, signed by those who may sign, immutable once signed (in the application and
/// in the database), corrected only by amendment, addendum or entered-in-error, each step audited and raised as an event.
/// </summary>
public sealed class NotesShould : IAsyncLifetime
{
    private const string Fields = "id patientId noteType title status narrative answers addendumTo authorId signedBy signedAt errorReason version revisions { revision narrative reason authorId }";
    private const string Start = "mutation($input: NoteInput!) { startNote(input: $input) { " + Fields + " } }";
    private const string Edit = "mutation($id: ID!, $v: Int!, $title: String, $narrative: String!, $answers: String) { editNote(id: $id, expectedVersion: $v, title: $title, narrative: $narrative, answers: $answers) { " + Fields + " } }";
    private const string Sign = "mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { " + Fields + " } }";
    private const string Amend = "mutation($id: ID!, $v: Int!, $narrative: String!, $reason: String!) { amendNote(id: $id, expectedVersion: $v, narrative: $narrative, reason: $reason) { " + Fields + " } }";
    private const string Addendum = "mutation($id: ID!, $narrative: String!) { addAddendum(noteId: $id, narrative: $narrative) { " + Fields + " } }";
    private const string MarkError = "mutation($id: ID!, $v: Int!, $reason: String!) { markNoteEnteredInError(id: $id, expectedVersion: $v, reason: $reason) { " + Fields + " } }";
    private const string Get = "query($id: ID!) { note(id: $id) { " + Fields + " } }";
    private const string List = "query($p: ID!, $first: Int, $after: String) { notes(patientId: $p, first: $first, after: $after) { nodes { " + Fields + " } pageInfo { hasNextPage endCursor } } }";
    private static readonly string[] CareTeam = ["dr.notes"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _doctor = null!;
    private HttpClient _nurse = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("notes");
        _doctor = _host.Client(_host.Token(_tenant.Slug, "dr.notes", "physician"));
        _nurse = _host.Client(_host.Token(_tenant.Slug, "np.notes", "nurse"));
    }

    public Task DisposeAsync()
    {
        _doctor.Dispose();
        _nurse.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task FreezeANoteWhenItIsSigned()
    {
        var patient = await PatientAsync();
        var draft = await DataAsync(_doctor, Start, "startNote", new { input = new { patientId = patient, noteType = "soap", title = "Follow-up", narrative = "S: better" } });
        var id = draft["id"]!.GetValue<string>();
        var edited = await DataAsync(_doctor, Edit, "editNote", new { id, v = 1, narrative = "S: better. O: BP 128/82." });
        var signed = await DataAsync(_doctor, Sign, "signNote", new { id, v = edited["version"]!.GetValue<int>() });

        Assert.Equal(("signed", "dr.notes", "S: better. O: BP 128/82."), (signed["status"]!.GetValue<string>(), signed["signedBy"]!.GetValue<string>(), signed["narrative"]!.GetValue<string>()));
        Assert.Equal("CONFLICT", (await _doctor.GraphQLAsync(Edit, new { id, v = signed["version"]!.GetValue<int>(), narrative = "changed" })).Code);

        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}");
        foreach (var statement in new[]
                 {
                     $"UPDATE note_revisions SET narrative = 'tampered' WHERE note_id = '{id}'",
                     $"UPDATE notes SET status = 'draft' WHERE id = '{id}'",
                 })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, statement));
            Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, refused.SqlState);
        }

        var delete = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, $"DELETE FROM notes WHERE id = '{id}'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);

        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.notes", "tenant-admin"));
        var actions = (await admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action } } } }", new { id }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["note.signed", "note.edited", "note.drafted"], actions);
        Assert.Equal(1L, await ScalarAsync(sql, $"SELECT count(*) FROM domain_events WHERE type = 'note.signed' AND subject_id = '{id}'"));
    }

    [Fact]
    public async Task AmendWithAReasonAndKeepEverySignedRevision()
    {
        var (id, version) = await SignedNoteAsync("Original text");

        Assert.Equal("VALIDATION_FAILED", (await _doctor.GraphQLAsync(Amend, new { id, v = version, narrative = "x", reason = "" })).Code);
        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(Amend, new { id, v = version, narrative = "x", reason = "Wrong dose recorded" })).Code);
        var amended = await DataAsync(_doctor, Amend, "amendNote", new { id, v = version, narrative = "Corrected text", reason = "Wrong dose recorded" });

        Assert.Equal(("amended", "Corrected text"), (amended["status"]!.GetValue<string>(), amended["narrative"]!.GetValue<string>()));
        var revisions = amended["revisions"]!.AsArray();
        Assert.Equal([("Original text", (string?)null), ("Corrected text", "Wrong dose recorded")],
            revisions.Select(r => (r!["narrative"]!.GetValue<string>(), r["reason"]?.GetValue<string>())));
        Assert.Equal("VERSION_CONFLICT", (await _doctor.GraphQLAsync(Amend, new { id, v = version, narrative = "again", reason = "Second try" })).Code);
    }

    [Fact]
    public async Task LetANurseDraftAndAPhysicianSign()
    {
        var patient = await PatientAsync();
        var draft = await DataAsync(_nurse, Start, "startNote", new { input = new { patientId = patient, noteType = "progress", title = "Nursing note", narrative = "Vitals stable" } });
        var id = draft["id"]!.GetValue<string>();

        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(Sign, new { id, v = 1 })).Code);
        Assert.Equal("FORBIDDEN", (await _doctor.GraphQLAsync(Edit, new { id, v = 1, narrative = "not mine" })).Code);
        var signed = await DataAsync(_doctor, Sign, "signNote", new { id, v = 1 });
        Assert.Equal(("np.notes", "dr.notes"), (signed["authorId"]!.GetValue<string>(), signed["signedBy"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AddAddendaOnlyToSignedNotes()
    {
        var patient = await PatientAsync();
        var draft = await DataAsync(_doctor, Start, "startNote", new { input = new { patientId = patient, noteType = "procedure", title = "Excision", narrative = "Done" } });
        Assert.Equal("CONFLICT", (await _doctor.GraphQLAsync(Addendum, new { id = draft["id"]!.GetValue<string>(), narrative = "Too early" })).Code);

        var (id, _) = await SignedNoteAsync("Procedure note", patient);
        var addendum = await DataAsync(_doctor, Addendum, "addAddendum", new { id, narrative = "Pathology: benign" });
        Assert.Equal((id, "draft"), (addendum["addendumTo"]!.GetValue<string>(), addendum["status"]!.GetValue<string>()));
        Assert.StartsWith("Addendum: ", addendum["title"]!.GetValue<string>(), StringComparison.Ordinal);
        await DataAsync(_doctor, Sign, "signNote", new { id = addendum["id"]!.GetValue<string>(), v = 1 });
        Assert.Equal("signed", (await DataAsync(_doctor, Get, "note", new { id }))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task MarkNotesEnteredInErrorWithTheRightToDoSo()
    {
        var patient = await PatientAsync();
        var draft = await DataAsync(_nurse, Start, "startNote", new { input = new { patientId = patient, noteType = "progress", title = "Wrong chart", narrative = "..." } });
        var withdrawn = await DataAsync(_nurse, MarkError, "markNoteEnteredInError", new { id = draft["id"]!.GetValue<string>(), v = 1, reason = "Wrong patient's chart" });
        Assert.Equal("entered-in-error", withdrawn["status"]!.GetValue<string>());

        var (id, version) = await SignedNoteAsync("Signed in the wrong chart", patient);
        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(MarkError, new { id, v = version, reason = "Wrong patient's chart" })).Code);
        var marked = await DataAsync(_doctor, MarkError, "markNoteEnteredInError", new { id, v = version, reason = "Wrong patient's chart" });
        Assert.Equal(("entered-in-error", "Wrong patient's chart"), (marked["status"]!.GetValue<string>(), marked["errorReason"]!.GetValue<string>()));
        Assert.Equal("CONFLICT", (await _doctor.GraphQLAsync(Amend, new { id, v = marked["version"]!.GetValue<int>(), narrative = "x", reason = "Too late now" })).Code);
    }

    [Theory]
    [InlineData("type", "input.noteType")]
    [InlineData("title", "input.title")]
    [InlineData("answers", "input.answers")]
    public async Task RefuseABadNoteWithItsFieldPathAndStoreNothing(string problem, string path)
    {
        var patient = await PatientAsync();
        object input = problem switch
        {
            "type" => new { patientId = patient, noteType = "gossip", title = "T", narrative = "" },
            "title" => new { patientId = patient, noteType = "progress", title = " ", narrative = "" },
            _ => new { patientId = patient, noteType = "progress", title = "T", narrative = "", answers = """{"resourceType":"Patient"}""" },
        };

        var result = await _doctor.GraphQLAsync(Start, new { input });

        Assert.Equal(("VALIDATION_FAILED", path), (result.Code, Assert.Single(result.FieldPaths)));
        Assert.Empty((await DataAsync(_doctor, List, "notes", new { p = patient }))["nodes"]!.AsArray());
    }

    [Fact]
    public async Task ShowAPatientTheirSignedNotesOnly()
    {
        var patient = await PatientAsync();
        var (signedId, _) = await SignedNoteAsync("Visit summary", patient);
        var draft = await DataAsync(_doctor, Start, "startNote", new { input = new { patientId = patient, noteType = "progress", title = "Unfinished", narrative = "..." } });
        using var self = _host.Client(_host.PatientToken(_tenant.Slug, "patient.notes", Guid.Parse(patient)));

        var mine = (await DataAsync(self, List, "notes", new { p = patient }))["nodes"]!.AsArray();
        Assert.Equal([signedId], mine.Select(n => n!["id"]!.GetValue<string>()));
        Assert.Null((await self.GraphQLAsync(Get, new { id = draft["id"]!.GetValue<string>() })).DataOrThrow["note"]);
        Assert.Equal("NOT_FOUND", (await self.GraphQLAsync(List, new { p = await PatientAsync() })).Code);
        Assert.Equal("FORBIDDEN", (await self.GraphQLAsync(Start, new { input = new { patientId = patient, noteType = "other", title = "Mine", narrative = "" } })).Code);
    }

    [Fact]
    public async Task PageNewestFirstAndRefuseOutsidersOfARestrictedRecord()
    {
        var patient = await PatientAsync();
        for (var i = 0; i < 3; i++)
        {
            await DataAsync(_doctor, Start, "startNote", new { input = new { patientId = patient, noteType = "progress", title = "Note " + i, narrative = "" } });
        }

        var first = await DataAsync(_doctor, List, "notes", new { p = patient, first = 2 });
        var rest = await DataAsync(_doctor, List, "notes", new { p = patient, first = 2, after = first["pageInfo"]!["endCursor"]!.GetValue<string>() });
        Assert.Equal(["Note 2", "Note 1", "Note 0"], first["nodes"]!.AsArray().Concat(rest["nodes"]!.AsArray()).Select(n => n!["title"]!.GetValue<string>()));
        Assert.False(rest["pageInfo"]!["hasNextPage"]!.GetValue<bool>());

        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.notes", "tenant-admin"));
        (await admin.GraphQLAsync(AccessGraph.Restrict, new { id = patient, v = 1, restriction = "employee", careTeam = CareTeam })).DataOrThrow.ToString();
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.outside", "physician"));
        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(List, new { p = patient })).Code);
        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(Start, new { input = new { patientId = patient, noteType = "other", title = "Peek", narrative = "" } })).Code);
    }

    private async Task<(string Id, int Version)> SignedNoteAsync(string narrative, string? patient = null)
    {
        patient ??= await PatientAsync();
        var draft = await DataAsync(_doctor, Start, "startNote", new { input = new { patientId = patient, noteType = "progress", title = "Visit", narrative } });
        var signed = await DataAsync(_doctor, Sign, "signNote", new { id = draft["id"]!.GetValue<string>(), v = 1 });
        return (signed["id"]!.GetValue<string>(), signed["version"]!.GetValue<int>());
    }

    private async Task<string> PatientAsync() =>
        (await _doctor.RegisterAsync(PatientGraph.Input("Note", "Patient" + Guid.NewGuid().ToString("N")[..6])))["id"]!.GetValue<string>();

    private static async Task<JsonNode> DataAsync(HttpClient client, string document, string field, object variables) =>
        (await client.GraphQLAsync(document, variables)).DataOrThrow[field]!;

    private static async Task Exec(NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
