using Ehr.Platform.Tenancy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>An invitation link handed out in development, for the person who just sent the invitation.</summary>
public sealed record IssuedInvitationLink(Guid InvitationId, string Email, string Link);

/// <summary>
/// Where an invitation's link goes besides the e-mail outbox. Development has no mail transport
/// (<see cref="AccountsOptions.LogInvitationLinks"/>): there the link is logged and kept for the rest of the scope, so
/// the console can show it to the admin who sent the invitation. The link is a credential until accepted or expired,
/// so servers neither log nor keep it. One per scope: a console operation or an API request.
/// </summary>
public sealed class InvitationLinks(IOptions<AccountsOptions> options, ILogger<InvitationLinks> log)
{
    private readonly List<IssuedInvitationLink> _issued = [];

    /// <summary>The links made in this scope; always empty outside development.</summary>
    public IReadOnlyList<IssuedInvitationLink> Issued => _issued;

    internal void Made(Invitation invitation, Tenant tenant, string link)
    {
        if (options.Value.LogInvitationLinks)
        {
            log.LogInformation("Invitation for {Email} to {Tenant}: {Link}", invitation.Email, tenant.Slug, link);
            _issued.Add(new IssuedInvitationLink(invitation.Id, invitation.Email, link));
        }
        else
        {
            log.LogInformation("Invitation {Invitation} for {Email} to {Tenant} is in the e-mail outbox", invitation.Id, invitation.Email, tenant.Slug);
        }
    }
}
