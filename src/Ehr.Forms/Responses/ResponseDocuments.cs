using System.Globalization;
using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Responses;

/// <summary>
/// What the server owns in a stored QuestionnaireResponse, and reading what a client sends. The server sets the id,
/// status, subject (the patient), questionnaire (the pinned version's canonical) and authored time, and drops what a
/// client may not claim (author, source, encounter, basedOn, partOf, identifier, contained resources, meta, narrative,
/// modifier extensions): the answers are the client's, everything about them is ours.
/// </summary>
internal static class ResponseDocuments
{
    public const int MaxBytes = 2 * 1024 * 1024;

    /// <summary>The client's response JSON, or <c>VALIDATION_FAILED</c> with paths under <paramref name="path"/>.</summary>
    public static QuestionnaireResponse Parse(string? content, string path)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw EhrException.Validation([new FieldError(path, ErrorCodes.Required, "The answers are required (a QuestionnaireResponse as JSON).")]);
        }

        if (System.Text.Encoding.UTF8.GetByteCount(content) > MaxBytes)
        {
            throw EhrException.Validation([new FieldError(path, ErrorCodes.TooLong, $"At most {MaxBytes / 1024 / 1024} MiB.")]);
        }

        var parsed = QuestionnaireJson.ParseResponse(content);
        return parsed.Resource ?? throw EhrException.Validation(FormProblemFields.ToFieldErrors(parsed.Problems, path));
    }

    public static QuestionnaireResponse Read(string stored) =>
        QuestionnaireJson.ParseResponse(stored).Resource ?? throw new EhrException("A stored form response does not read as a QuestionnaireResponse.");

    /// <summary>Sets what the server owns on <paramref name="response"/> (before the engine runs, so extraction sees it).</summary>
    public static QuestionnaireResponse Own(QuestionnaireResponse response, Guid id, QuestionnaireResponse.QuestionnaireResponseStatus status,
        Guid patientId, Questionnaire questionnaire, Artifact definition, DateTimeOffset authored)
    {
        response.Id = id.ToString();
        response.Meta = null;
        response.Text = null;
        response.Contained.Clear();
        response.ModifierExtension.Clear();
        response.Identifier = null;
        response.BasedOn.Clear();
        response.PartOf.Clear();
        response.Encounter = null;
        response.Author = null;
        response.Source = null;
        response.Status = status;
        response.Subject = new ResourceReference("Patient/" + patientId);
        response.Questionnaire = Canonical(questionnaire, definition);
        response.Authored = authored.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
        return response;
    }

    public static string Write(QuestionnaireResponse response) => QuestionnaireJson.Serialize(response);

    /// <summary>
    /// The Questionnaire's canonical with its version (its own, else the artifact's number), or a reference to the
    /// artifact when it has no URL. The response row's form id is what pins the version; this is for FHIR readers.
    /// </summary>
    private static string Canonical(Questionnaire questionnaire, Artifact definition) =>
        questionnaire.Url is { Length: > 0 } url
            ? $"{url}|{questionnaire.Version ?? definition.Version.ToString(CultureInfo.InvariantCulture)}"
            : $"Questionnaire/{definition.Id}";

    /// <summary>
    /// The flagged answers: calculated yes/no items that came out true (the library's PHQ-9 item 9 flag), by link id,
    /// in the order they appear. A flag is computed by the form, never taken from the client.
    /// </summary>
    public static IReadOnlyList<string> Flags(Questionnaire questionnaire, QuestionnaireResponse response)
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        void Definitions(IEnumerable<Questionnaire.ItemComponent> items)
        {
            foreach (var item in items)
            {
                if (item.Type == Questionnaire.QuestionnaireItemType.Boolean && item.LinkId is not null && Sdc.ExpressionOf(item, Sdc.CalculatedExpression) is not null)
                {
                    flags.Add(item.LinkId);
                }

                Definitions(item.Item);
            }
        }

        Definitions(questionnaire.Item);
        var raised = new List<string>();
        void Answers(IEnumerable<QuestionnaireResponse.ItemComponent> items)
        {
            foreach (var item in items)
            {
                if (item.LinkId is { } linkId && flags.Contains(linkId) && item.Answer.Any(a => a.Value is FhirBoolean { Value: true }) && !raised.Contains(linkId))
                {
                    raised.Add(linkId);
                }

                Answers(item.Item);
                foreach (var answer in item.Answer)
                {
                    Answers(answer.Item);
                }
            }
        }

        Answers(response.Item);
        return raised;
    }
}
