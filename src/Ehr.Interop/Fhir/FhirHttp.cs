using System.Globalization;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;

namespace Ehr.Interop.Fhir;

/// <summary>
/// FHIR over HTTP (R4, JSON): answering with a resource (<c>application/fhir+json</c>, ETag and Last-Modified from
/// <c>meta</c>), reading a resource from a request body with the Firely SDK (strict: an unknown element is an error,
/// not data to drop), and every refusal as an OperationOutcome whose issues carry our stable codes and field paths.
/// </summary>
internal static class FhirHttp
{
    public const string ContentType = "application/fhir+json; fhirVersion=4.0; charset=utf-8";
    public const string ErrorCodeSystem = "https://ehr-saas.org/fhir/CodeSystem/error-code";

    /// <summary>On an OperationOutcome issue about a form's item: the item's link id.</summary>
    public const string LinkIdExtension = "https://ehr-saas.org/fhir/StructureDefinition/questionnaire-link-id";

    private static readonly FhirJsonSerializer Serializer = new();
    private static readonly FhirJsonDeserializer Deserializer = FhirJsonDeserializer.STRICT;

    public static async System.Threading.Tasks.Task WriteAsync(HttpContext http, Resource resource, int status = StatusCodes.Status200OK)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType;
        if (resource.Meta?.VersionId is { } version)
        {
            http.Response.Headers.ETag = $"W/\"{version}\"";
        }

        if (resource.Meta?.LastUpdated is { } updated)
        {
            http.Response.Headers.LastModified = updated.ToString("R", CultureInfo.InvariantCulture);
        }

