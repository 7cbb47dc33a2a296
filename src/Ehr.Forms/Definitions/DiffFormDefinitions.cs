using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>Two versions of a form and what changed from the first to the second.</summary>
public sealed record FormDefinitionDiff(Artifact From, Artifact To, IReadOnlyList<FormChange> Changes);

/// <summary>
/// Compares two form versions (location.read) item by item: added, removed, moved and changed items and the changed
/// properties of each (see <see cref="FormDiff"/>). Any two versions compare, across keys and scopes too (an override
/// against the standard it came from).
/// </summary>
public sealed class DiffFormDefinitions(ActorContext actors, GetFormDefinition definitions, PublishedForms forms)
{
    public async Task<FormDefinitionDiff> HandleAsync(Guid fromId, Guid toId, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        var from = await definitions.HandleAsync(fromId, ct);
        var to = await definitions.HandleAsync(toId, ct);
        var errors = new List<FieldError>();
        if (from is null)
        {
            errors.Add(new FieldError("fromId", ErrorCodes.UnknownReference, "No form version has this id."));
        }

        if (to is null)
        {
            errors.Add(new FieldError("toId", ErrorCodes.UnknownReference, "No form version has this id."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return new FormDefinitionDiff(from!, to!, FormDiff.Compare(forms.Read(from!), forms.Read(to!)));
    }
}
