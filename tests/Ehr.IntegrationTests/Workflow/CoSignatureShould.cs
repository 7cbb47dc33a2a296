using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Forms;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// The starter pack's note co-signature workflow end to end, through GraphQL and the real dispatcher: a nurse
/// practitioner signs a note; the outbox event starts the workflow, which marks the note and puts a task in the inbox
/// of the physicians at the note's location; a physician approves; the note is co-signed; the timeline says who did
/// what. Plus the inbox's rules: only assignees act, a claimed task is its claimer's, refusals change nothing.
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class CoSignatureShould : IAsyncLifetime
{
    private const string NoteFields = "id status signedBy cosignature { status cosignedBy cosignedAt }";

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _np = null!;
    private HttpClient _physician = null!;
    private HttpClient _admin = null!;
    private string _patient = null!;

    public async Task InitializeAsync()
    {
        _host = await WorkflowHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("cosign");
        _np = _host.Client(_host.Token(_tenant.Slug, "np.ray", "nurse-practitioner"));
        _physician = _host.Client(_host.Token(_tenant.Slug, "dr.lee", "physician"));
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.cosign", "tenant-admin"));
        _patient = (await _np.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Data("patients")["nodes"]![0]!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        _np.Dispose();
        _physician.Dispose();
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task RouteANursePractitionersNoteToAPhysicianAndRecordTheCoSignature()
    {
        var note = await SignedNoteAsync(_np);

        var task = await TaskForAsync(_physician, note);
        Assert.Equal(("physician", "open", "note-cosignature"), (task["assigneeRole"]!.GetValue<string>(), task["status"]!.GetValue<string>(),
            task["definitionKey"]!.GetValue<string>()));
        Assert.Equal(_patient, task["patientId"]!.GetValue<string>());
        var awaiting = (await _physician.GraphQLAsync("query($id: ID!) { note(id: $id) { " + NoteFields + " } }", new { id = note })).Data("note");
        Assert.Equal("requested", awaiting["cosignature"]!["status"]!.GetValue<string>());

        var done = (await _physician.GraphQLAsync(Complete, new { id = task["id"]!.GetValue<string>(), outcome = "approve" })).Data("completeWorkflowTask");
        Assert.Equal(("completed", "approve", "dr.lee"), (done["status"]!.GetValue<string>(), done["outcome"]!.GetValue<string>(), done["completedBy"]!.GetValue<string>()));

        var instanceId = task["instanceId"]!.GetValue<string>();
        var instance = await EventuallyAsync(async () =>
        {
            var detail = (await _admin.GraphQLAsync(Instance, new { id = instanceId })).Data("workflowInstance");
            // Done: the instance ended and every effect it asked for carried out (cancelling the escalation timer's job
            // is the dispatcher's, after the step that ended it).
            return detail["instance"]!["status"]!.GetValue<string>() == "completed" && detail["effects"]!.AsArray().All(e => e!["doneAt"] is not null)
                ? detail : null;
        }, "the co-signature to be recorded and its effects carried out");
        Assert.Equal("cosigned", instance["instance"]!["outcome"]!.GetValue<string>());
        var timeline = instance["timeline"]!.AsArray().Select(e => (What: e!["what"]!.GetValue<string>(), Actor: e["actorId"]?.GetValue<string>(),
            Node: e["nodeId"]?.GetValue<string>())).ToList();
        Assert.Equal(
            ["started", "node.passed", "action.invoked", "action.completed", "node.passed", "task.created", "task.decided", "task.completed", "node.passed",
             "action.invoked", "action.completed", "node.passed", "node.passed", "completed"],
            timeline.Select(t => t.What));
        Assert.Equal("np.ray", timeline[0].Actor);
        Assert.Contains(timeline, t => t is { What: "task.completed", Actor: "dr.lee", Node: "cosign" });
        Assert.All(instance["effects"]!.AsArray(), e => Assert.NotNull(e!["doneAt"]));
        // What note.sign really answered (the sign node's output variable) has the fields it declares for signed: the
        // designer's test run answers a sample of those when the tester gives no output.
        var answered = JsonNode.Parse(instance["variables"]!.GetValue<string>())!["cosign"]!.AsObject();
        var declared = (await _admin.GraphQLAsync("{ workflowCatalog { actions { name outputs { outcome name } } } }")).Data("workflowCatalog")["actions"]!
            .AsArray().Single(a => a!["name"]!.GetValue<string>() == "note.sign")!["outputs"]!.AsArray()
            .Where(o => o!["outcome"]!.GetValue<string>() == "signed").Select(f => f!["name"]!.GetValue<string>());
        Assert.Equal(declared, answered.Select(p => p.Key));
        Assert.Equal("dr.lee", answered["cosignedBy"]!.GetValue<string>());

        var cosigned = (await _physician.GraphQLAsync("query($id: ID!) { note(id: $id) { " + NoteFields + " } }", new { id = note })).Data("note");
        Assert.Equal(("cosigned", "dr.lee"), (cosigned["cosignature"]!["status"]!.GetValue<string>(), cosigned["cosignature"]!["cosignedBy"]!.GetValue<string>()));
        var audited = await EventuallyAsync(async () =>
        {
            var entries = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id, action: \"note.cosign\") { edges { node { actorId details } } } }",
                new { id = note })).Data("auditLog")["edges"]!.AsArray();
            return entries.Count > 0 ? entries : null;
        }, "the co-signature's audit entry to be sealed");
        Assert.Equal("system:workflow", Assert.Single(audited)!["node"]!["actorId"]!.GetValue<string>());
    }

    [Fact]
    public async Task LeaveANoteSignedByAPhysicianAlone()
    {
        var note = await SignedNoteAsync(_physician);
        var nurseNote = await SignedNoteAsync(_np);
        await TaskForAsync(_physician, nurseNote);

        // The NP's note, signed after the physician's, has its task: the physician's event was read before it and started nothing.
        Assert.Equal(0, await CountAsync(_host, _tenant,
            $"SELECT count(*) FROM workflow_instances i JOIN domain_events e ON e.id = i.start_event_id WHERE e.subject_id = '{note}'"));
    }

    [Fact]
    public async Task LetOnlyTheTasksAssigneesActOnIt()
    {
        var note = await SignedNoteAsync(_np);
        var task = await TaskForAsync(_physician, note);
        var id = task["id"]!.GetValue<string>();
        using var nurse = _host.Client(_host.Token(_tenant.Slug, "rn.kim", "nurse"));
        // A colleague on the practice's staff (a task is delegated to staff only).
        var ng = (await _host.CreateNamedAsync(_tenant, "Dr Ng", "physician")).Id.ToString();
        using var otherPhysician = _host.Client(_host.Token(_tenant.Slug, ng, "physician"));
        using var biller = _host.Client(_host.Token(_tenant.Slug, "bill.o", "biller"));
        var elsewhere = (await _admin.GraphQLAsync("{ locations { id code } }")).Data("locations").AsArray()
            .First(l => l!["id"]!.GetValue<string>() != task["assigneeLocation"]!.GetValue<string>())!["id"]!.GetValue<string>();
        using var physicianElsewhere = _host.Client(_host.LocationToken(_tenant.Slug, "dr.far", [Guid.Parse(elsewhere)], "physician"));

        Assert.Equal("TASK_NOT_ASSIGNED", (await nurse.GraphQLAsync(Complete, new { id, outcome = "approve" })).Code);
        Assert.Equal("TASK_NOT_ASSIGNED", (await physicianElsewhere.GraphQLAsync(Claim, new { id })).Code);
        Assert.Equal("FORBIDDEN", (await biller.GraphQLAsync(Complete, new { id, outcome = "approve" })).Code);
        Assert.DoesNotContain((await physicianElsewhere.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!.AsArray(),
            t => t!["id"]!.GetValue<string>() == id);

        var claimed = (await otherPhysician.GraphQLAsync(Claim, new { id })).Data("claimWorkflowTask");
        Assert.Equal(("claimed", ng), (claimed["status"]!.GetValue<string>(), claimed["claimedBy"]!.GetValue<string>()));
        Assert.Equal("TASK_CLAIMED", (await _physician.GraphQLAsync(Complete, new { id, outcome = "approve" })).Code);

        var noComment = await otherPhysician.GraphQLAsync(Complete, new { id, outcome = "returnForChanges" });
        var badOutcome = await otherPhysician.GraphQLAsync(Complete, new { id, outcome = "reject", comment = "no" });
        Assert.Equal(("VALIDATION_FAILED", "comment"), (noComment.Code, noComment.FieldPaths.Single()));
        Assert.Equal(("VALIDATION_FAILED", "outcome"), (badOutcome.Code, badOutcome.FieldPaths.Single()));

        // Nothing of the refused attempts was stored: the task is still claimed, the instance still one step on.
        var still = (await otherPhysician.GraphQLAsync(Tasks, new { scope = "MINE" })).Data("workflowTasks")["nodes"]!.AsArray()
            .Single(t => t!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(("claimed", 2), (still["status"]!.GetValue<string>(), still["rowVersion"]!.GetValue<int>()));
        Assert.Equal(0, await CountAsync(_host, _tenant,
            $"SELECT count(*) FROM workflow_history WHERE instance_id = '{task["instanceId"]!.GetValue<string>()}' AND what = 'task.decided'"));

        var released = (await otherPhysician.GraphQLAsync(Release, new { id })).Data("releaseWorkflowTask");
        // Only to someone on the staff: an id that names nobody here is refused, and the task stays as it was.
        var nobody = await _physician.GraphQLAsync(DelegateTask, new { id, user = "dr.nobody", comment = "your patient" });
        Assert.Equal(("VALIDATION_FAILED", "userId", "UNKNOWN_REFERENCE"), (nobody.Code, nobody.FieldPaths.Single(), nobody.Fields()[0]["code"]!.GetValue<string>()));
        var left = await _host.CreateNamedAsync(_tenant, "Dr Left", "physician");
        await _host.ChangeMembershipAsync(left, (m, now) => m.Deactivate(now));
        var patient = await _host.CreateNamedAsync(_tenant, "Pat Portal", "patient");
        foreach (var refused in new[] { left.Id, patient.Id })
        {
            Assert.Equal("UNKNOWN_REFERENCE", (await _physician.GraphQLAsync(DelegateTask, new { id, user = refused.ToString() })).Fields()[0]["code"]!.GetValue<string>());
        }

        Assert.Equal(0, await CountAsync(_host, _tenant, $"SELECT count(*) FROM workflow_history WHERE instance_id = '{task["instanceId"]!.GetValue<string>()}' AND what = 'task.delegated'"));
        var delegated = (await _physician.GraphQLAsync(DelegateTask, new { id, user = ng, comment = "your patient" })).Data("delegateWorkflowTask");
        Assert.Equal("open", released["status"]!.GetValue<string>());
        Assert.Equal((ng, null), (delegated["assigneeUser"]!.GetValue<string>(), delegated["assigneeRole"]?.GetValue<string>()));
        Assert.Equal("TASK_NOT_ASSIGNED", (await _physician.GraphQLAsync(Complete, new { id, outcome = "approve" })).Code);
        var returned = (await otherPhysician.GraphQLAsync(Complete, new { id, outcome = "returnForChanges", comment = "Add the exam findings." }))
            .Data("completeWorkflowTask");
        Assert.Equal("returnForChanges", returned["outcome"]!.GetValue<string>());

        var instance = await EventuallyAsync(async () =>
        {
            var detail = (await _admin.GraphQLAsync(Instance, new { id = task["instanceId"]!.GetValue<string>() })).Data("workflowInstance");
            return detail["instance"]!["status"]!.GetValue<string>() == "completed" ? detail : null;
        }, "the returned note's workflow to end");
        Assert.Equal("returned", instance["instance"]!["outcome"]!.GetValue<string>());
        Assert.Contains(instance["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() == "task.delegated"
                                                              && e["actorId"]!.GetValue<string>() == "dr.lee" && e["comment"]!.GetValue<string>() == "your patient");
        var told = (await _np.GraphQLAsync("{ workflowNotifications { template data recipientUser } }")).Data("workflowNotifications").AsArray();
        Assert.Contains(told, n => n!["template"]!.GetValue<string>() == "note-returned" && n["data"]!.GetValue<string>().Contains("Add the exam findings.", StringComparison.Ordinal));
    }

    private async Task<string> SignedNoteAsync(HttpClient author)
    {
        var draft = (await author.GraphQLAsync("mutation($input: NoteInput!) { startNote(input: $input) { id version } }",
            new { input = new { patientId = _patient, noteType = "progress", title = "Visit", narrative = "Seen today." } })).Data("startNote");
        var signed = (await author.GraphQLAsync("mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { id } }",
            new { id = draft["id"]!.GetValue<string>(), v = draft["version"]!.GetValue<int>() })).Data("signNote");
        return signed["id"]!.GetValue<string>();
    }

    /// <summary>The open co-signature task for <paramref name="note"/> in a physician's inbox, once the dispatcher made it.</summary>
    private static Task<JsonNode> TaskForAsync(HttpClient physician, string note) => EventuallyAsync(async () =>
        (await physician.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!.AsArray()
        .FirstOrDefault(t => t!["definitionKey"]!.GetValue<string>() == "note-cosignature" && t["status"]!.GetValue<string>() == "open"
                             && t["subjectId"]!.GetValue<string>() == note), $"the co-signature task of note {note}");
}
