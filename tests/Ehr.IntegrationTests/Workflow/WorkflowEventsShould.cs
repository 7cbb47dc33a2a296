using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Jobs;
using Ehr.Platform.Tenancy;
using Ehr.Workflow.Triggers;
using Microsoft.Extensions.DependencyInjection;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// Domain events start workflows exactly once: the consumer's position commits with the instances it starts, an event
/// read again (a position lost, two consumers at once) starts nothing more, and each event meets the version in force
/// at its location (a location's override before the tenant's standard).
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class WorkflowEventsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _np = null!;
    private HttpClient _physician = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await WorkflowHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("wf-events");
        _np = _host.Client(_host.Token(_tenant.Slug, "np.ev", "nurse-practitioner"));
        _physician = _host.Client(_host.Token(_tenant.Slug, "dr.ev", "physician"));
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.ev", "tenant-admin"));
    }

    public async Task DisposeAsync()
    {
        _np.Dispose();
        _physician.Dispose();
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task StartOneInstanceWhenTheSameEventIsDeliveredTwice()
    {
        var note = await SignedNoteAsync(await PatientAtAsync("MAIN"));
        await TaskForAsync(note);
        var started = $"SELECT count(*) FROM workflow_instances i JOIN domain_events e ON e.id = i.start_event_id WHERE e.subject_id = '{note}' AND e.type = 'note.signed'";
        Assert.Equal(1, await CountAsync(_host, _tenant, started));

        // Events raised from here on (the co-signature action's own, run by the dispatcher) may come after the drains.
        var lastBefore = await CountAsync(_host, _tenant, "SELECT max(seq) FROM domain_events");

        // The position lost (as if its row had been restored from an old backup): every event is read again, twice at once.
        await ExecAsync(_host, $"SET ROLE ehr_owner; UPDATE {_tenant.SchemaName}.workflow_event_position SET tx_id = '0', seq = 0");
        var scope = _host.Services.GetRequiredService<TenantJobScope>();
        var consumers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            scope.RunAsync(_tenant.Slug, "test", sp => sp.GetRequiredService<EventConsumer>().DrainAsync(CancellationToken.None), CancellationToken.None)));

        Assert.True(consumers.Sum() > 0, "the events were read again");
        Assert.Equal(1, await CountAsync(_host, _tenant, started));
        Assert.Equal(1, await CountAsync(_host, _tenant,
            $"SELECT count(*) FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id JOIN domain_events e ON e.id = i.start_event_id WHERE e.subject_id = '{note}'"));
        // The position passes every event that existed before the drains: at once unless a transaction older than
        // the last of them was still open (the dispatcher's); those were handled ahead, and it passes them after.
        await EventuallyAsync(async () =>
        {
            await scope.RunAsync(_tenant.Slug, "test", sp => sp.GetRequiredService<EventConsumer>().DrainAsync(CancellationToken.None), CancellationToken.None);
            return await CountAsync(_host, _tenant,
                $"SELECT count(*) FROM domain_events e, workflow_event_position p WHERE e.seq <= {lastBefore} AND (e.tx_id, e.seq) > (p.tx_id, p.seq)") == 0
                ? "caught up" : null;
        }, "the position to pass every event that existed before the drains");
        Assert.Equal(1, await CountAsync(_host, _tenant, started));
    }

    [Fact]
    public async Task StartWorkflowsWhileALongTransactionIsOpenAndStillHandleItsLateEventOnce()
    {
        var patient = await PatientAtAsync("MAIN");
        var first = await SignedNoteAsync(patient);
        await TaskForAsync(first);

        // A transaction that stays open (an import, a report): it holds back the cluster's horizon, and raises an
        // event (a copy of the first note's) that commits only at its end, after events raised later.
        await using var slow = await _host.OpenSqlAsync();
        await using (var enter = new Npgsql.NpgsqlCommand($"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}", slow))
        {
            await enter.ExecuteNonQueryAsync();
        }

        await using var slowTx = await slow.BeginTransactionAsync();
        var late = Guid.NewGuid();
        await using (var raise = new Npgsql.NpgsqlCommand(
            "INSERT INTO domain_events (id, type, subject_type, subject_id, location_id, payload, actor_id, occurred_at) " +
            $"SELECT '{late}', type, subject_type, subject_id, location_id, payload, actor_id, now() FROM domain_events WHERE type = 'note.signed' AND subject_id = '{first}'; " +
            $"SELECT pg_notify('ehr_domain_events', '{_tenant.Slug}')", slow, slowTx))
        {
            await raise.ExecuteNonQueryAsync();
        }

        // A note signed meanwhile gets its co-signature task without waiting for the open transaction: its event is
        // handled ahead of the horizon, noted as such, and the position stays behind the open transaction.
        var second = await SignedNoteAsync(patient);
        await EventuallyAsync(async () => (await _physician.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!.AsArray()
            .FirstOrDefault(t => t!["subjectId"]!.GetValue<string>() == second), "the second note's task while a transaction is open", seconds: 20);
        var secondEvent = $"(SELECT seq FROM domain_events WHERE type = 'note.signed' AND subject_id = '{second}')";
        Assert.Equal(1, await CountAsync(_host, _tenant, $"SELECT count(*) FROM workflow_events_ahead WHERE seq = {secondEvent}"));
        Assert.Equal(1, await CountAsync(_host, _tenant,
            $"SELECT count(*) FROM workflow_event_position p, domain_events e WHERE e.seq = {secondEvent} AND (p.tx_id, p.seq) < (e.tx_id, e.seq)"));

        // The open transaction commits: its event, behind the position's horizon until now, starts its workflow once;
        // the position then passes everything and nothing is left noted ahead.
        await slowTx.CommitAsync();
        var lateStarted = $"SELECT count(*) FROM workflow_instances WHERE start_event_id = '{late}'";
        await EventuallyAsync(async () => await CountAsync(_host, _tenant, lateStarted) == 1 ? "started" : null, "the late event's workflow");
        var scope = _host.Services.GetRequiredService<TenantJobScope>();
        await EventuallyAsync(async () =>
        {
            await scope.RunAsync(_tenant.Slug, "test", sp => sp.GetRequiredService<EventConsumer>().DrainAsync(CancellationToken.None), CancellationToken.None);
            return await CountAsync(_host, _tenant, $"SELECT count(*) FROM workflow_events_ahead WHERE seq <= {secondEvent}") == 0 &&
                   await CountAsync(_host, _tenant,
                       $"SELECT count(*) FROM workflow_event_position p, domain_events e WHERE e.seq = {secondEvent} AND (p.tx_id, p.seq) < (e.tx_id, e.seq)") == 0
                ? "passed" : null;
        }, "the position to pass the events handled ahead");

        Assert.Equal(1, await CountAsync(_host, _tenant, lateStarted));
        Assert.Equal(1, await CountAsync(_host, _tenant,
            $"SELECT count(*) FROM workflow_instances i JOIN domain_events e ON e.id = i.start_event_id WHERE e.subject_id = '{second}'"));
        Assert.Equal(1, await CountAsync(_host, _tenant,
            $"SELECT count(*) FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id JOIN domain_events e ON e.id = i.start_event_id WHERE e.subject_id = '{second}'"));
    }

    [Fact]
    public async Task StartTheVersionInForceAtTheEventsLocation()
    {
        var locations = (await _admin.GraphQLAsync("{ locations { id code } }")).Data("locations").AsArray();
        var north = locations.Single(l => l!["code"]!.GetValue<string>() == "NORTH")!["id"]!.GetValue<string>();
        var standard = (await _admin.GraphQLAsync("{ workflowDefinitions(key: \"note-cosignature\") { id content } }")).Data("workflowDefinitions")[0]!;
        // NORTH's override sends NPs' notes to the medical director instead.
        var content = standard["content"]!.GetValue<string>().Replace("\"role\": \"physician\", \"atSubjectLocation\": true", "\"role\": \"medical-director\"", StringComparison.Ordinal);
        var draft = (await _admin.GraphQLAsync(CreateDraft, new { input = new { key = "note-cosignature", locationId = north, title = "Co-signature (North)", content } }))
            .Data("createWorkflowDraft");
        var overridden = (await _admin.GraphQLAsync(Publish, new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() }))
            .Data("publishWorkflowDefinition");

        var atNorth = await SignedNoteAsync(await PatientAtAsync("NORTH"));
        var atMain = await SignedNoteAsync(await PatientAtAsync("MAIN"));
        using var director = _host.Client(_host.Token(_tenant.Slug, "dr.dir", "medical-director"));
        var northTask = await EventuallyAsync(async () => (await director.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!
            .AsArray().FirstOrDefault(t => t!["subjectId"]!.GetValue<string>() == atNorth), "the North note's task for the director");
        var mainTask = await TaskForAsync(atMain);

        var northInstance = (await _admin.GraphQLAsync(Instance, new { id = northTask["instanceId"]!.GetValue<string>() })).Data("workflowInstance")["instance"]!;
        var mainInstance = (await _admin.GraphQLAsync(Instance, new { id = mainTask["instanceId"]!.GetValue<string>() })).Data("workflowInstance")["instance"]!;
        Assert.Equal(overridden["id"]!.GetValue<string>(), northInstance["definitionVersionId"]!.GetValue<string>());
        Assert.Equal(standard["id"]!.GetValue<string>(), mainInstance["definitionVersionId"]!.GetValue<string>());
        Assert.Equal(north, northInstance["locationId"]!.GetValue<string>());
    }

    private async Task<string> PatientAtAsync(string locationCode)
    {
        await using var conn = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            $"SET ROLE {_tenant.SchemaName}; SELECT p.id::text FROM {_tenant.SchemaName}.patients p JOIN {_tenant.SchemaName}.locations l ON l.id = p.home_location_id " +
            $"WHERE l.code = '{locationCode}' AND p.restriction IS NULL LIMIT 1", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<string> SignedNoteAsync(string patient)
    {
        var draft = (await _np.GraphQLAsync("mutation($input: NoteInput!) { startNote(input: $input) { id version } }",
            new { input = new { patientId = patient, noteType = "progress", title = "Visit", narrative = "Seen." } })).Data("startNote");
        return (await _np.GraphQLAsync("mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { id } }",
            new { id = draft["id"]!.GetValue<string>(), v = draft["version"]!.GetValue<int>() })).Data("signNote")["id"]!.GetValue<string>();
    }

    private Task<System.Text.Json.Nodes.JsonNode> TaskForAsync(string note) => EventuallyAsync(async () =>
        (await _physician.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!.AsArray()
        .FirstOrDefault(t => t!["subjectId"]!.GetValue<string>() == note), $"the co-signature task of {note}");
}
