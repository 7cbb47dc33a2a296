using System.Globalization;
using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using Microsoft.AspNetCore.Http;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Patients;

/// <summary><c>GET [base]/Patient/[id]</c>: read, through <see cref="GetPatient"/> (audit, restricted records, disclosures).</summary>
internal static class ReadPatient
{
    public static async Task HandleAsync(HttpContext http, string id, GetPatient patients)
    {
        var patient = await patients.HandleAsync(FhirHttp.Id(id, "Patient"), http.RequestAborted)
                      ?? throw EhrException.NotFound("Patient/" + id);
        await FhirHttp.WriteAsync(http, PatientFhir.ToFhir(patient));
    }
}

/// <summary>
/// <c>GET [base]/Patient?name=&amp;birthdate=&amp;identifier=&amp;phone=&amp;_count=</c>: a searchset Bundle through
/// <see cref="SearchPatients"/>; the next page's link carries our keyset cursor in <c>_cursor</c>.
/// </summary>
internal static class SearchPatient
{
    public static async Task HandleAsync(HttpContext http, SearchPatients search)
    {
        var query = http.Request.Query;
        var supported = new HashSet<string>(["name", "birthdate", "identifier", "phone", "_count", "_cursor", "_format"], StringComparer.Ordinal);
        var unknown = query.Keys.Where(k => !supported.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw EhrException.Validation(unknown.Select(k => new FieldError(k, ErrorCodes.InvalidFormat,
                "Search parameter not supported on Patient (name, birthdate, identifier, phone, _count).")).ToList());
        }

        var identifier = query["identifier"].ToString();
        string? mrn = null;
        if (!string.IsNullOrEmpty(identifier))
        {
            var parts = identifier.Split('|', 2);
            mrn = parts.Length == 1 || parts[0] == PatientMapping.MrnSystem
                ? parts[^1]
                : throw EhrException.Validation([new FieldError("identifier", ErrorCodes.InvalidFormat, $"Search by the MRN ({PatientMapping.MrnSystem}|<mrn>).")]);
        }

        var count = Count(query["_count"].ToString());
        var page = await search.HandleAsync(new PatientSearch(
            Empty(query["name"]), Empty(query["birthdate"]), mrn, Empty(query["phone"]), false, count, Empty(query["_cursor"])), http.RequestAborted);
        var bundle = Bundles.SearchSet(http, page.Edges.Select(e => (R4.Resource)PatientFhir.ToFhir(e.Node)), page.HasNextPage ? page.EndCursor : null);
        await FhirHttp.WriteAsync(http, bundle);
    }

    internal static int Count(string value) => string.IsNullOrEmpty(value)
        ? 20
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100
            ? n
            : throw EhrException.Validation([new FieldError("_count", ErrorCodes.OutOfRange, "_count is between 1 and 100.")]);

    internal static string? Empty(Microsoft.Extensions.Primitives.StringValues value) => string.IsNullOrEmpty(value) ? null : value.ToString();
}

/// <summary><c>POST [base]/Patient</c>: create through <see cref="RegisterPatient"/>; 201 with Location and ETag.</summary>
internal static class CreatePatient
{
    public static async Task HandleAsync(HttpContext http, RegisterPatient register)
    {
        var resource = await FhirHttp.ReadAsync<R4.Patient>(http);
        var patient = await PatientMapping.InFhirTerms(() => register.HandleAsync(PatientMapping.ToInput(resource), http.RequestAborted));
        http.Response.Headers.Location = $"{FhirHttp.BaseUrl(http)}/Patient/{patient.Id}/_history/{patient.Version}";
        await FhirHttp.WriteAsync(http, PatientFhir.ToFhir(patient), StatusCodes.Status201Created);
    }
}

/// <summary>
/// <c>PUT [base]/Patient/[id]</c> with <c>If-Match: W/"version"</c> (required: no last-write-wins): replace through
/// <see cref="UpdatePatient"/>; a stale version is <c>412 Precondition Failed</c>.
/// </summary>
internal static class UpdatePatientInteraction
{
    public static async Task HandleAsync(HttpContext http, string id, UpdatePatient update)
    {
        var patientId = FhirHttp.Id(id, "Patient");
        var version = FhirHttp.IfMatch(http) ?? throw new EhrException(ErrorCodes.VersionConflict,
            "Send If-Match: W/\"<versionId>\" with the version you edited.", StatusCodes.Status428PreconditionRequired);
        var resource = await FhirHttp.ReadAsync<R4.Patient>(http);
        if (resource.Id is { } bodyId && bodyId != id)
        {
            throw EhrException.Validation([new FieldError("Patient.id", ErrorCodes.InvalidFormat, "The resource's id differs from the URL's.")]);
        }

        try
        {
            var patient = await PatientMapping.InFhirTerms(() => update.HandleAsync(patientId, version, PatientMapping.ToInput(resource), http.RequestAborted));
            await FhirHttp.WriteAsync(http, PatientFhir.ToFhir(patient));
        }
        catch (EhrException e) when (e.Code == ErrorCodes.VersionConflict)
        {
            throw new EhrException(e.Code, e.Message, StatusCodes.Status412PreconditionFailed);
        }
    }
}

/// <summary>A searchset Bundle with self and next links.</summary>
internal static class Bundles
{
    public static R4.Bundle SearchSet(HttpContext http, IEnumerable<R4.Resource> resources, string? nextCursor)
    {
        var self = $"{FhirHttp.BaseUrl(http)}{http.Request.Path.Value?[("/fhir".Length)..]}{http.Request.QueryString}";
        var bundle = new R4.Bundle { Type = R4.Bundle.BundleType.Searchset, Id = Guid.NewGuid().ToString(), Meta = new R4.Meta { LastUpdated = DateTimeOffset.UtcNow } };
        bundle.Link.Add(new R4.Bundle.LinkComponent { Relation = "self", Url = self });
        if (nextCursor is not null)
        {
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(http.Request.QueryString.Value)
                .Where(p => p.Key != "_cursor")
                .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
                .Append(new KeyValuePair<string, string?>("_cursor", nextCursor));
            bundle.Link.Add(new R4.Bundle.LinkComponent
            {
                Relation = "next",
                Url = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"{FhirHttp.BaseUrl(http)}{http.Request.Path.Value?[("/fhir".Length)..]}", query),
            });
        }

        foreach (var resource in resources)
        {
            bundle.Entry.Add(new R4.Bundle.EntryComponent
            {
                FullUrl = $"{FhirHttp.BaseUrl(http)}/{resource.TypeName}/{resource.Id}",
                Resource = resource,
                Search = new R4.Bundle.SearchComponent { Mode = R4.Bundle.SearchEntryMode.Match },
            });
        }

        return bundle;
    }
}
