using System.Text.RegularExpressions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>
/// A new form draft: blank (only a title), a copy of an existing version (<see cref="From"/>), or an uploaded
/// Questionnaire (<see cref="Content"/>, JSON). <see cref="LocationId"/> makes it that location's override of the key. Key and
/// title default to the uploaded Questionnaire's id and title (or the copied version's).
/// </summary>
public sealed record NewFormDraft(string? Key, Guid? LocationId, string? Title, Guid? From, string? Content);

/// <summary>
/// Starts a form draft (form.manage). A draft only has to read as a Questionnaire; everything else is reported, not
/// refused (the import report: problems with link ids and unsupported features by name), and must be fixed before
/// publishing.
/// </summary>
public sealed partial class CreateFormDraft(ActorContext actors, CreateDraft drafts, FormDefinitions definitions)
{
    public async Task<FormDraftResult> HandleAsync(NewFormDraft input, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        ArgumentNullException.ThrowIfNull(input);
        string? key = input.Key, title = input.Title, content = input.Content;
        if (input.From is null && content is null)
        {
            content = FormDefinitions.Blank(title);
        }
        else if (content is not null && QuestionnaireJson.ParseQuestionnaire(content).Resource is { } uploaded)
        {
            key ??= KeyFrom(uploaded.Id);
            title ??= uploaded.Title ?? uploaded.Name;
        }

        var draft = await drafts.HandleAsync(new NewDraft(FormKind.Name, key, input.LocationId, title, content, input.From), ct);
        return await definitions.ReportAsync(draft, ct);
    }

    /// <summary>A Questionnaire id that is a well-formed key as it is, lower-cased (ids allow upper case and dots).</summary>
    internal static string? KeyFrom(string? id) =>
        id is not null && KeyPattern().IsMatch(id.ToLowerInvariant()) ? id.ToLowerInvariant() : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex KeyPattern();
}
