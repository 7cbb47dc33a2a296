using System.Globalization;
using System.Net.Mail;
using Ehr.Forms.Responses;
using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Mail;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ehr.Forms.Intake;

/// <summary>
/// Which form to send to whom: the patient, the form (by key: the version in force at <see cref="LocationId"/>; or one
/// published version by id), where to send it (default: the patient's e-mail on record) and for how long the link
/// works (default: the tenant's setting).
/// </summary>
public sealed record SendIntakeLinkInput(Guid? PatientId, string? FormKey, Guid? FormId, Guid? LocationId, string? Email, int? ExpiresInHours);

/// <summary>
/// The link sent, the in-progress response it opens and, only in development without a mail relay
/// (<c>Accounts:LogInvitationLinks</c>), the link itself for the sender; servers never hand it out: it is a credential.
/// </summary>
public sealed record SentIntakeLink(IntakeLinkView Link, FormResponseView Response, string? DevelopmentUrl);

/// <summary>
/// Sends a patient a published form to fill in before a visit (form.respond; staff only): in one transaction, an
/// in-progress response pinned to the version (prefilled, as any start), a single-use link to it (32 random bytes;
/// only the SHA-256 is stored) expiring after the tenant's lifetime or the one asked (within the bounds), the e-mail
/// in the outbox (it names the practice and the link's expiry, never the form or anything about the patient's
/// health), and the audit entry <c>intake.link.send</c> with the address used.
/// </summary>
public sealed class SendIntakeLink(
    FormResponseChanges changes,
    StartFormResponse start,
    IPatientContacts contacts,
    TenantMailOutbox mail,
    AuditTrail audit,
    IOptions<AccountsOptions> accounts,
    ILogger<SendIntakeLink> log)
{
    public async Task<SentIntakeLink> HandleAsync(SendIntakeLinkInput input, CancellationToken ct)
    {
        var actors = changes.Actors;
        actors.Demand(Permissions.FormRespond);
        ArgumentNullException.ThrowIfNull(input);
        if (actors.Current.IsPatientScoped)
        {
            throw EhrException.Forbidden("Intake links are sent by the practice.");
        }

        var errors = new List<FieldError>();
        var email = input.Email?.Trim();
        if (email is not null && !IsEmail(email))
        {
            errors.Add(new FieldError("input.email", ErrorCodes.InvalidFormat, "An e-mail address such as name@example.org."));
        }

        if (input.ExpiresInHours is { } hours && hours is < IntakeSettings.MinLifetimeHours or > IntakeSettings.MaxLifetimeHours)
        {
            errors.Add(new FieldError("input.expiresInHours", ErrorCodes.OutOfRange,
                $"Between {IntakeSettings.MinLifetimeHours} and {IntakeSettings.MaxLifetimeHours} hours."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var db = changes.Db;
        var tenant = db.Tenant;
        var (link, response, token) = await db.InTransactionAsync(async t =>
        {
            var started = await start.HandleAsync(new NewFormResponse(input.PatientId, input.FormKey, input.FormId, input.LocationId), t);
            var address = email ?? await contacts.EmailAsync(started.Response.PatientId, t);
            if (address is null || !IsEmail(address))
            {
                throw EhrException.Validation([new FieldError("input.email", ErrorCodes.Required,
                    "The patient has no e-mail address on record: give the address to send the link to.")]);
            }

            var lifetime = TimeSpan.FromHours(input.ExpiresInHours ?? (await GetIntakeSettings.CurrentAsync(db, tracked: false, t)).LifetimeHours);
            var secret = IntakeTokens.New(tenant.Slug);
            var made = IntakeLink.Create(started.Response, IntakeTokens.Hash(secret), address, actors.Current.Id, changes.Now, lifetime);
            db.Add(made);
            await db.SaveChangesAsync(t);
            await mail.EnqueueAsync(address, $"{tenant.DisplayName}: a form to fill in before your visit", Body(tenant.DisplayName, Url(secret), made.ExpiresAt), t);
            await audit.RecordAsync(new AuditEvent("intake.link.send", "IntakeLink", made.Id.ToString(), new
            {
                patient = made.PatientId,
                response = made.ResponseId,
                formKey = made.FormKey,
                email = address,
                expiresAt = made.ExpiresAt,
            }), t);
            return (made, started, secret);
        }, ct);

        string? shown = null;
        if (accounts.Value.LogInvitationLinks)
        {
            // Development without a mail relay, as for invitations: the sender sees the link.
            shown = Url(token);
            log.LogInformation("Intake link {Link} for patient {Patient}: {Url}", link.Id, link.PatientId, shown);
        }
        else
        {
            log.LogInformation("Intake link {Link} for patient {Patient} is in the e-mail outbox", link.Id, link.PatientId);
        }

        return new SentIntakeLink(new IntakeLinkView(link, IntakeLinkStatus.Pending), response, shown);
    }

    private string Url(string token) => $"{accounts.Value.PublicUrl.TrimEnd('/')}/intake/{token}";

    private static string Body(string practice, string url, DateTimeOffset expires) =>
        $"""
         {practice} asks you to fill in a form before your visit.

         Open it here (the link works once, until {expires.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC):
         {url}

         If you did not expect this e-mail, ignore it or call the practice.
         """;

    private static bool IsEmail(string value) =>
        value.Length is >= 3 and <= 254 && MailAddress.TryCreate(value, out var parsed) && parsed.Address == value;
}