        await http.Response.WriteAsync(Serializer.SerializeToString(resource), http.RequestAborted);
    }

    /// <summary>The request's resource of type <typeparamref name="T"/>, or an <see cref="EhrException"/> saying what is wrong with it.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext http) where T : Resource => (await ReadWithTextAsync<T>(http)).Resource;

    /// <summary>As <see cref="ReadAsync{T}"/>, with the body's text as sent (what is kept when the content is stored as authored).</summary>
    public static async Task<(T Resource, string Text)> ReadWithTextAsync<T>(HttpContext http) where T : Resource
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not ("application/fhir+json" or "application/json"))
        {
            throw new EhrException(ErrorCodes.InvalidFormat, "Send the resource as application/fhir+json (XML is not supported).", StatusCodes.Status415UnsupportedMediaType);
        }

        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        Resource resource;
        try
        {
            resource = Deserializer.DeserializeResource(body);
        }
        catch (DeserializationFailedException e)
        {
            var type = ResourceTypeOf(body);
            throw EhrException.Validation(e.Exceptions.Select(ParseProblem)
                .Select(f => f.Path.StartsWith("$this", StringComparison.Ordinal) && type is not null ? f with { Path = type + f.Path["$this".Length..] } : f)
                .ToList());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw EhrException.Validation([new FieldError("resource", ErrorCodes.InvalidFormat, "Not a FHIR JSON resource: " + e.Message)]);
        }

        return resource is T typed
            ? (typed, body)
            : throw EhrException.Validation([new FieldError("resourceType", ErrorCodes.InvalidFormat, $"Expected a {typeof(T).Name}, got a {resource.TypeName}.")]);
    }

    /// <summary>
    /// A use case's refusal of a resource that was well-formed FHIR but broke our rules (a form's checks, an unknown
    /// reference): <c>422 Unprocessable Entity</c>, each field's path turned into the element it concerns.
    /// </summary>
    public static async Task<T> InFhirTermsAsync<T>(Func<Task<T>> work, Func<string, string> element)
    {
        try
        {
            return await work();
        }
        catch (EhrException e) when (e.Code == ErrorCodes.ValidationFailed)
        {
            throw new EhrException(e.Code, e.Message, StatusCodes.Status422UnprocessableEntity,
                e.FieldErrors.Select(f => f with { Path = element(f.Path) }).ToList());
        }
    }

    /// <summary><paramref name="path"/> with the input's root (<c>content</c>) replaced by the resource type.</summary>
    public static string Rooted(string path, string root, string resourceType) =>
        path == root ? resourceType
        : path.StartsWith(root + ".", StringComparison.Ordinal) ? resourceType + path[root.Length..]
        : path;

    private static string? ResourceTypeOf(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("resourceType", out var type) && type.ValueKind == System.Text.Json.JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Firely's messages end with "At &lt;path&gt;, line L, position P.": the path becomes the issue's expression.</summary>
    private static FieldError ParseProblem(Exception problem)
    {
        var match = System.Text.RegularExpressions.Regex.Match(problem.Message, @"\s*At (?<path>[^,]+)(, line \d+, position \d+)?\.$");
        return match.Success
            ? new FieldError(match.Groups["path"].Value, ErrorCodes.InvalidFormat, problem.Message[..match.Index].TrimEnd())
            : new FieldError("resource", ErrorCodes.InvalidFormat, problem.Message);
    }

    /// <summary>A refusal as FHIR says it: an OperationOutcome, one issue per field problem, with the matching HTTP status.</summary>
    public static System.Threading.Tasks.Task WriteErrorAsync(HttpContext http, EhrException error)
    {
        if (error.HttpStatus == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }

        var issueType = error.Code switch
        {
            ErrorCodes.ValidationFailed or ErrorCodes.InvalidFormat => OperationOutcome.IssueType.Invalid,
            ErrorCodes.NotFound => OperationOutcome.IssueType.NotFound,
            ErrorCodes.Forbidden => OperationOutcome.IssueType.Forbidden,
            ErrorCodes.RestrictedRecord => OperationOutcome.IssueType.Security,
            ErrorCodes.Unauthenticated or ErrorCodes.AccessRevoked => OperationOutcome.IssueType.Login,
            ErrorCodes.VersionConflict or ErrorCodes.Conflict => OperationOutcome.IssueType.Conflict,
            ErrorCodes.RateLimited => OperationOutcome.IssueType.Throttled,
            ErrorCodes.TenantRequired or ErrorCodes.TenantNotFound or ErrorCodes.TenantMismatch or ErrorCodes.TenantSuspended => OperationOutcome.IssueType.Processing,
            _ => OperationOutcome.IssueType.Exception,
        };
        var outcome = new OperationOutcome();
        var fields = error.FieldErrors.Count > 0 ? error.FieldErrors : [new FieldError("", error.Code, error.Message)];
        foreach (var field in fields)
        {
            var issue = new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = issueType,
                Details = new CodeableConcept(ErrorCodeSystem, field.Code == error.Code ? error.Code : field.Code, field.Message),
                Diagnostics = error.Message,
            };
            if (!string.IsNullOrEmpty(field.Path))
            {
                issue.Expression = [field.Path];
            }

            if (field.LinkId is { } linkId)
            {
                // The form item a problem concerns, for a client that places it beside the question.
                issue.Extension.Add(new Extension(LinkIdExtension, new FhirString(linkId)));
            }

            outcome.Issue.Add(issue);
        }

        return WriteAsync(http, outcome, error.HttpStatus);
    }

    /// <summary>Parses a logical id (our ids are UUIDs); anything else cannot exist here.</summary>
    public static Guid Id(string id, string resourceType) =>
        Guid.TryParse(id, out var guid) ? guid : throw EhrException.NotFound($"{resourceType}/{id}");

    /// <summary>The version a client names with <c>If-Match: W/"n"</c>, or null when it names none.</summary>
    public static int? IfMatch(HttpContext http)
    {
        var value = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        trimmed = trimmed.StartsWith("W/", StringComparison.Ordinal) ? trimmed[2..] : trimmed;
        return int.TryParse(trimmed.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw EhrException.Validation([new FieldError("header.If-Match", ErrorCodes.InvalidFormat, "If-Match is W/\"<versionId>\".")]);
    }

    /// <summary>A time as PostgreSQL keeps it (microseconds), so a resource answered on create reads the same later.</summary>
    public static DateTimeOffset Stored(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    public static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/fhir";
}
