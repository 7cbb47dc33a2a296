using Ehr.Forms.Responses;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Incidents;
using Ehr.Workflow.Instances;
using Ehr.Workflow.Notifications;
using Ehr.Workflow.Tasks;
using Ehr.Workflow.Webhooks;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// Workflows: definitions (read <c>workflow.read</c>, change <c>workflow.manage</c>), starting one by hand
/// (<c>workflow.start</c>), the inbox (<c>workflow.task</c>: only a task's assignees act on it), instances with their
/// timelines, incidents and migrations (<c>workflow.read</c> / <c>workflow.manage</c>), web hook endpoints and the
/// notifications workflows send.
/// </summary>
internal static class WorkflowFields
{
    public static void AddWorkflowQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowDefinitionType>>>>("workflowDefinitions")
            .Description("Every version (drafts, published, retired) of one key, or of every key: by key, tenant standard first, then each location's overrides, newest first.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<StringGraphType>("key")
            .ResolveAsync(async c => await c.Service<ReadWorkflowDefinitions>().VersionsAsync(c.GetArgument<string?>("key"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowDefinitionType>>>>("workflowDefinitionsInForce")
            .Description("The version of each workflow in force at a location (its published override, else the tenant's published standard); without locationId, the standards.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<IdGraphType>("locationId")
            .ResolveAsync(async c => await c.Service<ReadWorkflowDefinitions>().InForceAsync(OptionalId(c, "locationId"), c.CancellationToken));

        query.Field<WorkflowDefinitionType>("workflowDefinition").Description("One version by id (retired ones too: instances keep them); null when there is none.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<ReadWorkflowDefinitions>().GetAsync(c.Uuid("id"), c.CancellationToken));

        query.Field<NonNullGraphType<StringGraphType>>("workflowDefinitionSchema")
            .Description("The published JSON Schema (draft 2020-12) of workflow definitions, for an editor that validates as you type.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Resolve(c => c.Service<ReadWorkflowDefinitions>().Schema());

        query.Field<NonNullGraphType<WorkflowCatalogType>>("workflowCatalog")
            .Description("The actions workflows may call and the events they may start on, as the modules registered them.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Resolve(c => c.Service<ReadWorkflowDefinitions>().Catalog());

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowProblemType>>>>("validateWorkflowDefinition")
            .Description("Every problem of a definition (saved or not), each with its node id, code and path; checked as for publishing unless publishing is false (then only unreadable JSON counts). Stores nothing.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<StringGraphType>>("content")
            .Argument<BooleanGraphType>("publishing", a => a.DefaultValue = true)
            .Resolve(c => c.Service<ReadWorkflowDefinitions>().Validate(c.GetArgument<string>("content"), c.GetArgument<bool>("publishing")));

        query.Field<NonNullGraphType<WorkflowTestRunType>>("testRunWorkflow")
            .Description("A dry run of a definition (saved or not) through the engine alone, before publishing: a sample event payload or the manual start's inputs, then the moves so far (decide a task slot, fire a timer, answer an action or web hook, retry an incident), replayed from the start. Actions answer with the outcome and output chosen for their node (default done, else the first, with a sample of the action's declared output), web hooks with the status and body chosen for theirs (default 200, no body); scripts run in the real sandbox. Stores nothing, calls no module, sends nothing.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<WorkflowTestRunInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<WorkflowTestRunArguments>("input");
                return await c.Service<TestRunWorkflow>().HandleAsync(new WorkflowTestRunInput(input.Content, input.Event, input.Inputs,
                    Arguments.OptionalUuid(input.LocationId, "input.locationId"),
                    input.Moves?.Select(m => new WorkflowTestMove(m.BookmarkId, m.Outcome, m.Comment, m.ActorId)).ToList(),
                    input.ActionOutcomes?.Select(a => new WorkflowTestActionOutcome(a.NodeId, a.Outcome, a.Output)).ToList(),
                    input.StartAt, input.SubjectId,
                    input.WebhookResponses?.Select(w => new WorkflowTestWebhookResponse(w.NodeId, w.Status, w.Body)).ToList()), c.CancellationToken);
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowDefinitionType>>>>("startableWorkflows")
            .Description("The workflows started by hand that are in force at a location, with their inputs (what startWorkflow takes).")
            .RequiresPermission(Permissions.WorkflowStart)
            .Argument<IdGraphType>("locationId")
            .ResolveAsync(async c => await c.Service<StartWorkflowInstance>().StartableAsync(OptionalId(c, "locationId"), c.CancellationToken));

        query.Field<NonNullGraphType<WorkflowTaskConnectionType>>("workflowTasks")
            .Description("The inbox, newest first: tasks assigned to you (MINE: to your user or claimed by you), to your roles at your locations (MY_ROLES), both (ASSIGNED), every task on one patient (PATIENT, with patientId: read like the chart), or every task of the tenant (ALL, with workflow.manage). Open ones unless includeClosed.")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<WorkflowTaskScopeType>("scope", a => a.DefaultValue = TaskScope.Assigned)
            .Argument<IdGraphType>("patientId")
            .Argument<BooleanGraphType>("includeClosed", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c => await c.Service<ListWorkflowTasks>().HandleAsync(new TaskQuery(c.GetArgument<TaskScope>("scope"),
                OptionalId(c, "patientId"), c.GetArgument<bool>("includeClosed"), c.GetArgument<int>("first"), c.GetArgument<string?>("after")),
                c.CancellationToken));

        query.Field<FormDefinitionType>("workflowTaskForm")
            .Description("The form a task asks for, to fill in and send with the decision (completeWorkflowTask formAnswers): its version in force at the task's location. For those who may read the task (and fill in forms: form.respond); null when the task names no form, no version is in force, or the task is not yours to read.")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<NonNullGraphType<IdGraphType>>("taskId")
            .ResolveAsync(async c =>
            {
                var task = await c.Service<GetWorkflowTask>().HandleAsync(c.Uuid("taskId"), c.CancellationToken);
                return task?.FormKey is { } key
                    ? (await c.Service<GetFormToFill>().HandleAsync(key, task.LocationId ?? task.AssigneeLocation, c.CancellationToken))?.Definition
                    : null;
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StaffMemberType>>>>("staffDirectory")
            .Description("The tenant's active staff by name, to say who holds a task and to pick whom to delegate to: search by name (every word) and/or look up user ids. Id, name, roles and locations only (no e-mail). Needs workflow.task; refused to patients.")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<StringGraphType>("search")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("ids", "User ids to name (as tasks and timelines give them); ids that are not an active colleague's are left out.")
            .Argument<IntGraphType>("first", a => a.DefaultValue = 20)
            .ResolveAsync(async c => await c.Service<SearchStaffDirectory>().HandleAsync(c.GetArgument<string?>("search"),
                c.GetArgument<List<string>?>("ids"), c.GetArgument<int>("first"), c.CancellationToken));

        query.Field<WorkflowTaskType>("workflowTask")
            .Description("One task, for its assignees, its claimer, whoever decided it and holders of workflow.read; null otherwise.")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetWorkflowTask>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        query.Field<NonNullGraphType<WorkflowInstanceConnectionType>>("workflowInstances")
            .Description("Instances, newest first: by status (running, completed, cancelled), definition key, patient, or only those with open incidents.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<StringGraphType>("status")
            .Argument<StringGraphType>("definitionKey")
            .Argument<IdGraphType>("patientId")
            .Argument<BooleanGraphType>("withIncidents", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c => await c.Service<ListWorkflowInstances>().HandleAsync(new InstanceQuery(c.GetArgument<string?>("status"),
                c.GetArgument<string?>("definitionKey"), OptionalId(c, "patientId"), c.GetArgument<bool>("withIncidents"), c.GetArgument<int>("first"),
                c.GetArgument<string?>("after")), c.CancellationToken));

        query.Field<WorkflowInstanceDetailType>("workflowInstance")
            .Description("One instance with where it waits, its variables, its timeline, tasks, incidents and effects; null when there is none.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetWorkflowInstance>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowTimelineEntryType>>>>("workflowTimeline")
            .Description("An instance's timeline, oldest first, after the entry whose seq is given (0: from the start).")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<NonNullGraphType<IdGraphType>>("instanceId")
            .Argument<IntGraphType>("after", a => a.DefaultValue = 0)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 200)
            .ResolveAsync(async c => await c.Service<GetWorkflowInstance>().TimelineAsync(c.Uuid("instanceId"), c.GetArgument<int>("after"),
                c.GetArgument<int>("first"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowIncidentType>>>>("workflowIncidents")
            .Description("Incidents (a failing step: its node, code and message), newest first; open ones unless includeResolved.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<BooleanGraphType>("includeResolved", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 100)
            .ResolveAsync(async c => await c.Service<ListWorkflowIncidents>().HandleAsync(c.GetArgument<bool>("includeResolved"), c.GetArgument<int>("first"),
                c.CancellationToken));

        query.Field<NonNullGraphType<WorkflowMigrationCheckType>>("workflowMigrationCheck")
            .Description("Whether an instance may move to another published version of its workflow now, and if not, every reason with its node.")
            .RequiresPermission(Permissions.WorkflowRead)
            .Argument<NonNullGraphType<IdGraphType>>("instanceId")
            .Argument<NonNullGraphType<IdGraphType>>("toVersionId")
            .ResolveAsync(async c => await c.Service<MigrateWorkflowInstance>().CheckAsync(c.Uuid("instanceId"), c.Uuid("toVersionId"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WebhookEndpointType>>>>("webhookEndpoints")
            .Description("The tenant's web hook endpoints (never their secrets).")
            .RequiresPermission(Permissions.WorkflowRead)
            .ResolveAsync(async c => await c.Service<WebhookEndpoints>().ListAsync(c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowNotificationType>>>>("workflowNotifications")
            .Description("Notifications workflows sent to you or to your roles at your locations, newest first.")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<BooleanGraphType>("unreadOnly", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .ResolveAsync(async c => await c.Service<WorkflowNotifications>().MineAsync(c.GetArgument<bool>("unreadOnly"), c.GetArgument<int>("first"),
                c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowNotificationType>>>>("portalNotifications")
            .Description("In the patient portal: notifications workflows sent about the records you may see (a refill approved ...), newest first. Empty for staff.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<BooleanGraphType>("unreadOnly", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .ResolveAsync(async c => await c.Service<WorkflowNotifications>().PortalAsync(c.GetArgument<bool>("unreadOnly"), c.GetArgument<int>("first"),
                c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<PatientFlagType>>>>("patientFlags")
            .Description("The flags on a patient's chart (alerts such as a flagged intake answer), newest first; read like the chart.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .ResolveAsync(async c => await c.Service<Ehr.Clinical.Patients.ListPatientFlags>().HandleAsync(c.Uuid("patientId"), c.CancellationToken));
    }

    public static void AddWorkflowMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<WorkflowDefinitionType>>("createWorkflowDraft")
            .Description("Starts a draft: a new key, the next version of a key, or (with locationId) a location's override; with from, a copy of that version. A draft need only be JSON; one draft per key and scope.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<WorkflowDraftInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<ArtifactDraftArguments>("input");
                return await c.Service<ChangeWorkflowDefinitions>().CreateDraftAsync(new NewWorkflowDraft(input.Key,
                    Arguments.OptionalUuid(input.LocationId, "input.locationId"), input.Title, input.Content, Arguments.OptionalUuid(input.From, "input.from")),
                    c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<WorkflowDefinitionType>>("editWorkflowDraft")
            .Description("Changes a draft's title and content (null keeps each). VERSION_CONFLICT unless expectedVersion is its rowVersion.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("title")
            .Argument<StringGraphType>("content")
            .ResolveAsync(async c => await c.Service<ChangeWorkflowDefinitions>().EditAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("title"), c.GetArgument<string?>("content"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowDefinitionType>>("publishWorkflowDefinition")
            .Description("Publishes a draft after checking the schema and the whole graph (VALIDATION_FAILED: each problem a field content.<path> with its code and nodeId); from then on it never changes, and new events start it.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("note", "What changed, for the version history (at most 1000 characters).")
            .ResolveAsync(async c => await c.Service<ChangeWorkflowDefinitions>().PublishAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("note"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowDefinitionType>>("retireWorkflowDefinition")
            .Description("Takes a published version out of resolution: no new instance starts on it; running instances keep it.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<ChangeWorkflowDefinitions>().RetireAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<BooleanGraphType>>("discardWorkflowDraft")
            .Description("Deletes a draft (only drafts can be deleted).")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<ChangeWorkflowDefinitions>().DiscardAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowInstanceType>>("startWorkflow")
            .Description("Starts a workflow whose trigger is manual (startableWorkflows lists them), at a location, optionally on a patient, with its inputs (a JSON object). With requestId, a retried start returns the instance the first one started.")
            .RequiresPermission(Permissions.WorkflowStart)
            .Argument<NonNullGraphType<StartWorkflowInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<StartWorkflowArguments>("input");
                return await c.Service<StartWorkflowInstance>().HandleAsync(new ManualStart(input.Key, Arguments.OptionalUuid(input.LocationId, "input.locationId"),
                    Arguments.OptionalUuid(input.PatientId, "input.patientId"), input.Inputs, input.RequestId), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<WorkflowTaskType>>("claimWorkflowTask")
            .Description("Claims an open task you are an assignee of: only you decide it until you release it (TASK_NOT_ASSIGNED, TASK_CLAIMED, TASK_CLOSED).")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<IntGraphType>("expectedVersion")
            .ResolveAsync(async c => await c.Service<ClaimWorkflowTask>().HandleAsync(c.Uuid("id"), c.GetArgument<int?>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowTaskType>>("releaseWorkflowTask")
            .Description("Gives a task you claimed back to its assignees (workflow.manage: anyone's).")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<IntGraphType>("expectedVersion")
            .ResolveAsync(async c => await c.Service<ReleaseWorkflowTask>().HandleAsync(c.Uuid("id"), c.GetArgument<int?>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowTaskType>>("delegateWorkflowTask")
            .Description("Hands an open task you are an assignee of (workflow.manage: any) to one user, with an optional comment for the timeline.")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<StringGraphType>>("userId")
            .Argument<StringGraphType>("comment")
            .Argument<IntGraphType>("expectedVersion")
            .ResolveAsync(async c => await c.Service<DelegateWorkflowTask>().HandleAsync(c.Uuid("id"), c.GetArgument<string>("userId"),
                c.GetArgument<string?>("comment"), c.GetArgument<int?>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowTaskType>>("completeWorkflowTask")
            .Description("Decides a task you are an assignee of (its claimer, when claimed): an outcome it offers, a comment (required to reject or return for changes), and the response to its form when it names one. The instance moves on in the same transaction.")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<StringGraphType>>("outcome", "approve, reject or returnForChanges (those the task offers).")
            .Argument<StringGraphType>("comment")
            .Argument<IdGraphType>("formResponseId", "A submitted response to the task's form (or send formAnswers instead).")
            .Argument<StringGraphType>("formAnswers", "The answers to the task's form (QuestionnaireResponse JSON), filed as a submitted response on the task's patient in the same transaction as the decision: a problem with them (VALIDATION_FAILED on formAnswers.item[...]) or a refused decision stores neither.")
            .Argument<IdGraphType>("formVersionId", "With formAnswers: the form version they answer (workflowTaskForm's id); by default the version in force at the task's location.")
            .Argument<IntGraphType>("expectedVersion")
            .ResolveAsync(async c => await c.Service<CompleteWorkflowTask>().HandleAsync(c.Uuid("id"), new TaskDecision(c.GetArgument<string>("outcome"),
                c.GetArgument<string?>("comment"), OptionalId(c, "formResponseId"), c.GetArgument<int?>("expectedVersion"))
            {
                FormAnswers = c.GetArgument<string?>("formAnswers"),
                FormVersionId = OptionalId(c, "formVersionId"),
            }, c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowInstanceDetailType>>("retryWorkflowIncident")
            .Description("Runs the failed step of an incident again (INCIDENT_RESOLVED when it was resolved already).")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<IdGraphType>>("instanceId")
            .Argument<NonNullGraphType<StringGraphType>>("bookmarkId")
            .ResolveAsync(async c => await c.Service<RetryWorkflowIncident>().HandleAsync(c.Uuid("instanceId"), c.GetArgument<string>("bookmarkId"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowInstanceDetailType>>("cancelWorkflowInstance")
            .Description("Stops a running instance with a reason (5-500 characters): its tasks are withdrawn and timers cancelled (INSTANCE_CLOSED when it is closed already).")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .ResolveAsync(async c => await c.Service<CancelWorkflowInstance>().HandleAsync(c.Uuid("id"), c.GetArgument<string>("reason"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WorkflowInstanceDetailType>>("migrateWorkflowInstance")
            .Description("Moves a waiting instance to another published version of its workflow, only while everything it waits for exists alike in both (MIGRATION_REFUSED with every reason otherwise). Audited.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IdGraphType>>("toVersionId")
            .ResolveAsync(async c => await c.Service<MigrateWorkflowInstance>().HandleAsync(c.Uuid("id"), c.Uuid("toVersionId"), c.CancellationToken));

        mutation.Field<NonNullGraphType<WebhookEndpointType>>("defineWebhookEndpoint")
            .Description("Creates a web hook endpoint, or replaces its URL and secret (with expectedVersion). https only (plain http to a loopback address); the secret (16-200 characters) signs every delivery and is never shown again.")
            .RequiresPermission(Permissions.WorkflowManage)
            .Argument<NonNullGraphType<WebhookEndpointInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<WebhookEndpointArguments>("input");
                return await c.Service<WebhookEndpoints>().DefineAsync(input.Key, input.Url, input.Secret, input.Description, input.ExpectedVersion, c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<WorkflowNotificationType>>("markWorkflowNotificationRead")
            .Description("Marks a notification addressed to you or your roles read (the first reader is kept).")
            .RequiresPermission(Permissions.WorkflowTask)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<WorkflowNotifications>().MarkReadAsync(c.Uuid("id"), c.CancellationToken));
    }

    private static Guid? OptionalId(IResolveFieldContext context, string name) => Arguments.OptionalUuid(context.GetArgument<string?>(name), name);
}

internal sealed class WorkflowDefinitionType : ObjectGraphType<WorkflowDefinitionVersion>
{
    public WorkflowDefinitionType()
    {
        Name = "WorkflowDefinition";
        this.ProjectsParent();
        Description = "One version of a workflow definition (versioned JSON: nodes and edges). Instances pin the exact version they started on.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("This version's id: what an instance pins.").Resolve(c => c.Source.Artifact.Id);
        Field<NonNullGraphType<StringGraphType>>("key").Resolve(c => c.Source.Artifact.Key);
        Field<IdGraphType>("locationId").Description("Null: the tenant's standard; else that location's override.").Resolve(c => c.Source.Artifact.LocationId);
        Field<NonNullGraphType<IntGraphType>>("version").Resolve(c => c.Source.Artifact.Version);
        Field<NonNullGraphType<StringGraphType>>("status").Description("draft, published or retired.").Resolve(c => c.Source.Artifact.Status);
        Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Artifact.Title);
        Field<StringGraphType>("description").Resolve(c => c.Source.Description);
        Field<StringGraphType>("triggerType").Description("event or manual (null while a draft does not parse).").Resolve(c => c.Source.TriggerType);
        Field<StringGraphType>("triggerEvent").Description("The domain event it starts on.").Resolve(c => c.Source.TriggerEvent);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowStartInputType>>>>("inputs").Description("A manual start's inputs.").Resolve(c => c.Source.Inputs);
        Field<NonNullGraphType<StringGraphType>>("content").Description("The definition (JSON) exactly as saved.").Resolve(c => c.Source.Artifact.Content);
        Field<StringGraphType>("versionNote").Resolve(c => c.Source.Artifact.Note);
        Field<NonNullGraphType<StringGraphType>>("source").Description("tenant, or pack:<name> for a starter pack's.").Resolve(c => c.Source.Artifact.Source);
        Field<NonNullGraphType<StringGraphType>>("createdBy").Resolve(c => c.Source.Artifact.CreatedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.Artifact.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.Artifact.UpdatedAt);
        Field<StringGraphType>("publishedBy").Resolve(c => c.Source.Artifact.PublishedBy);
        Field<DateTimeOffsetGraphType>("publishedAt").Resolve(c => c.Source.Artifact.PublishedAt);
        Field<StringGraphType>("retiredBy").Resolve(c => c.Source.Artifact.RetiredBy);
        Field<DateTimeOffsetGraphType>("retiredAt").Resolve(c => c.Source.Artifact.RetiredAt);
        Field<NonNullGraphType<IntGraphType>>("rowVersion").Description("Send it back as expectedVersion.").Resolve(c => c.Source.Artifact.RowVersion);
    }
}

internal sealed class WorkflowStartInputType : ObjectGraphType<WorkflowStartInput>
{
    public WorkflowStartInputType()
    {
        Name = "WorkflowStartInput";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("type").Description("any, string, number, boolean, object or array.").Resolve(c => c.Source.Type.ToString().ToLowerInvariant());
        Field<NonNullGraphType<BooleanGraphType>>("required").Resolve(c => c.Source.Required);
        Field<StringGraphType>("description").Resolve(c => c.Source.Description);
        Field<StringGraphType>("default").Description("The default value as JSON.").Resolve(c => c.Source.Default);
    }
}

internal sealed class WorkflowProblemType : ObjectGraphType<WorkflowDefinitionProblem>
{
    public WorkflowProblemType()
    {
        Name = "WorkflowProblem";
        this.ProjectsParent();
        Field<StringGraphType>("nodeId").Description("The node it concerns; null for the whole definition.").Resolve(c => c.Source.NodeId);
        Field<NonNullGraphType<StringGraphType>>("code").Description("A stable code, e.g. NODE_UNREACHABLE, EDGE_UNKNOWN_NODE, SCRIPT_INVALID.").Resolve(c => c.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("message").Resolve(c => c.Source.Message);
        Field<StringGraphType>("path").Description("Where in the JSON, e.g. nodes[3].assignee.role.").Resolve(c => c.Source.Path);
    }
}

internal sealed class WorkflowCatalogType : ObjectGraphType<WorkflowCatalogView>
{
    public WorkflowCatalogType()
    {
        Name = "WorkflowCatalog";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowActionDescriptorType>>>>("actions").Resolve(c => c.Source.Actions);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowEventDescriptorType>>>>("events").Resolve(c => c.Source.Events);
    }
}

internal sealed class WorkflowActionDescriptorType : ObjectGraphType<WorkflowActionDescriptor>
{
    public WorkflowActionDescriptorType()
    {
        Name = "WorkflowActionDescriptor";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("description").Resolve(c => c.Source.Description);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowParameterType>>>>("inputs").Resolve(c => c.Source.Inputs);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("outcomes").Resolve(c => c.Source.Outcomes);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowActionOutputFieldType>>>>("outputs")
            .Description("Each field of the output object the action answers with, with the outcome it comes with (an outcome without fields answers no output).")
            .Resolve(c => (c.Source.Outputs ?? []).SelectMany(o => o.Fields.Select(f => (o.Outcome, Field: f))).ToList());
    }
}

/// <summary>One field of an action's output, flattened with its outcome (a list in a list in a list would cost more than the complexity limit allows).</summary>
internal sealed class WorkflowActionOutputFieldType : ObjectGraphType<(string Outcome, WorkflowParameter Field)>
{
    public WorkflowActionOutputFieldType()
    {
        Name = "WorkflowActionOutputField";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("outcome").Description("The outcome the field comes with.").Resolve(c => c.Source.Outcome);
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Field.Name);
        Field<NonNullGraphType<StringGraphType>>("type").Description("any, string, number, boolean, object or array.").Resolve(c => c.Source.Field.Type.ToString().ToLowerInvariant());
        Field<NonNullGraphType<BooleanGraphType>>("required").Resolve(c => c.Source.Field.Required);
        Field<NonNullGraphType<StringGraphType>>("description").Resolve(c => c.Source.Field.Description);
    }
}

internal sealed class WorkflowEventDescriptorType : ObjectGraphType<DomainEventDescriptor>
{
    public WorkflowEventDescriptorType()
    {
        Name = "WorkflowEventDescriptor";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("type").Resolve(c => c.Source.Type);
        Field<NonNullGraphType<StringGraphType>>("subjectType").Resolve(c => c.Source.SubjectType);
        Field<NonNullGraphType<StringGraphType>>("description").Resolve(c => c.Source.Description);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowParameterType>>>>("payload").Resolve(c => c.Source.Payload);
    }
}

internal sealed class WorkflowParameterType : ObjectGraphType<WorkflowParameter>
{
    public WorkflowParameterType()
    {
        Name = "WorkflowParameter";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("type").Resolve(c => c.Source.Type.ToString().ToLowerInvariant());
        Field<NonNullGraphType<BooleanGraphType>>("required").Resolve(c => c.Source.Required);
        Field<NonNullGraphType<StringGraphType>>("description").Resolve(c => c.Source.Description);
    }
}

internal sealed class WorkflowTaskScopeType : EnumerationGraphType<TaskScope>
{
    public WorkflowTaskScopeType()
    {
        Name = "WorkflowTaskScope";
        Description = "MINE: assigned to your user or claimed by you; MY_ROLES: for your roles at your locations; ASSIGNED: both; PATIENT: every task on one patient; ALL: every task of the tenant (workflow.manage).";
    }
}

internal sealed class StaffMemberType : ObjectGraphType<StaffMember>
{
    public StaffMemberType()
    {
        Name = "StaffMember";
        this.ProjectsParent();
        Description = "A colleague as the inbox names them (staffDirectory): no contact details.";
        Field<NonNullGraphType<StringGraphType>>("userId").Description("What tasks and timelines name them by (claimedBy, completedBy, assigneeUser, actorId).").Resolve(c => c.Source.UserId);
        Field<NonNullGraphType<StringGraphType>>("displayName").Resolve(c => c.Source.DisplayName);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Resolve(c => c.Source.Roles);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("locationIds").Description("Empty: every location of the tenant.").Resolve(c => c.Source.LocationIds);
    }
}

internal sealed class WorkflowTaskType : ObjectGraphType<WorkflowTaskView>
{
    public WorkflowTaskType()
    {
        Name = "WorkflowTask";
        this.ProjectsParent();
        Description = "A human task of a workflow instance (one approver's slot): open, claimed, completed or cancelled.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>>("instanceId").Resolve(c => c.Source.InstanceId);
        Field<NonNullGraphType<StringGraphType>>("bookmarkId").Resolve(c => c.Source.BookmarkId);
        Field<NonNullGraphType<StringGraphType>>("nodeId").Resolve(c => c.Source.NodeId);
        Field<NonNullGraphType<StringGraphType>>("definitionKey").Resolve(c => c.Source.DefinitionKey);
        Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Title);
        Field<StringGraphType>("instructions").Resolve(c => c.Source.Instructions);
        Field<NonNullGraphType<StringGraphType>>("priority").Description("routine or urgent.").Resolve(c => c.Source.Priority);
        Field<StringGraphType>("assigneeRole").Resolve(c => c.Source.AssigneeRole);
        Field<StringGraphType>("assigneeUser").Resolve(c => c.Source.AssigneeUser);
        Field<IdGraphType>("assigneeLocation").Description("The location a role's task is bound to.").Resolve(c => c.Source.AssigneeLocation);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("outcomes").Resolve(c => c.Source.Outcomes);
        Field<StringGraphType>("formKey").Description("The form to fill in before deciding (but to return for changes).").Resolve(c => c.Source.FormKey);
        Field<DateTimeOffsetGraphType>("dueAt").Resolve(c => c.Source.DueAt);
        Field<NonNullGraphType<IntGraphType>>("slot").Resolve(c => c.Source.Slot);
        Field<NonNullGraphType<IntGraphType>>("slots").Description("How many approvers this task has (a quorum).").Resolve(c => c.Source.Slots);
        Field<NonNullGraphType<IntGraphType>>("escalationLevel").Resolve(c => c.Source.EscalationLevel);
        Field<NonNullGraphType<StringGraphType>>("subjectType").Resolve(c => c.Source.SubjectType);
        Field<NonNullGraphType<StringGraphType>>("subjectId").Resolve(c => c.Source.SubjectId);
        Field<IdGraphType>("patientId").Resolve(c => c.Source.PatientId);
        Field<IdGraphType>("locationId").Resolve(c => c.Source.LocationId);
        Field<NonNullGraphType<StringGraphType>>("status").Description("open, claimed, completed or cancelled.").Resolve(c => c.Source.Status);
        Field<StringGraphType>("claimedBy").Resolve(c => c.Source.ClaimedBy);
        Field<DateTimeOffsetGraphType>("claimedAt").Resolve(c => c.Source.ClaimedAt);
        Field<StringGraphType>("outcome").Resolve(c => c.Source.Outcome);
        Field<StringGraphType>("comment").Resolve(c => c.Source.Comment);
        Field<IdGraphType>("formResponseId").Resolve(c => c.Source.FormResponseId);
        Field<StringGraphType>("completedBy").Resolve(c => c.Source.CompletedBy);
        Field<DateTimeOffsetGraphType>("completedAt").Resolve(c => c.Source.CompletedAt);
        Field<StringGraphType>("cancelledReason").Resolve(c => c.Source.CancelledReason);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<NonNullGraphType<IntGraphType>>("rowVersion").Description("Send it back as expectedVersion.").Resolve(c => c.Source.RowVersion);
    }
}

internal sealed class WorkflowTaskConnectionType : ObjectGraphType<TaskPage>
{
    public WorkflowTaskConnectionType()
    {
        Name = "WorkflowTaskConnection";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowTaskType>>>>("nodes").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new PageInfo(c.Source.HasNextPage, c.Source.EndCursor));
    }
}

internal sealed class WorkflowInstanceType : ObjectGraphType<WorkflowInstanceSummary>
{
    public WorkflowInstanceType()
    {
        Name = "WorkflowInstance";
        this.ProjectsParent();
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("definitionKey").Resolve(c => c.Source.DefinitionKey);
        Field<NonNullGraphType<IdGraphType>>("definitionVersionId").Description("The exact version it runs (workflowDefinition(id)).").Resolve(c => c.Source.DefinitionVersionId);
        Field<NonNullGraphType<StringGraphType>>("status").Description("running, completed or cancelled.").Resolve(c => c.Source.Status);
        Field<StringGraphType>("outcome").Description("The end it reached (cosigned, approved ...), or why it was cancelled.").Resolve(c => c.Source.Outcome);
        Field<NonNullGraphType<StringGraphType>>("subjectType").Resolve(c => c.Source.SubjectType);
        Field<NonNullGraphType<StringGraphType>>("subjectId").Resolve(c => c.Source.SubjectId);
        Field<IdGraphType>("locationId").Resolve(c => c.Source.LocationId);
        Field<IdGraphType>("patientId").Resolve(c => c.Source.PatientId);
        Field<IdGraphType>("startEventId").Description("The domain event that started it (null for a manual start).").Resolve(c => c.Source.StartEventId);
        Field<NonNullGraphType<StringGraphType>>("startedBy").Resolve(c => c.Source.StartedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("startedAt").Resolve(c => c.Source.StartedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<DateTimeOffsetGraphType>("closedAt").Resolve(c => c.Source.ClosedAt);
        Field<NonNullGraphType<IntGraphType>>("steps").Resolve(c => c.Source.Steps);
        Field<NonNullGraphType<IntGraphType>>("openIncidents").Resolve(c => c.Source.OpenIncidents);
        Field<NonNullGraphType<IntGraphType>>("rowVersion").Resolve(c => c.Source.RowVersion);
    }
}

internal sealed class WorkflowInstanceConnectionType : ObjectGraphType<InstancePage>
{
    public WorkflowInstanceConnectionType()
    {
        Name = "WorkflowInstanceConnection";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowInstanceType>>>>("nodes").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new PageInfo(c.Source.HasNextPage, c.Source.EndCursor));
    }
}

internal sealed class WorkflowInstanceDetailType : ObjectGraphType<WorkflowInstanceDetail>
{
    public WorkflowInstanceDetailType()
    {
        Name = "WorkflowInstanceDetail";
        this.ProjectsParent();
        Description = "An instance as the instance view shows it.";
        Field<NonNullGraphType<WorkflowInstanceType>>("instance").Resolve(c => c.Source.Instance);
        Field<NonNullGraphType<StringGraphType>>("variables").Description("Its variables (a JSON object).").Resolve(c => c.Source.Variables);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowWaitType>>>>("waiting").Description("What it waits for now.").Resolve(c => c.Source.Waiting);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowTimelineEntryType>>>>("timeline").Description("Oldest first.").Resolve(c => c.Source.Timeline);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowTaskType>>>>("tasks").Resolve(c => c.Source.Tasks);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowIncidentType>>>>("incidents").Resolve(c => c.Source.Incidents);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowEffectType>>>>("effects").Description("Timers, module actions and web hooks, and how each went.").Resolve(c => c.Source.Effects);
    }
}

internal sealed class WorkflowWaitType : ObjectGraphType<WorkflowWait>
{
    public WorkflowWaitType()
    {
        Name = "WorkflowWait";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("bookmarkId").Resolve(c => c.Source.BookmarkId);
        Field<NonNullGraphType<StringGraphType>>("kind").Description("task, escalation, timer, action, webhook, webhookRetry or incident.").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("nodeId").Resolve(c => c.Source.NodeId);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeOffsetGraphType>("dueAt").Resolve(c => c.Source.DueAt);
        Field<StringGraphType>("jobId").Description("A timer's Hangfire job.").Resolve(c => c.Source.JobId);
        Field<StringGraphType>("incidentCode").Resolve(c => c.Source.IncidentCode);
        Field<StringGraphType>("incidentMessage").Resolve(c => c.Source.IncidentMessage);
    }
}

internal sealed class WorkflowTimelineEntryType : ObjectGraphType<WorkflowTimelineEntry>
{
    public WorkflowTimelineEntryType()
    {
        Name = "WorkflowTimelineEntry";
        this.ProjectsParent();
        Description = "Who did what, when, where (node, bookmark) and why (outcome, comment, detail).";
        Field<NonNullGraphType<IntGraphType>>("seq").Resolve(c => (int)c.Source.Seq);
        Field<NonNullGraphType<IntGraphType>>("step").Resolve(c => c.Source.Step);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("at").Resolve(c => c.Source.At);
        Field<NonNullGraphType<StringGraphType>>("what").Description("started, task.created, task.decided, task.completed, task.claimed, task.delegated, timer.fired, action.completed, incident.raised, completed ...").Resolve(c => c.Source.What);
        Field<StringGraphType>("nodeId").Resolve(c => c.Source.NodeId);
        Field<StringGraphType>("bookmarkId").Resolve(c => c.Source.BookmarkId);
        Field<StringGraphType>("actorId").Resolve(c => c.Source.ActorId);
        Field<StringGraphType>("outcome").Resolve(c => c.Source.Outcome);
        Field<StringGraphType>("comment").Resolve(c => c.Source.Comment);
        Field<StringGraphType>("detail").Resolve(c => c.Source.Detail);
    }
}

internal sealed class WorkflowIncidentType : ObjectGraphType<WorkflowIncident>
{
    public WorkflowIncidentType()
    {
        Name = "WorkflowIncident";
        this.ProjectsParent();
        Field<NonNullGraphType<IdGraphType>>("instanceId").Resolve(c => c.Source.InstanceId);
        Field<NonNullGraphType<StringGraphType>>("definitionKey").Resolve(c => c.Source.DefinitionKey);
        Field<NonNullGraphType<StringGraphType>>("bookmarkId").Description("Pass to retryWorkflowIncident.").Resolve(c => c.Source.BookmarkId);
        Field<NonNullGraphType<StringGraphType>>("nodeId").Resolve(c => c.Source.NodeId);
        Field<NonNullGraphType<StringGraphType>>("code").Resolve(c => c.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("message").Resolve(c => c.Source.Message);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("raisedAt").Resolve(c => c.Source.RaisedAt);
        Field<DateTimeOffsetGraphType>("resolvedAt").Resolve(c => c.Source.ResolvedAt);
        Field<StringGraphType>("resolution").Resolve(c => c.Source.Resolution);
    }
}

internal sealed class WorkflowEffectType : ObjectGraphType<WorkflowEffectRecord>
{
    public WorkflowEffectType()
    {
        Name = "WorkflowEffect";
        this.ProjectsParent();
        Field<NonNullGraphType<IntGraphType>>("step").Resolve(c => c.Source.Step);
        Field<NonNullGraphType<StringGraphType>>("bookmarkId").Resolve(c => c.Source.BookmarkId);
        Field<NonNullGraphType<StringGraphType>>("type").Description("scheduleTimer, cancelTimer, invokeAction or callWebhook.").Resolve(c => c.Source.Type);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<IntGraphType>>("attempts").Resolve(c => c.Source.Attempts);
        Field<DateTimeOffsetGraphType>("nextAttemptAt").Resolve(c => c.Source.NextAttemptAt);
        Field<StringGraphType>("lastError").Resolve(c => c.Source.LastError);
        Field<DateTimeOffsetGraphType>("doneAt").Resolve(c => c.Source.DoneAt);
        Field<StringGraphType>("result").Resolve(c => c.Source.Result);
    }
}

internal sealed class WorkflowMigrationCheckType : ObjectGraphType<MigrationVerdict>
{
    public WorkflowMigrationCheckType()
    {
        Name = "WorkflowMigrationCheck";
        this.ProjectsParent();
        Field<NonNullGraphType<BooleanGraphType>>("allowed").Resolve(c => c.Source.Allowed);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowProblemType>>>>("reasons").Resolve(c => c.Source.Reasons);
    }
}

internal sealed class WebhookEndpointType : ObjectGraphType<WebhookEndpoint>
{
    public WebhookEndpointType()
    {
        Name = "WebhookEndpoint";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("key").Description("What a web hook node names.").Resolve(c => c.Source.Key);
        Field<NonNullGraphType<StringGraphType>>("url").Resolve(c => c.Source.Url);
        Field<StringGraphType>("description").Resolve(c => c.Source.Description);
        Field<NonNullGraphType<StringGraphType>>("updatedBy").Resolve(c => c.Source.UpdatedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<NonNullGraphType<IntGraphType>>("rowVersion").Resolve(c => c.Source.RowVersion);
    }
}

internal sealed class WorkflowNotificationType : ObjectGraphType<WorkflowNotification>
{
    public WorkflowNotificationType()
    {
        Name = "WorkflowNotification";
        this.ProjectsParent();
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>>("instanceId").Resolve(c => c.Source.InstanceId);
        Field<NonNullGraphType<StringGraphType>>("template").Description("What to say (note-returned, refill-approved ...), worded by the client.").Resolve(c => c.Source.Template);
        Field<NonNullGraphType<StringGraphType>>("channel").Description("inbox, email or portal.").Resolve(c => c.Source.Channel);
        Field<NonNullGraphType<StringGraphType>>("data").Description("The template's data (a JSON object).").Resolve(c => c.Source.Data);
        Field<StringGraphType>("recipientRole").Resolve(c => c.Source.RecipientRole);
        Field<StringGraphType>("recipientUser").Resolve(c => c.Source.RecipientUser);
        Field<IdGraphType>("recipientLocation").Resolve(c => c.Source.RecipientLocation);
        Field<StringGraphType>("recipientPatient").Resolve(c => c.Source.RecipientPatient);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeOffsetGraphType>("readAt").Resolve(c => c.Source.ReadAt);
        Field<StringGraphType>("readBy").Resolve(c => c.Source.ReadBy);
    }
}

internal sealed class WorkflowDraftInputType : InputObjectGraphType<ArtifactDraftArguments>
{
    public WorkflowDraftInputType()
    {
        Name = "WorkflowDraftInput";
        Field<StringGraphType>("key").Description("Required unless from is given: lower-case letters, digits, '.', '_' and '-', e.g. note-cosignature.");
        Field<IdGraphType>("locationId").Description("A location's override; null for the tenant's standard.");
        Field<StringGraphType>("title").Description("Required unless from is given.");
        Field<StringGraphType>("content").Description("The definition (JSON), complete or not.");
        Field<IdGraphType>("from").Description("A version to copy (title and content given here replace the copy's).");
    }
}

internal sealed class StartWorkflowArguments
{
    public string? Key { get; set; }

    public string? LocationId { get; set; }

    public string? PatientId { get; set; }

    public string? Inputs { get; set; }

    public string? RequestId { get; set; }
}

internal sealed class StartWorkflowInputType : InputObjectGraphType<StartWorkflowArguments>
{
    public StartWorkflowInputType()
    {
        Name = "StartWorkflowInput";
        Field<NonNullGraphType<StringGraphType>>("key").Description("The workflow's key.");
        Field<IdGraphType>("locationId").Description("The location it runs for: its override there, else the standard; its tasks go to that location.");
        Field<IdGraphType>("patientId").Description("The patient it is about (the subject; also its patientId input when it declares one).");
        Field<StringGraphType>("inputs").Description("Its inputs, as a JSON object.");
        Field<StringGraphType>("requestId").Description("A client's id for this start (at most 100 characters): a retry with it returns the first start's instance.");
    }
}

internal sealed class WebhookEndpointArguments
{
    public string? Key { get; set; }

    public string? Url { get; set; }

    public string? Secret { get; set; }

    public string? Description { get; set; }

    public int? ExpectedVersion { get; set; }
}

internal sealed class WebhookEndpointInputType : InputObjectGraphType<WebhookEndpointArguments>
{
    public WebhookEndpointInputType()
    {
        Name = "WebhookEndpointInput";
        Field<NonNullGraphType<StringGraphType>>("key");
        Field<NonNullGraphType<StringGraphType>>("url");
        Field<NonNullGraphType<StringGraphType>>("secret").Description("16-200 characters, shared with the receiver only; never returned.");
        Field<StringGraphType>("description");
        Field<IntGraphType>("expectedVersion").Description("To replace an existing endpoint: its rowVersion.");
    }
}

internal sealed class PatientFlagType : ObjectGraphType<Ehr.Clinical.Patients.PatientFlag>
{
    public PatientFlagType()
    {
        Name = "PatientFlag";
        this.ProjectsParent();
        Description = "A flag on a patient's chart (an alert shown with the record).";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.PatientId);
        Field<NonNullGraphType<StringGraphType>>("flag").Resolve(c => c.Source.Flag);
        Field<StringGraphType>("note").Resolve(c => c.Source.Note);
        Field<NonNullGraphType<StringGraphType>>("source").Description("Who or what raised it: workflow:<instance id> for a workflow.").Resolve(c => c.Source.Source);
        Field<NonNullGraphType<StringGraphType>>("createdBy").Resolve(c => c.Source.CreatedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeOffsetGraphType>("resolvedAt").Resolve(c => c.Source.ResolvedAt);
        Field<StringGraphType>("resolution").Resolve(c => c.Source.Resolution);
    }
}

internal sealed class NoteCosignatureType : ObjectGraphType<Ehr.Clinical.Notes.NoteCosignature>
{
    public NoteCosignatureType()
    {
        Name = "NoteCosignature";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("status").Description("requested or cosigned.").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("requestedAt").Resolve(c => c.Source.RequestedAt);
        Field<StringGraphType>("cosignedBy").Resolve(c => c.Source.CosignedBy);
        Field<DateTimeOffsetGraphType>("cosignedAt").Resolve(c => c.Source.CosignedAt);
    }
}

internal sealed class WorkflowTestRunArguments
{
    public string? Content { get; set; }

    public string? Event { get; set; }

    public string? Inputs { get; set; }

    public string? LocationId { get; set; }

    public string? SubjectId { get; set; }

    public DateTimeOffset? StartAt { get; set; }

    public List<WorkflowTestMoveArguments>? Moves { get; set; }

    public List<WorkflowTestActionOutcomeArguments>? ActionOutcomes { get; set; }

    public List<WorkflowTestWebhookResponseArguments>? WebhookResponses { get; set; }
}

internal sealed class WorkflowTestMoveArguments
{
    public string? BookmarkId { get; set; }

    public string? Outcome { get; set; }

    public string? Comment { get; set; }

    public string? ActorId { get; set; }
}

internal sealed class WorkflowTestActionOutcomeArguments
{
    public string? NodeId { get; set; }

    public string? Outcome { get; set; }

    public string? Output { get; set; }
}

internal sealed class WorkflowTestWebhookResponseArguments
{
    public string? NodeId { get; set; }

    public int? Status { get; set; }

    public string? Body { get; set; }
}

internal sealed class WorkflowTestRunInputType : InputObjectGraphType<WorkflowTestRunArguments>
{
    public WorkflowTestRunInputType()
    {
        Name = "WorkflowTestRunInput";
        Field<NonNullGraphType<StringGraphType>>("content").Description("The definition to run (JSON), as the editor has it.");
        Field<StringGraphType>("event").Description("An event trigger's sample payload (a JSON object).");
        Field<StringGraphType>("inputs").Description("A manual trigger's inputs (a JSON object).");
        Field<IdGraphType>("locationId").Description("The location the run is for (tasks at the subject's location go there).");
        Field<StringGraphType>("subjectId").Description("The sample event's subject id (default test-subject).");
        Field<DateTimeOffsetGraphType>("startAt").Description("When the run started (send back the startedAt of the first answer: a replay is then the same run).");
        Field<ListGraphType<NonNullGraphType<WorkflowTestMoveInputType>>>("moves").Description("The moves so far, in order (at most 200).");
        Field<ListGraphType<NonNullGraphType<WorkflowTestActionOutcomeInputType>>>("actionOutcomes").Description("The outcome and output each action node answers (one entry per node).");
        Field<ListGraphType<NonNullGraphType<WorkflowTestWebhookResponseInputType>>>("webhookResponses").Description("How each web hook node's endpoint answers (one entry per node; default 200 with no body).");
    }
}

internal sealed class WorkflowTestMoveInputType : InputObjectGraphType<WorkflowTestMoveArguments>
{
    public WorkflowTestMoveInputType()
    {
        Name = "WorkflowTestMoveInput";
        Field<NonNullGraphType<StringGraphType>>("bookmarkId").Description("What the run waits on (a waiting entry's bookmarkId).");
        Field<StringGraphType>("outcome").Description("A task's outcome (required), an action's (default done), or failed for a web hook.");
        Field<StringGraphType>("comment").Description("A task decision's comment (default (test run) where one is required).");
        Field<StringGraphType>("actorId").Description("Who decides a task (default tester-<slot>).");
    }
}

internal sealed class WorkflowTestActionOutcomeInputType : InputObjectGraphType<WorkflowTestActionOutcomeArguments>
{
    public WorkflowTestActionOutcomeInputType()
    {
        Name = "WorkflowTestActionOutcomeInput";
        Field<NonNullGraphType<StringGraphType>>("nodeId");
        Field<StringGraphType>("outcome").Description("One of the action's outcomes (default done, else its first).");
        Field<StringGraphType>("output").Description("The output the action answers with: a JSON object with the fields the action declares for the outcome (WorkflowActionDescriptor.outputs). Default: a sample of those fields, or none ({} in the node's output variable).");
    }
}

internal sealed class WorkflowTestWebhookResponseInputType : InputObjectGraphType<WorkflowTestWebhookResponseArguments>
{
    public WorkflowTestWebhookResponseInputType()
    {
        Name = "WorkflowTestWebhookResponseInput";
        Field<NonNullGraphType<StringGraphType>>("nodeId");
        Field<IntGraphType>("status").Description("The endpoint's HTTP status, 200 to 599 (default 200): a 2xx delivers; 5xx, 408 and 429 are tried again after the node's back-off; other statuses fail at once.");
        Field<StringGraphType>("body").Description("A 2xx answer's body: a JSON object, which the node's output variable receives as { status, body } (default none).");
    }
}

internal sealed class WorkflowTestRunType : ObjectGraphType<WorkflowTestRun>
{
    public WorkflowTestRunType()
    {
        Name = "WorkflowTestRun";
        this.ProjectsParent();
        Description = "A test run so far: nothing of it was stored.";
        Field<NonNullGraphType<StringGraphType>>("status").Description("running, completed, cancelled or notStarted (the trigger's filter is false).").Resolve(c => c.Source.Status);
        Field<StringGraphType>("outcome").Description("The end's outcome label.").Resolve(c => c.Source.Outcome);
        Field<StringGraphType>("message").Resolve(c => c.Source.Message);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("startedAt").Description("Send it back as startAt to replay this run.").Resolve(c => c.Source.StartedAt);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowTestStepType>>>>("steps").Resolve(c => c.Source.Steps)
            .WithComplexityImpact(1, 3); // a bounded, in-memory answer: a run has at most a few hundred steps
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowTestWaitType>>>>("waiting").Description("What the run waits on now (task slots, timers, escalations, incidents).").Resolve(c => c.Source.Waiting)
            .WithComplexityImpact(1, 3); // a bounded, in-memory answer: a run has at most a few hundred steps
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("path").Description("The node ids passed, in order.").Resolve(c => c.Source.Path);
        Field<NonNullGraphType<StringGraphType>>("variables").Description("The variables now (a JSON object).").Resolve(c => c.Source.Variables);
    }
}

internal sealed class WorkflowTestStepType : ObjectGraphType<WorkflowTestStep>
{
    public WorkflowTestStepType()
    {
        Name = "WorkflowTestStep";
        this.ProjectsParent();
        Field<NonNullGraphType<IntGraphType>>("number").Resolve(c => c.Source.Number);
        Field<NonNullGraphType<StringGraphType>>("input").Description("What happened: the start, a decision, a timer fired, an action's simulated answer ...").Resolve(c => c.Source.Input);
        Field<NonNullGraphType<BooleanGraphType>>("automatic").Description("A simulated answer (an action, a web hook), not a move.").Resolve(c => c.Source.Automatic);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("at").Description("The simulated time.").Resolve(c => c.Source.At);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkflowTestTimelineEntryType>>>>("timeline").Resolve(c => c.Source.Timeline)
            .WithComplexityImpact(1, 3); // a bounded, in-memory answer: a run has at most a few hundred steps
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("effects").Description("What the step would ask of the world (none of it done).").Resolve(c => c.Source.Effects);
        Field<NonNullGraphType<StringGraphType>>("variables").Description("The variables after the step (a JSON object).").Resolve(c => c.Source.Variables);
    }
}

internal sealed class WorkflowTestTimelineEntryType : ObjectGraphType<Ehr.Workflow.Runtime.HistoryEntry>
{
    public WorkflowTestTimelineEntryType()
    {
        Name = "WorkflowTestTimelineEntry";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("what").Resolve(c => c.Source.What);
        Field<StringGraphType>("nodeId").Resolve(c => c.Source.NodeId);
        Field<StringGraphType>("bookmarkId").Resolve(c => c.Source.BookmarkId);
        Field<StringGraphType>("actorId").Resolve(c => c.Source.ActorId);
        Field<StringGraphType>("outcome").Resolve(c => c.Source.Outcome);
        Field<StringGraphType>("comment").Resolve(c => c.Source.Comment);
        Field<StringGraphType>("detail").Resolve(c => c.Source.Detail);
    }
}

internal sealed class WorkflowTestWaitType : ObjectGraphType<WorkflowTestWait>
{
    public WorkflowTestWaitType()
    {
        Name = "WorkflowTestWait";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("bookmarkId").Resolve(c => c.Source.BookmarkId);
        Field<NonNullGraphType<StringGraphType>>("kind").Description("task, timer, escalation, webhookRetry, incident (actions and web hooks answer by themselves).").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("nodeId").Resolve(c => c.Source.NodeId);
        Field<StringGraphType>("title").Resolve(c => c.Source.Title);
        Field<StringGraphType>("assignee").Description("A task's assignee: a role (at a location) or a user.").Resolve(c => c.Source.Assignee);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("outcomes").Resolve(c => c.Source.Outcomes);
        Field<DateTimeOffsetGraphType>("dueAt").Resolve(c => c.Source.DueAt);
        Field<IntGraphType>("slot").Resolve(c => c.Source.Slot);
        Field<IntGraphType>("slots").Resolve(c => c.Source.Slots);
        Field<StringGraphType>("code").Description("An incident's code (SCRIPT_ERROR ...).").Resolve(c => c.Source.Code);
        Field<StringGraphType>("message").Resolve(c => c.Source.Message);
    }
}
