using System.Text.Json;
using Ehr.Workflow.Runtime;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>
/// The four workflows of the issue (fixtures a later step copies into the starter packs): each validates against the
/// schema and the graph rules and runs through the engine as a practice would use it.
/// </summary>
public sealed class StarterWorkflowsShould
{
    [Theory]
    [InlineData("note-cosignature")]
    [InlineData("medication-refill")]
    [InlineData("referral-review")]
    [InlineData("intake-review")]
    public void PassEverySchemaAndGraphCheck(string name)
    {
        var parsed = Ehr.Workflow.Definitions.WorkflowJson.Parse(Fixture(name));
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Problems));

        Assert.Empty(Definitions.Validator.Validate(parsed.Definition!));
    }

    private static Run NoteSigned(string payload) =>
        new(Plan(Fixture("note-cosignature")), StartWorkflow.For(Guid.NewGuid(), Event("note.signed", "note-1", payload)));

    [Fact]
    public void LeaveANoteSignedByAPhysicianAlone()
    {
        var result = Engine.Start(Plan(Fixture("note-cosignature")),
            StartWorkflow.For(Guid.NewGuid(), Event("note.signed", "note-1", """{"authorRole":"physician","authorId":"dr-lee"}""")), T0);

        Assert.Equal(StepStatus.NotStarted, result.Status);
    }

    [Fact]
    public void SendAResidentsNoteToTheSupervisingPhysicianAndCoSignIt()
    {
        var run = NoteSigned("""{"authorRole":"resident","authorId":"res-ann","supervisorId":"dr-lee"}""");
        var pending = run.Single<InvokeAction>();
        Assert.Equal(("note.requestCosign", """{"noteId":"note-1"}"""), (pending.Action, pending.Inputs.GetRawText()));

        run.Apply(new ActionCompleted(pending.BookmarkId, "done"));
        var task = run.Single<CreateTask>();
        Assert.Equal((new TaskAssignee(null, "dr-lee", null), T0.AddHours(72)), (task.Assignee, task.DueAt));
        Assert.Equal(T0.AddHours(72), run.Single<ScheduleTimer>().DueAt);

        run.Apply(new CompleteTask(task.BookmarkId, "approve", null, "dr-lee"), TimeSpan.FromHours(5));
        var sign = run.Single<InvokeAction>();
        Assert.Equal(("note.sign", """{"noteId":"note-1","signerId":"dr-lee"}"""), (sign.Action, sign.Inputs.GetRawText()));
        Assert.Single(run.Emitted<CancelTimer>());

        run.Apply(new ActionCompleted(sign.BookmarkId, "signed"));
        Assert.Equal((InstanceStatus.Completed, "cosigned"), (run.State.Status, run.State.Outcome));
    }

    [Fact]
    public void SendAnNpsNoteWithoutASupervisorToAPhysicianAtTheNotesLocation()
    {
        var run = NoteSigned("""{"authorRole":"nurse-practitioner","authorId":"np-ray"}""");

        run.Apply(new ActionCompleted(run.Single<InvokeAction>().BookmarkId, "done"));

        Assert.Equal(new TaskAssignee("physician", null, Clinic), run.Single<CreateTask>().Assignee);
    }

    [Fact]
    public void MoveAnOverdueCoSignatureToTheMedicalDirector()
    {
        var run = NoteSigned("""{"authorRole":"resident","authorId":"res-ann","supervisorId":"dr-lee"}""");
        run.Apply(new ActionCompleted(run.Single<InvokeAction>().BookmarkId, "done"));
        var task = run.Task("cosign");

        run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromHours(72));
        Assert.Equal((task, "medical-director"), (run.Single<ReassignTask>().BookmarkId, run.Single<ReassignTask>().Assignee.Role));
        run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromDays(2));
        Assert.Equal(("cosign-overdue", "medical-director"), (run.Single<SendNotification>().Template, run.Single<SendNotification>().Recipients.Single().Role));

        run.Apply(new CompleteTask(task, "returnForChanges", "Document the exam.", "dr-md"));
        var told = run.Single<SendNotification>();
        Assert.Equal(("note-returned", "res-ann", """{"noteId":"note-1","comment":"Document the exam."}"""),
            (told.Template, told.Recipients.Single().UserId, told.Data.GetRawText()));
        Assert.Equal("returned", run.State.Outcome);
    }

    private static Run Refill() => new(Plan(Fixture("medication-refill")),
        Manual("""{"patientId":"p1","medicationRequestId":"mr-5","medication":"lisinopril 10 mg"}"""));

    [Fact]
    public void TakeARefillFromTheFrontDeskThroughTheNurseToThePrescriberAndTellThePatient()
    {
        var run = Refill();
        var nurse = run.Single<CreateTask>();
        Assert.Equal((new TaskAssignee("nurse", null, Clinic), "refill-nurse-review"), (nurse.Assignee, nurse.FormKey));

        run.Apply(new CompleteTask(nurse.BookmarkId, "returnForChanges", "Which pharmacy?", "rn-joy"));
        Assert.Equal(new TaskAssignee("front-desk", null, Clinic), run.Single<CreateTask>().Assignee);
        run.Apply(new CompleteTask(run.Task("complete-request"), "approve", null, "fd-sam"));
        run.Apply(new CompleteTask(run.Task("nurse-review"), "approve", "Adherent, BP controlled.", "rn-joy", "QuestionnaireResponse/qr-9"));
        var prescriber = run.Single<CreateTask>();
        Assert.Equal((new TaskAssignee("physician", null, Clinic), T0.AddDays(2)), (prescriber.Assignee, prescriber.DueAt));

        run.Apply(new CompleteTask(prescriber.BookmarkId, "approve", null, "dr-lee"));
        var renew = run.Single<InvokeAction>();
        Assert.Equal("""{"medicationRequestId":"mr-5","approvedBy":"dr-lee"}""", renew.Inputs.GetRawText());
        run.Apply(new ActionCompleted(renew.BookmarkId, "renewed"));

        var told = run.Single<SendNotification>();
        Assert.Equal(("refill-approved", "portal", "p1", """{"medication":"lisinopril 10 mg","pharmacy":"on file"}"""),
            (told.Template, told.Channel, told.Recipients.Single().PatientId, told.Data.GetRawText()));
        Assert.Equal((InstanceStatus.Completed, "approved"), (run.State.Status, run.State.Outcome));
    }

    [Fact]
    public void TellThePatientWhyARefillWasDeclined()
    {
        var run = Refill();
        run.Apply(new CompleteTask(run.Task("nurse-review"), "approve", null, "rn-joy", "QuestionnaireResponse/qr-9"));

        run.Apply(new CompleteTask(run.Task("prescriber-decision"), "reject", "Due for a visit and labs first.", "dr-lee"));

        Assert.Equal("""{"medication":"lisinopril 10 mg","reason":"Due for a visit and labs first."}""", run.Single<SendNotification>().Data.GetRawText());
        Assert.Equal("declined", run.State.Outcome);
    }

    private static Run Referral() => new(Plan(Fixture("referral-review")), StartWorkflow.For(Guid.NewGuid(),
        Event("referral.drafted", "sr-3", """{"patientId":"p1","specialty":"cardiology"}""") with { SubjectType = "ServiceRequest", ActorId = "dr-kim" }));

    [Fact]
    public void SendAReferralOnlyOnceThePracticeLeadApproves()
    {
        var run = Referral();
        Assert.Equal(new TaskAssignee("practice-lead", null, Clinic), run.Single<CreateTask>().Assignee);
        Assert.Empty(run.Effects.OfType<InvokeAction>());

        run.Apply(new CompleteTask(run.Task("lead-review"), "approve", null, "lead-pat"));
        var send = run.Single<InvokeAction>();
        run.Apply(new ActionCompleted(send.BookmarkId, "sent"));

        Assert.Equal(("referral.send", """{"referralId":"sr-3"}"""), (send.Action, send.Inputs.GetRawText()));
        Assert.Equal("sent", run.State.Outcome);
    }

    [Fact]
    public void TellTheAuthorWhenTheLeadRejectsAReferral()
    {
        var run = Referral();

        run.Apply(new CompleteTask(run.Task("lead-review"), "reject", "Manage in primary care first.", "lead-pat"));

        var told = run.Single<SendNotification>();
        Assert.Equal(("dr-kim", """{"referralId":"sr-3","outcome":"reject","comment":"Manage in primary care first."}"""), (told.Recipients.Single().UserId, told.Data.GetRawText()));
        Assert.Empty(run.Effects.OfType<InvokeAction>());
        Assert.Equal("not-sent", run.State.Outcome);
    }

    private static Run Intake(string flagged, string form = "phq-9") => new(Plan(Fixture("intake-review")), StartWorkflow.For(Guid.NewGuid(),
        Event("form.submitted", "fr-1", $$"""{"responseId":"fr-1","formKey":"{{form}}","patientId":"p1","flagged":{{flagged}}}""") with { SubjectType = "FormResponse" }));

    [Fact]
    public void RaiseAnUrgentClinicianTaskBesideTheNurseReviewWhenPhq9Item9IsAboveZero()
    {
        var run = Intake("""["phq9-suicide-flag"]""");
        var flag = run.Single<InvokeAction>();
        Assert.Equal(("patient.flag", "p1", "Flagged on phq-9: phq9-suicide-flag"),
            (flag.Action, flag.Inputs.GetProperty("patientId").GetString(), flag.Inputs.GetProperty("note").GetString()));
        Assert.Single(run.Tasks("nurse-review"));

        run.Apply(new ActionCompleted(flag.BookmarkId, "done"));
        var urgent = run.Single<CreateTask>();
        Assert.Equal(("urgent", new TaskAssignee("physician", null, Clinic), T0.AddHours(4)), (urgent.Priority, urgent.Assignee, urgent.DueAt));

        run.Apply(new CompleteTask(urgent.BookmarkId, "approve", "Called: safe, follow-up booked.", "dr-lee"), TimeSpan.FromHours(1));
        Assert.Equal(InstanceStatus.Running, run.State.Status);
        run.Apply(new CompleteTask(run.Task("nurse-review"), "approve", null, "rn-joy"), TimeSpan.FromHours(20));

        Assert.Equal((InstanceStatus.Completed, "reviewed"), (run.State.Status, run.State.Outcome));
        Assert.Contains("Called: safe", run.Var("clinicianReview"), StringComparison.Ordinal);
    }

    [Fact]
    public void AskOnlyForTheNurseReviewWhenNothingIsFlagged()
    {
        var run = Intake("[]", form: "patient-intake");

        Assert.Equal("nurse-review", run.Single<CreateTask>().NodeId);
        Assert.Empty(run.Effects.OfType<InvokeAction>());
        run.Apply(new CompleteTask(run.Task("nurse-review"), "approve", null, "rn-joy"));
        Assert.Equal(InstanceStatus.Completed, run.State.Status);
    }

    [Fact]
    public void IgnoreOtherForms()
    {
        var other = Event("form.submitted", "fr-2", """{"responseId":"fr-2","formKey":"gad-7","patientId":"p1","flagged":["gad7-flag"]}""");

        Assert.Equal(StepStatus.NotStarted, Engine.Start(Plan(Fixture("intake-review")), StartWorkflow.For(Guid.NewGuid(), other), T0).Status);
    }

    [Fact]
    public void EscalateAnUrgentTaskNobodyTook()
    {
        var run = Intake("""["phq9-suicide-flag"]""");
        run.Apply(new ActionCompleted(run.Single<InvokeAction>().BookmarkId, "done"));

        run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromHours(4));

        var sent = run.Single<SendNotification>();
        Assert.Equal(["physician", "medical-director"], sent.Recipients.Select(r => r.Role));
        Assert.Equal(JsonValueKind.String, sent.Data.GetProperty("patientId").ValueKind);
    }
}
