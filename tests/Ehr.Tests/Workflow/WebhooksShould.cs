using System.Text;
using System.Text.Json;
using Ehr.Workflow.Runtime;
using static Ehr.Tests.Workflow.WorkflowValidationShould;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>Web hooks: one signed body per delivery, attempts with back-off, then an incident an admin can retry.</summary>
public sealed class WebhooksShould
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("tenant-endpoint-secret");

    private static Run Hook(string retry = """{"maxAttempts":3,"initialDelay":"PT30S","multiplier":2,"maxDelay":"PT1M"}""") =>
        new(Plan(W([Start, Node("hook", "webhook", $$""","endpoint":"lab-system","event":"refill.decided","payload":{"patientId":"subject.id","total":"vars.n * 2"},"retry":{{retry}},"timeout":"PT5S","output":"reply" """), Task("after"), End()],
            [E("start", "hook"), E("hook", "after"), E("after", "done", "approve")], """{"n":{"type":"number","default":21},"reply":{"type":"object"}}""")), Manual());

    [Fact]
    public void SendOneBodyWithADeliveryId()
    {
        var call = Hook().Single<CallWebhook>();

        using var body = JsonDocument.Parse(call.Body);
        var b = body.RootElement;
        Assert.Equal(("lab-system", "refill.decided", 1, 3, TimeSpan.FromSeconds(5)), (call.Endpoint, call.Event, call.Attempt, call.MaxAttempts, call.Timeout));
        Assert.Equal(("refill.decided", call.DeliveryId), (b.GetProperty("event").GetString(), b.GetProperty("deliveryId").GetString()));
        Assert.Equal("""{"patientId":"p1","total":42}""", b.GetProperty("data").GetRawText());
        Assert.Equal("p1", b.GetProperty("subject").GetProperty("id").GetString());
    }

    [Fact]
    public void SignTheBodySoTheReceiverCanCheckIt()
    {
        var body = Hook().Single<CallWebhook>().Body;

        var header = WebhookSignature.Sign(Secret, T0, body);

        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", header);
        Assert.True(WebhookSignature.Verify(Secret, header, body, T0.AddMinutes(1), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, header, body.Replace("42", "43", StringComparison.Ordinal), T0, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes("another secret"), header, body, T0, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, header, body, T0.AddHours(1), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, "v1=00", body, T0, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void StoreTheAnswerAndGoOn()
    {
        var run = Hook();

        run.Apply(new WebhookDelivered(run.Single<CallWebhook>().BookmarkId, 202, J("""{"ticket":"L-77"}""")));

        Assert.Equal("""{"status":202,"body":{"ticket":"L-77"}}""", run.Var("reply"));
        Assert.Single(run.Tasks("after"));
    }

    [Fact]
    public void RetryWithLongerWaitsThenRaiseAnIncident()
    {
        var run = Hook();
        var first = run.Single<CallWebhook>();
        var waits = new List<TimeSpan>();

        for (var attempt = 1; attempt < 3; attempt++)
        {
            run.Apply(new WebhookFailed(run.Single<CallWebhook>().BookmarkId, "503 Service Unavailable", Retryable: true));
            var retry = run.Single<ScheduleTimer>();
            waits.Add(retry.DueAt - run.Now);
            run.Apply(new FireTimer(retry.BookmarkId), retry.DueAt - run.Now);
            var call = run.Single<CallWebhook>();
            Assert.Equal((attempt + 1, first.DeliveryId, first.Body), (call.Attempt, call.DeliveryId, call.Body));
        }

        run.Apply(new WebhookFailed(run.Single<CallWebhook>().BookmarkId, "timeout", Retryable: true));

        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60)], waits);
        var incident = run.Single<RaiseIncident>();
        Assert.Equal(IncidentCodes.WebhookFailed, incident.Code);
        Assert.Contains("3 attempts", incident.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RaiseAnIncidentAtOnceWhenTheEndpointRefuses()
    {
        var run = Hook();

        run.Apply(new WebhookFailed(run.Single<CallWebhook>().BookmarkId, "400 Bad Request", Retryable: false));

        Assert.Equal(IncidentCodes.WebhookFailed, run.Single<RaiseIncident>().Code);
        Assert.Empty(run.Emitted<ScheduleTimer>());
    }

    [Fact]
    public void StartANewDeliveryWhenAnAdminRetries()
    {
        var run = Hook();
        var first = run.Single<CallWebhook>();
        run.Apply(new WebhookFailed(first.BookmarkId, "400 Bad Request", Retryable: false));

        run.Apply(new RetryIncident(run.Single<RaiseIncident>().BookmarkId, "admin"), TimeSpan.FromHours(1));

        var again = run.Single<CallWebhook>();
        Assert.Equal(1, again.Attempt);
        Assert.NotEqual(first.DeliveryId, again.DeliveryId);
    }

    [Fact]
    public void WaitLongerAfterEachFailureUpToTheCap()
    {
        var policy = new WebhookPolicy(8, TimeSpan.FromSeconds(30), 2, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));

        Assert.Equal([30, 60, 120, 240, 300, 300], Enumerable.Range(1, 6).Select(a => (int)policy.DelayAfter(a).TotalSeconds));
        Assert.Equal((5, TimeSpan.FromSeconds(30)), (WebhookPolicy.Default.MaxAttempts, WebhookPolicy.Default.InitialDelay));
    }
}
