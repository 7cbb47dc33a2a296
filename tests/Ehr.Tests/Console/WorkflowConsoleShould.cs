using Ehr.Platform.Errors;
using Ehr.Web.Components.Workflow;
using Ehr.Workflow.Tasks;

namespace Ehr.Tests.Console;

/// <summary>
/// How the task inbox and the instance view word tasks and refusals and sort tasks into the inbox's tabs (the pages
/// hold no other logic: every act is the workflow's use case).
/// </summary>
public sealed class WorkflowConsoleShould
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Clinic = Guid.Parse("0b7a3a0e-6f43-4f3c-9d2a-3c1c0d8f1a11");

    [Fact]
    public void SortATaskIntoMyTabByUserClaimOrDecisionAndIntoMyRolesTabByRole()
    {
        var forRole = Task(role: "physician");
        var claimedByMe = forRole with { Status = WorkflowTaskStatus.Claimed, ClaimedBy = "me" };
        var givenToMe = Task(user: "me");

        Assert.False(TaskText.InTab(forRole, InboxTab.Mine, "me", ["physician"]));
        Assert.True(TaskText.InTab(forRole, InboxTab.MyRoles, "me", ["physician"]));
        Assert.False(TaskText.InTab(forRole, InboxTab.MyRoles, "me", ["nurse"]));
        Assert.True(TaskText.InTab(claimedByMe, InboxTab.Mine, "me", ["physician"]));
        Assert.True(TaskText.InTab(givenToMe, InboxTab.Mine, "me", []));
        Assert.False(TaskText.InTab(givenToMe, InboxTab.MyRoles, "me", ["physician"]));
        Assert.True(TaskText.InTab(givenToMe, InboxTab.All, "someone else", []));
    }

    [Fact]
    public void PutInMyRolesTabOnlyRoleTasksAtMyLocationsOrAtNoneEvenForAManagerWhoLoadedEveryTask()
    {
        var elsewhere = Guid.Parse("5d0f6f5e-0d1c-4a57-9d33-7f0a6f2d2b22");
        var atClinic = Task(role: "physician") with { AssigneeLocation = Clinic };
        var atElsewhere = Task(role: "physician") with { AssigneeLocation = elsewhere };
        var anywhere = Task(role: "physician");

        Assert.True(TaskText.InTab(atClinic, InboxTab.MyRoles, "me", ["physician"], [Clinic]));
        Assert.True(TaskText.InTab(anywhere, InboxTab.MyRoles, "me", ["physician"], [Clinic]));
        Assert.False(TaskText.InTab(atElsewhere, InboxTab.MyRoles, "me", ["physician"], [Clinic]));
        Assert.True(TaskText.InTab(atElsewhere, InboxTab.All, "me", ["physician"], [Clinic]));
        // A membership without location restrictions covers every location (the server's MY_ROLES says the same).
        Assert.True(TaskText.InTab(atElsewhere, InboxTab.MyRoles, "me", ["physician"], []));
    }

    [Fact]
    public void MarkOnlyAnOpenTaskPastItsDueTimeOverdue()
    {
        var late = Task(role: "physician") with { DueAt = Now.AddMinutes(-1) };

        Assert.True(TaskText.IsOverdue(late, Now));
        Assert.False(TaskText.IsOverdue(late with { DueAt = Now.AddMinutes(1) }, Now));
        Assert.False(TaskText.IsOverdue(late with { DueAt = null }, Now));
        Assert.False(TaskText.IsOverdue(late with { Status = WorkflowTaskStatus.Completed }, Now));
    }

    [Fact]
    public void SayWhoATaskIsForAndWhereItStands()
    {
        var task = Task(role: "physician") with { AssigneeLocation = Clinic };
        Func<string, string> names = id => id == "u1" ? "Dr Lee" : id;

        Assert.Equal("physician at North clinic", TaskText.Assignee(task, names, id => id == Clinic ? "North clinic" : null));
        Assert.Equal("physician at another location", TaskText.Assignee(task, names, _ => null));
        Assert.Equal("Dr Lee", TaskText.Assignee(Task(user: "u1"), names, _ => null));
        Assert.Equal("claimed by Dr Lee", TaskText.Status(task with { Status = WorkflowTaskStatus.Claimed, ClaimedBy = "u1" }, names));
        Assert.Equal("Returned for changes by Dr Lee",
            TaskText.Status(task with { Status = WorkflowTaskStatus.Completed, Outcome = "returnForChanges", CompletedBy = "u1" }, names));
    }

    [Fact]
    public void AskForACommentAndTheFormWhereTheEngineRequiresThem()
    {
        var withForm = Task(role: "physician") with { FormKey = "phq-9" };

        Assert.True(TaskText.CommentRequired("reject"));
        Assert.True(TaskText.CommentRequired("returnForChanges"));
        Assert.False(TaskText.CommentRequired("approve"));
        Assert.True(TaskText.FormRequired(withForm, "approve"));
        Assert.False(TaskText.FormRequired(withForm, "returnForChanges"));
        Assert.False(TaskText.FormRequired(Task(role: "physician"), "approve"));
    }

    [Fact]
    public void ShowARefusalWithItsCodeMessageAndFields()
    {
        var claimed = new EhrException(ErrorCodes.TaskClaimed, "Task 1 is claimed by u1.", 409);
        var invalid = EhrException.Validation([new FieldError("comment", ErrorCodes.Required, "A comment is required.")]);

        Assert.Equal("TASK_CLAIMED: Task 1 is claimed by u1.", TaskText.Refusal(claimed));
        Assert.EndsWith("comment: A comment is required.", TaskText.Refusal(invalid), StringComparison.Ordinal);
        Assert.StartsWith("VALIDATION_FAILED", TaskText.Refusal(invalid), StringComparison.Ordinal);
    }

    [Fact]
    public void NameTimelineEntriesAndIndentVariables()
    {
        Assert.Equal("Task completed", TimelineText.What("task.completed"));
        Assert.Equal("something.new", TimelineText.What("something.new"));
        Assert.Equal("{\n  \"a\": 1\n}", TimelineText.Indented("{\"a\":1}").ReplaceLineEndings("\n"));
        Assert.Equal("not json", TimelineText.Indented("not json"));
    }

    private static WorkflowTaskView Task(string? role = null, string? user = null) => new(
        Guid.NewGuid(), Guid.NewGuid(), "b3", "cosign", "note-cosignature", "Co-sign note", null, "routine", role, user, null,
        ["approve", "returnForChanges"], null, null, 0, 1, 0, "note", Guid.NewGuid().ToString(), Guid.NewGuid(), null,
        WorkflowTaskStatus.Open, null, null, null, null, null, null, null, null, Now.AddHours(-1), Now.AddHours(-1), 1);
}
