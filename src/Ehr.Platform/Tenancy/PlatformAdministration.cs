using Ehr.Platform.Identity;

namespace Ehr.Platform.Tenancy;

/// <summary>
/// Who may run the tenant catalog (create, suspend, resume): a platform admin, or the operator (the system actor:
/// <c>./ehr tenants ...</c>, start-up, tests). The operations check it themselves, so no page or API in front of
/// them can forget it; a tenant admin is refused (<c>FORBIDDEN</c>, recorded as a denial like every other).
/// </summary>
public static class PlatformAdministration
{
    /// <summary>An actor context for the operator's own tools, which run without anyone signed in.</summary>
    public static ActorContext Operator(string what)
    {
        var actors = new ActorContext(new TenantContext());
        actors.Bind(Actor.System(what));
        return actors;
    }

    internal static void Demand(ActorContext actors)
    {
        if (actors.Current.IsSystem)
        {
            return;
        }

        actors.Demand(Permissions.PlatformAdmin);
    }
}
