using Ehr.Platform.Errors;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>The account behind the current actor, for self-service (a person's own MFA settings).</summary>
public static class SignedInAccount
{
    /// <summary>
    /// The signed-in person's account id (the token's subject). API clients, the system and local-development tokens
    /// that name no account are refused with <c>FORBIDDEN</c>.
    /// </summary>
    public static Guid UserId(ActorContext actors)
    {
        var actor = actors.Current;
        return actor.Kind == ActorKind.User && Guid.TryParse(actor.Id, out var id)
            ? id
            : throw EhrException.Forbidden("Only a person signed in with their own account can change its sign-in settings.");
    }
}
