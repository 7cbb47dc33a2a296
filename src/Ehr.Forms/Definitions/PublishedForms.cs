using Ehr.Forms.Responses;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Caching.Memory;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Form definitions as Questionnaires. A published or retired version never changes (the database enforces it), so
/// its parse and its <see cref="FormPlan"/> (items indexed, calculation order, compiled expressions) are kept, keyed by
/// id and content hash, a bounded number of versions for an hour after their last use; drafts are parsed every time.
/// The engine only reads a Questionnaire (responses and extraction plans are copies), so one instance serves every
/// request.
/// </summary>
public sealed class PublishedForms : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 500 });

    public Questionnaire Read(Artifact definition) => Plan(definition).Questionnaire;

    /// <summary>The version's plan: the one kept for a published or retired version, a new one for a draft.</summary>
    public FormPlan Plan(Artifact definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Kind != FormKind.Name)
        {
            throw new InvalidOperationException($"Artifact {definition.Id} is a {definition.Kind}, not a form.");
        }

        if (definition.IsDraft)
        {
            return FormPlan.Of(Parse(definition));
        }

        var key = definition.Id.ToString("N") + Convert.ToHexString(definition.ContentSha256);
        return _cache.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = TimeSpan.FromHours(1);
            return FormPlan.Of(Parse(definition));
        })!;
    }

    public void Dispose() => _cache.Dispose();

    // The kind's check let only readable Questionnaires in; failing here means the stored row was not written by us.
    private static Questionnaire Parse(Artifact definition) =>
        QuestionnaireJson.ParseQuestionnaire(definition.Content).Resource
        ?? throw new EhrException($"Form definition {definition.Id} does not read as a Questionnaire.");
}
