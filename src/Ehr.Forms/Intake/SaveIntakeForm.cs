using Ehr.Forms.Responses;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Forms.Intake;

/// <summary>
/// Autosaves the answers given through an intake link (<see cref="SaveFormResponse"/> on the link's response, as the
/// link): checked leniently, recalculated, stored with its problems returned. <c>VERSION_CONFLICT</c> when the
/// response changed since <paramref name="expectedVersion"/> (another tab).
/// </summary>
public sealed class SaveIntakeForm(IntakeLinkSessions sessions)
{
    public Task<IntakeOutcome<IntakeForm>> HandleAsync(string? token, int expectedVersion, string? content, string? clientAddress, CancellationToken ct) =>
        sessions.RunAsync(token, clientAddress, async (services, link, t) =>
        {
            var saved = await services.GetRequiredService<SaveFormResponse>().HandleAsync(link.ResponseId, expectedVersion, content, t);
            return new IntakeForm(saved, link.Tenant.DisplayName, link.ExpiresAt);
        }, ct);
}
