using Microsoft.AspNetCore.Http;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Metadata;

/// <summary><c>GET [base]/metadata</c>: what this server does, exactly the interactions mapped in <see cref="InteropModule"/>.</summary>
internal static class CapabilityStatementEndpoint
{
    public static Task HandleAsync(HttpContext http)
    {
        var statement = new R4.CapabilityStatement
        {
            Status = R4.PublicationStatus.Active,
            Date = "2026-11-26",
            Kind = R4.CapabilityStatementKind.Instance,
            FhirVersion = R4.FHIRVersion.N4_0_1,
            Format = ["application/fhir+json"],
            Software = new R4.CapabilityStatement.SoftwareComponent { Name = "Ehr.Saas" },
            Implementation = new R4.CapabilityStatement.ImplementationComponent { Description = "Ehr.Saas FHIR R4", Url = FhirHttp.BaseUrl(http) },
        };
        var rest = new R4.CapabilityStatement.RestComponent { Mode = R4.CapabilityStatement.RestfulCapabilityMode.Server };
        rest.Security = new R4.CapabilityStatement.SecurityComponent
        {
            Description = "OAuth2 bearer tokens from this server's authorization server (/.well-known/openid-configuration).",
        };
        rest.Resource.Add(Resource("Patient",
            [R4.CapabilityStatement.TypeRestfulInteraction.Read, R4.CapabilityStatement.TypeRestfulInteraction.SearchType,
             R4.CapabilityStatement.TypeRestfulInteraction.Create, R4.CapabilityStatement.TypeRestfulInteraction.Update],
            ("name", R4.SearchParamType.String), ("birthdate", R4.SearchParamType.Date), ("identifier", R4.SearchParamType.Token), ("phone", R4.SearchParamType.Token)));
        rest.Resource.Add(Resource("Observation",
            [R4.CapabilityStatement.TypeRestfulInteraction.Read, R4.CapabilityStatement.TypeRestfulInteraction.SearchType,
             R4.CapabilityStatement.TypeRestfulInteraction.Create],
            ("patient", R4.SearchParamType.Reference), ("code", R4.SearchParamType.Token)));
        rest.Resource.Add(Resource("Questionnaire",
            [R4.CapabilityStatement.TypeRestfulInteraction.Read, R4.CapabilityStatement.TypeRestfulInteraction.Vread,
             R4.CapabilityStatement.TypeRestfulInteraction.SearchType, R4.CapabilityStatement.TypeRestfulInteraction.Create],
            ("url", R4.SearchParamType.Uri), ("version", R4.SearchParamType.Token), ("name", R4.SearchParamType.String),
            ("title", R4.SearchParamType.String), ("status", R4.SearchParamType.Token)));
        rest.Resource.Add(Resource("QuestionnaireResponse",
            [R4.CapabilityStatement.TypeRestfulInteraction.Read, R4.CapabilityStatement.TypeRestfulInteraction.Vread,
             R4.CapabilityStatement.TypeRestfulInteraction.SearchType, R4.CapabilityStatement.TypeRestfulInteraction.Create],
            ("patient", R4.SearchParamType.Reference), ("questionnaire", R4.SearchParamType.Reference),
            ("status", R4.SearchParamType.Token), ("authored", R4.SearchParamType.Date)));
        statement.Rest.Add(rest);
        return FhirHttp.WriteAsync(http, statement);
    }

    private static R4.CapabilityStatement.ResourceComponent Resource(string type, R4.CapabilityStatement.TypeRestfulInteraction[] interactions,
        params (string Name, R4.SearchParamType Type)[] search)
    {
        var resource = new R4.CapabilityStatement.ResourceComponent
        {
            Type = type,
            Versioning = R4.CapabilityStatement.ResourceVersionPolicy.Versioned,
            UpdateCreate = false,
            ConditionalUpdate = false,
        };
        resource.Interaction.AddRange(interactions.Select(i => new R4.CapabilityStatement.ResourceInteractionComponent { Code = i }));
        resource.SearchParam.AddRange(search.Select(s => new R4.CapabilityStatement.SearchParamComponent { Name = s.Name, Type = s.Type }));
        return resource;
    }
}
