using Ehr.Clinical.Observations;
using Ehr.Interop.Fhir.Patients;
using Ehr.Platform.Errors;
using Microsoft.AspNetCore.Http;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Observations;

/// <summary><c>GET [base]/Observation/[id]</c> through <see cref="GetObservation"/>.</summary>
internal static class ReadObservation
{
    public static async Task HandleAsync(HttpContext http, string id, GetObservation observations)
    {
        var observation = await observations.HandleAsync(FhirHttp.Id(id, "Observation"), http.RequestAborted)
                          ?? throw EhrException.NotFound("Observation/" + id);
        await FhirHttp.WriteAsync(http, ObservationMapping.ToFhir(observation));
    }
}

/// <summary><c>GET [base]/Observation?patient=&amp;code=system|code&amp;_count=</c> through <see cref="ListObservations"/>: newest first.</summary>
internal static class SearchObservation
{
    public static async Task HandleAsync(HttpContext http, ListObservations list)
    {
        var query = http.Request.Query;
        var supported = new HashSet<string>(["patient", "subject", "code", "_count", "_cursor", "_format"], StringComparer.Ordinal);
        var errors = query.Keys.Where(k => !supported.Contains(k))
            .Select(k => new FieldError(k, ErrorCodes.InvalidFormat, "Search parameter not supported on Observation (patient, code, _count).")).ToList();
        var patientParam = SearchPatient.Empty(query["patient"]) ?? SearchPatient.Empty(query["subject"]);
        var patientId = patientParam?.StartsWith("Patient/", StringComparison.Ordinal) == true ? patientParam["Patient/".Length..] : patientParam;
        if (patientId is null || !Guid.TryParse(patientId, out var patient))
        {
            errors.Add(new FieldError("patient", ErrorCodes.Required, "Observations are searched per patient: patient=<id>."));
            patient = Guid.Empty;
        }

        string? system = null, code = null;
        if (SearchPatient.Empty(query["code"]) is { } codeParam)
        {
            var parts = codeParam.Split('|', 2);
            if (parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
            {
                (system, code) = (parts[0], parts[1]);
            }
            else
            {
                errors.Add(new FieldError("code", ErrorCodes.InvalidFormat, "code=<system>|<code>, e.g. http://loinc.org|8480-6."));
            }
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var page = await list.HandleAsync(new ObservationQuery(patient, system, code, false, SearchPatient.Count(query["_count"].ToString()),
            SearchPatient.Empty(query["_cursor"])), http.RequestAborted);
        await FhirHttp.WriteAsync(http, Bundles.SearchSet(http, page.Nodes.Select(o => (R4.Resource)ObservationMapping.ToFhir(o)),
            page.HasNextPage ? page.EndCursor : null));
    }
}

/// <summary><c>POST [base]/Observation</c> through <see cref="RecordObservation"/>.</summary>
internal static class CreateObservation
{
    public static async Task HandleAsync(HttpContext http, RecordObservation record)
    {
        var resource = await FhirHttp.ReadAsync<R4.Observation>(http);
        var observation = await record.HandleAsync(ObservationMapping.ToInput(resource), http.RequestAborted);
        http.Response.Headers.Location = $"{FhirHttp.BaseUrl(http)}/Observation/{observation.Id}/_history/{observation.Version}";
        await FhirHttp.WriteAsync(http, ObservationMapping.ToFhir(observation), StatusCodes.Status201Created);
    }
}
