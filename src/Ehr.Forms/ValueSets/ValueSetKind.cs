using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Forms.ValueSets;

/// <summary>
/// The <c>value-set</c> artifact kind: a FHIR R4 ValueSet a form's <c>answerValueSet</c> names by its canonical URL.
/// Published, it needs a URL and concepts the engine can list (an expansion, or concepts enumerated in its compose:
/// filters and whole code systems cannot be expanded here). Only tenant-wide versions are used.
/// </summary>
internal sealed class ValueSetKind : IArtifactKind
{
    public const string Name = "value-set";

    public string Kind => Name;

    public string ReadPermission => Permissions.LocationRead;

    public string ManagePermission => Permissions.FormManage;

    public IReadOnlyList<FieldError> Check(string content, bool publishing)
    {
        var parsed = QuestionnaireJson.ParseValueSet(content);
        if (parsed.Resource is not { } valueSet)
        {
            return FormProblemFields.ToFieldErrors(parsed.Problems, "");
        }

        if (!publishing)
        {
            return [];
        }

        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(valueSet.Url) || !Uri.TryCreate(valueSet.Url, UriKind.Absolute, out _) || valueSet.Url.Contains('|', StringComparison.Ordinal))
        {
            errors.Add(new FieldError("url", ErrorCodes.Required, "A value set needs its canonical URL (absolute, without |version): forms name it in answerValueSet."));
        }
        else if (AnswerValueSetExpansion.Flatten(valueSet, valueSet.Url) is null)
        {
            errors.Add(new FieldError("compose", ErrorCodes.InvalidFormat,
                "List the concepts (an expansion, or concepts in compose.include); filters, other value sets and whole code systems cannot be expanded here."));
        }

        return errors;
    }
}
