using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using Hl7.Fhir.Validation;

namespace Ehr.Forms.Definitions;

/// <summary>The outcome of reading a resource from JSON: the resource when it could be read, else the problems, each with its path.</summary>
public sealed record Parsed<T>(T? Resource, IReadOnlyList<FormProblem> Problems) where T : Resource
{
    public bool Succeeded => Resource is not null && Problems.Count == 0;
}

/// <summary>Reads and writes Questionnaire and QuestionnaireResponse JSON with the Firely SDK (FHIR R4).</summary>
public static partial class QuestionnaireJson
{
    // Strict: an unknown element, a wrong literal or an unknown code is a problem to report, not data to drop. The
    // narrative (text.div) only has to be well-formed XHTML: Firely's FHIR-XHTML schema check refuses narratives the
    // HL7 IG publisher itself generates (named anchors, table attributes), and we never render an imported narrative.
    private static readonly FhirJsonDeserializer Deserializer =
        new(new DeserializerSettings().UsingMode(DeserializationMode.Strict, NarrativeValidationKind.Xml));
    private static readonly FhirJsonSerializer Serializer = new();

    public static Parsed<Questionnaire> ParseQuestionnaire(string json) => Parse<Questionnaire>(json);

    public static Parsed<QuestionnaireResponse> ParseResponse(string json) => Parse<QuestionnaireResponse>(json);

    public static Parsed<ValueSet> ParseValueSet(string json) => Parse<ValueSet>(json);
    /// <summary>A launch context's patient (<c>%patient</c>), as the clinical module maps it.</summary>
    public static Parsed<Patient> ParsePatient(string json) => Parse<Patient>(json);

    public static string Serialize(Resource resource, bool pretty = false) =>
        pretty ? Serializer.SerializeToString(resource, pretty: true) : Serializer.SerializeToString(resource);

    private static Parsed<T> Parse<T>(string json) where T : Resource
    {
        if (string.IsNullOrWhiteSpace(json))
            return new(null, [new FormProblem(null, FormProblemCodes.InvalidJson, "The document is empty.", "$")]);
        Resource resource;
        try
        {
            resource = Deserializer.DeserializeResource(json);
        }
        catch (DeserializationFailedException e)
        {
            var problems = e.Exceptions.Select(ToProblem).ToList();
            return new(null, problems);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            return new(null, [new FormProblem(null, FormProblemCodes.InvalidJson, $"This is not valid JSON{where}.", e.Path ?? "$")]);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or CodedException)
        {
            return new(null, [new FormProblem(null, FormProblemCodes.InvalidResource, e.Message, "$")]);
        }
        if (resource is not T typed)
        {
            return new(null, [new FormProblem(null, FormProblemCodes.WrongResourceType,
                $"Expected a {typeof(T).Name}, got a {resource.TypeName}.", "resourceType")]);
        }
        return new(typed, []);
    }

    private static FormProblem ToProblem(CodedException e)
    {
        // Firely's messages end with "At <path>, line L, position P." — keep the path as the pointer.
        var match = Location().Match(e.Message);
        var path = match.Success ? match.Groups["path"].Value : null;
        var message = match.Success ? e.Message[..match.Index].TrimEnd() : e.Message;
        return new FormProblem(null, FormProblemCodes.InvalidResource, $"{message} ({e.ErrorCode})", path);
    }

    [GeneratedRegex(@"\s*At (?<path>[^,]+)(, line \d+, position \d+)?\.$")]
    private static partial Regex Location();
}
