using System.Text.RegularExpressions;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;

namespace Ehr.Forms.Definitions;

/// <summary>A Questionnaire (JSON, kept as sent) to store as a new form version, drafted or published at once.</summary>
public sealed record NewQuestionnaire(string? Content, bool Publish, string? Note = null);

/// <summary>
/// Stores a Questionnaire sent as a whole (form.manage; the FHIR create): the next version of the tenant-standard
/// form that already carries its <c>url</c>, else a new form whose key comes from the url's last segment (else its
/// name, else its title). As a draft, or published at once in the same transaction after the complete check (any
/// problem refuses it and nothing is stored). Published, its <c>url|version</c> must be new to the tenant, so the
/// canonical the client holds names exactly what it sent (<c>DUPLICATE</c> on <c>content.version</c> otherwise).
/// </summary>
public sealed partial class AddQuestionnaire(TenantDbContext db, ActorContext actors, CreateDraft drafts, ArtifactLifecycle lifecycle,
    FormCanonicals canonicals, TenantAnswerValueSets valueSets)
{
    public async Task<FormVersion> HandleAsync(NewQuestionnaire input, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrWhiteSpace(input.Content))
        {
            throw EhrException.Validation([new FieldError("content", ErrorCodes.Required, "The Questionnaire is required.")]);
        }

        var parsed = QuestionnaireJson.ParseQuestionnaire(input.Content);
        var questionnaire = parsed.Resource ?? throw EhrException.Validation(FormProblemFields.ToFieldErrors(parsed.Problems, "content"));
        var url = string.IsNullOrEmpty(questionnaire.Url) ? null : questionnaire.Url;
        var all = await canonicals.AllAsync(ct);
        string key;
        // The form that already carries this url: the tenant standard's key if there is one (a location override shares it).
        var sameUrl = url is null ? null : all.Where(c => c.Url == url)
            .OrderBy(c => c.LocationId is not null).ThenByDescending(c => c.PublishedAt ?? DateTimeOffset.MaxValue).FirstOrDefault();
        if (sameUrl is not null)
        {
            key = sameUrl.Key;
        }
        else
        {
            var (derived, path) = url is not null && KeyOf(LastSegment(url)) is { } fromUrl ? (fromUrl, "content.url")
                : KeyOf(questionnaire.Name) is { } fromName ? (fromName, "content.name")
                : KeyOf(questionnaire.Title) is { } fromTitle ? (fromTitle, "content.title")
                : throw EhrException.Validation([new FieldError("content.url", ErrorCodes.Required,
                    "Give the Questionnaire a url (or a name or title) to name the form by.")]);
            if (all.Any(c => c.Key == derived))
            {
                throw EhrException.Validation([new FieldError(path, ErrorCodes.Duplicate,
                    $"The form '{derived}' this would be filed under already exists with another url: give the Questionnaire its own url or name.")]);
            }

            key = derived;
        }

        // Without a version string of its own the artifact's number is its version (FormCanonicals keeps it exact).
        if (input.Publish && url is not null && questionnaire.Version is { Length: > 0 } version &&
            all.FirstOrDefault(c => c.Status != ArtifactStatus.Draft && c.Url == url && c.Version == version) is { } held)
        {
            throw EhrException.Validation([new FieldError("content.version", ErrorCodes.Duplicate,
                $"{url}|{version} is already Questionnaire/{held.Id}: give this one its own version.")]);
        }

        await valueSets.LoadAsync(ct);
        var stored = await db.InTransactionAsync(async token =>
        {
            var draft = await drafts.HandleAsync(new NewDraft(FormKind.Name, key, null, questionnaire.Title ?? questionnaire.Name ?? key, input.Content), token);
            return input.Publish ? await lifecycle.PublishAsync(draft.Id, draft.RowVersion, input.Note, token) : draft;
        }, ct);
        canonicals.Forget();
        var canonical = (await canonicals.OfAsync([stored.Id], ct))[stored.Id];
        return new FormVersion(stored, canonical);
    }

    private static string? LastSegment(string url)
    {
        var end = url.IndexOfAny(['?', '#']);
        var path = (end < 0 ? url : url[..end]).TrimEnd('/');
        return path[(path.LastIndexOf('/') + 1)..];
    }

    /// <summary>A well-formed form key from free text: lower case, anything else than letters, digits, dots and underscores as hyphens.</summary>
    internal static string? KeyOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var key = NotKey().Replace(text.Trim().ToLowerInvariant(), "-").Trim('-', '.', '_');
        key = key.Length > 100 ? key[..100].TrimEnd('-', '.', '_') : key;
        return key.Length > 0 && Regex.IsMatch(key, "^[a-z0-9][a-z0-9._-]{0,99}$") ? key : null;
    }

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex NotKey();
}
