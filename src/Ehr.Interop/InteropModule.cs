using Ehr.Interop.Fhir;
using Ehr.Interop.Fhir.Metadata;
using Ehr.Interop.Fhir.Observations;
using Ehr.Interop.Fhir.Patients;
using Ehr.Interop.Fhir.QuestionnaireResponses;
using Ehr.Interop.Fhir.Questionnaires;
using Ehr.Platform.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ehr.Interop;

/// <summary>
/// The FHIR R4 REST API at <c>/fhir</c>: the same module use cases as GraphQL (so the same permissions, validation,
/// audit and disclosures), one file per resource's interactions. Tenancy and authentication are the host's: the
/// token's tenant, the host name or <c>X-Tenant</c>.
/// </summary>
public static class InteropModule
{
    public static IEndpointConventionBuilder MapEhrFhir(this IEndpointRouteBuilder endpoints, string prefix = "/fhir")
    {
        var fhir = endpoints.MapGroup(prefix).AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (EhrException e)
            {
                await FhirHttp.WriteErrorAsync(context.HttpContext, e);
                return Results.Empty;
            }
        });
        fhir.MapGet("/metadata", CapabilityStatementEndpoint.HandleAsync);
        fhir.MapGet("/Patient/{id}", ReadPatient.HandleAsync);
        fhir.MapGet("/Patient", SearchPatient.HandleAsync);
        fhir.MapPost("/Patient", CreatePatient.HandleAsync);
        fhir.MapPut("/Patient/{id}", UpdatePatientInteraction.HandleAsync);
        fhir.MapGet("/Observation/{id}", ReadObservation.HandleAsync);
        fhir.MapGet("/Observation", SearchObservation.HandleAsync);
        fhir.MapPost("/Observation", CreateObservation.HandleAsync);
        fhir.MapGet("/Questionnaire/{id}", ReadQuestionnaire.HandleAsync);
        fhir.MapGet("/Questionnaire/{id}/_history/{vid}", VReadQuestionnaire.HandleAsync);
        fhir.MapGet("/Questionnaire", SearchQuestionnaire.HandleAsync);
        fhir.MapPost("/Questionnaire", CreateQuestionnaire.HandleAsync);
        fhir.MapGet("/QuestionnaireResponse/{id}", ReadQuestionnaireResponse.HandleAsync);
        fhir.MapGet("/QuestionnaireResponse/{id}/_history/{vid}", VReadQuestionnaireResponse.HandleAsync);
        fhir.MapGet("/QuestionnaireResponse", SearchQuestionnaireResponse.HandleAsync);
        fhir.MapPost("/QuestionnaireResponse", CreateQuestionnaireResponse.HandleAsync);
        return fhir;
    }
}
