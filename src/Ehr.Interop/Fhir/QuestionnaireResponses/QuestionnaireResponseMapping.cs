using System.Globalization;
using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Platform.Errors;
using Hl7.Fhir.Serialization;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.QuestionnaireResponses;

/// <summary>
/// A form response as a FHIR QuestionnaireResponse, and a posted one as the use case's input. Out: the current
/// revision's answers as the server computed them, with the id, <c>meta</c> (the response's version), the status, the
/// subject, <c>authored</c> (when the current answers were last stored) and <c>questionnaire</c>, the exact canonical
/// of the version answered. In: the answers; what the server owns is set by it, and what we cannot keep is refused by
/// name rather than dropped.
/// </summary>
internal static class QuestionnaireResponseMapping
{
    private static readonly FhirJsonSerializer Serializer = new();

    public static R4.QuestionnaireResponse ToFhir(FormResponseView view, CanonicalForm canonical)
    {
        var response = view.Response;
        var current = response.Current;
        var document = QuestionnaireJson.ParseResponse(current.Content).Resource
                       ?? throw new EhrException($"Form response {response.Id} does not read as a QuestionnaireResponse.");
        document.Id = response.Id.ToString();
        document.Meta = new R4.Meta { VersionId = response.Version.ToString(CultureInfo.InvariantCulture), LastUpdated = FhirHttp.Stored(response.UpdatedAt) };
        document.Status = response.Status switch
        {
            FormResponseStatus.InProgress => R4.QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            FormResponseStatus.Completed => R4.QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            FormResponseStatus.Amended => R4.QuestionnaireResponse.QuestionnaireResponseStatus.Amended,
            _ => R4.QuestionnaireResponse.QuestionnaireResponseStatus.EnteredInError,
        };
        document.Subject = new R4.ResourceReference("Patient/" + response.PatientId);
        document.Questionnaire = canonical.Reference;
        document.AuthoredElement = new R4.FhirDateTime(FhirHttp.Stored(current.UpdatedAt));
        return document;
    }

    /// <summary>The posted response as the use case's input; <c>VALIDATION_FAILED</c> naming each element we cannot keep.</summary>
    public static WholeFormResponse ToInput(R4.QuestionnaireResponse resource)
    {
        var errors = new List<FieldError>();
        var complete = resource.Status switch
        {
            R4.QuestionnaireResponse.QuestionnaireResponseStatus.Completed => true,
            R4.QuestionnaireResponse.QuestionnaireResponseStatus.InProgress => false,
            null => Add(errors, new FieldError("QuestionnaireResponse.status", ErrorCodes.Required, "in-progress (saved) or completed (checked and completed).")),
            _ => Add(errors, new FieldError("QuestionnaireResponse.status", ErrorCodes.InvalidFormat,
                "A new response is in-progress or completed; amending or withdrawing one is the practice's act on the response.")),
        };

        Guid? patient = null;
        var subject = resource.Subject?.Reference;
        if (subject is null || !subject.StartsWith("Patient/", StringComparison.Ordinal) || !Guid.TryParse(subject["Patient/".Length..], out var id))
        {
            errors.Add(new FieldError("QuestionnaireResponse.subject", ErrorCodes.Required, "The subject is a reference Patient/<id>."));
        }
        else
        {
            patient = id;
        }

        // Who answered, when and for which visit are the server's to record (the token's person, now); more than the
        // answers is not kept, so it is refused by name.
        Refuse(errors, resource.Identifier is not null, "identifier", "Identifiers are not kept: the server assigns the id.");
        Refuse(errors, resource.BasedOn.Count > 0, "basedOn", "Not kept.");
        Refuse(errors, resource.PartOf.Count > 0, "partOf", "Not kept.");
        Refuse(errors, resource.Encounter is not null, "encounter", "Not kept yet.");
        Refuse(errors, resource.Author is not null, "author", "Not kept: the server records who answered (the token's person).");
        Refuse(errors, resource.Source is not null, "source", "Not kept: the subject is who the answers are about.");
        Refuse(errors, resource.Contained.Count > 0, "contained", "Contained resources are not kept.");
        Refuse(errors, resource.Extension.Count > 0 || resource.ModifierExtension.Count > 0, "extension",
            "Not supported here: " + string.Join(", ", resource.Extension.Concat(resource.ModifierExtension).Select(e => e.Url)));
        Refuse(errors, resource.Meta is { } meta && (meta.Tag.Count > 0 || meta.Security.Count > 0 || meta.Profile.Any()), "meta",
            "Tags, security labels and profiles are not kept.");
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        // The answers go on as FHIR JSON; id, meta, narrative, status and authored are set by the server.
        return new WholeFormResponse(patient, resource.Questionnaire, Serializer.SerializeToString(resource), complete);
    }

    /// <summary>A use case's field path as the element it concerns.</summary>
    public static string Element(string path) => path switch
    {
        "input.patientId" => "QuestionnaireResponse.subject",
        "input.questionnaire" => "QuestionnaireResponse.questionnaire",
        _ => FhirHttp.Rooted(path, "content", "QuestionnaireResponse"),
    };

    private static void Refuse(List<FieldError> errors, bool present, string element, string message)
    {
        if (present)
        {
            errors.Add(new FieldError("QuestionnaireResponse." + element, ErrorCodes.InvalidFormat, message));
        }
    }

    private static bool Add(List<FieldError> errors, FieldError error)
    {
        errors.Add(error);
        return false;
    }
}
