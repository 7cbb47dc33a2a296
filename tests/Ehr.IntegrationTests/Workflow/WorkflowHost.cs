using System.Diagnostics;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Npgsql;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// Workflow test classes run one after another (this collection), each with a host of its own that runs the workflow
/// dispatcher and a job server polling fast; the shared host runs no dispatcher. So the crash test's child processes
/// are the only workers of their tenant while it runs.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WorkflowTests
{
    public const string Name = "workflow-runtime";
}

internal static class WorkflowHost
{
    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Jobs:RunServer"] = "true",
        ["Jobs:QueuePollInterval"] = "00:00:00.200",
        ["Jobs:SchedulePollingInterval"] = "00:00:00.500",
        ["Jobs:WorkerCount"] = "2",
        ["Workflow:RunWorkers"] = "true",
        ["Workflow:SweepInterval"] = "00:00:02",
    };

    public static Task<TestHost> StartAsync(TimeProvider? clock = null) => TestHost.StartAsync(new Dictionary<string, string?>(Settings), clock);

    /// <summary>
    /// Polls <paramref name="probe"/> until it gives a value (the dispatcher works after the commit that asked for it),
    /// failing with <paramref name="what"/> after <paramref name="seconds"/>. A bound, not a timing assertion.
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, int seconds = 60) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"Still waiting after {seconds} s for {what}.");
            }

            await Task.Delay(100);
        }
    }

    public static async Task<long> CountAsync(TestHost host, Tenant tenant, string sql)
    {
        await using var conn = await host.OpenSqlAsync();
        await using var cmd = new NpgsqlCommand($"SET ROLE {tenant.SchemaName}; SET search_path = {tenant.SchemaName}, ext; " + sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task ExecAsync(TestHost host, string sql)
    {
        await using var conn = await host.OpenSqlAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static JsonNode Data(this GraphQLResult result, string field) => result.DataOrThrow[field]!;
}

/// <summary>The GraphQL documents the workflow tests send.</summary>
internal static class WorkflowGraph
{
    public const string TaskFields = "id instanceId bookmarkId nodeId subjectType subjectId definitionKey title priority assigneeRole assigneeUser assigneeLocation outcomes formKey dueAt status claimedBy outcome comment completedBy escalationLevel patientId rowVersion";
    public const string Tasks = "query($scope: WorkflowTaskScope, $patientId: ID, $closed: Boolean) { workflowTasks(scope: $scope, patientId: $patientId, includeClosed: $closed) { nodes { " + TaskFields + " } } }";
    public const string Complete = "mutation($id: ID!, $outcome: String!, $comment: String, $form: ID) { completeWorkflowTask(id: $id, outcome: $outcome, comment: $comment, formResponseId: $form) { " + TaskFields + " } }";
    public const string Claim = "mutation($id: ID!) { claimWorkflowTask(id: $id) { " + TaskFields + " } }";
    public const string Release = "mutation($id: ID!) { releaseWorkflowTask(id: $id) { " + TaskFields + " } }";
    public const string DelegateTask = "mutation($id: ID!, $user: String!, $comment: String) { delegateWorkflowTask(id: $id, userId: $user, comment: $comment) { " + TaskFields + " } }";
    public const string InstanceFields = "id definitionKey definitionVersionId status outcome subjectType subjectId locationId patientId startedBy steps openIncidents";
    public const string Instance = "query($id: ID!) { workflowInstance(id: $id) { instance { " + InstanceFields + " } variables waiting { bookmarkId kind nodeId dueAt jobId incidentCode } timeline { seq step what nodeId bookmarkId actorId outcome comment detail } tasks { " + TaskFields + " } incidents { bookmarkId nodeId code message resolvedAt resolution } effects { type bookmarkId doneAt result attempts lastError } } }";
    public const string Instances = "query($key: String, $status: String, $incidents: Boolean) { workflowInstances(definitionKey: $key, status: $status, withIncidents: $incidents) { nodes { " + InstanceFields + " } } }";
    public const string Start = "mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { " + InstanceFields + " } }";
    public const string CreateDraft = "mutation($input: WorkflowDraftInput!) { createWorkflowDraft(input: $input) { id key version status rowVersion } }";
    public const string Publish = "mutation($id: ID!, $v: Int!, $note: String) { publishWorkflowDefinition(id: $id, expectedVersion: $v, note: $note) { id key version status rowVersion } }";
    public const string Retry = "mutation($id: ID!, $b: String!) { retryWorkflowIncident(instanceId: $id, bookmarkId: $b) { instance { " + InstanceFields + " } } }";
    public const string Cancel = "mutation($id: ID!, $reason: String!) { cancelWorkflowInstance(id: $id, reason: $reason) { instance { " + InstanceFields + " } tasks { id status cancelledReason } } }";
    public const string Migrate = "mutation($id: ID!, $to: ID!) { migrateWorkflowInstance(id: $id, toVersionId: $to) { instance { " + InstanceFields + " } timeline { what actorId detail } } }";
    public const string MigrationCheck = "query($id: ID!, $to: ID!) { workflowMigrationCheck(instanceId: $id, toVersionId: $to) { allowed reasons { nodeId code message } } }";
    public const string DefineEndpoint = "mutation($input: WebhookEndpointInput!) { defineWebhookEndpoint(input: $input) { key url rowVersion } }";

    /// <summary>Drafts and publishes a definition as a tenant standard; its version id.</summary>
    public static async Task<string> PublishAsync(HttpClient admin, string key, string content)
    {
        var draft = (await admin.GraphQLAsync(CreateDraft, new { input = new { key, title = key, content } })).Data("createWorkflowDraft");
        var published = (await admin.GraphQLAsync(Publish, new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() }))
            .Data("publishWorkflowDefinition");
        return published["id"]!.GetValue<string>();
    }

    public static string ToJson(object value) => System.Text.Json.JsonSerializer.Serialize(value);
}
