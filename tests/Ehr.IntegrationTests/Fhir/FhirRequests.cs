using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ehr.IntegrationTests.Fhir;

/// <summary>A FHIR request with JSON in and out: the status, the body (an empty object when there is none) and the response.</summary>
internal static class FhirRequests
{
    public const string FhirJson = "application/fhir+json";

    public static async Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> FhirAsync(
        this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirJson));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, FhirJson);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!, response);
    }

    /// <summary>The (expression, our code, link id) of each issue of an OperationOutcome.</summary>
    public static IReadOnlyList<(string? Expression, string Code, string? LinkId)> Issues(this JsonNode outcome) =>
        outcome["issue"]!.AsArray().Select(i => (
            i!["expression"]?[0]?.GetValue<string>(),
            i["details"]!["coding"]![0]!["code"]!.GetValue<string>(),
            i["extension"]?.AsArray().FirstOrDefault(e => e!["url"]!.GetValue<string>().EndsWith("questionnaire-link-id", StringComparison.Ordinal))?["valueString"]?.GetValue<string>()))
        .ToList();

    /// <summary>The resources of a searchset Bundle.</summary>
    public static IReadOnlyList<JsonNode> Entries(this JsonNode bundle) =>
        bundle["entry"]?.AsArray().Select(e => e!["resource"]!).ToList() ?? [];

    public static string? NextLink(this JsonNode bundle) =>
        bundle["link"]!.AsArray().SingleOrDefault(l => l!["relation"]!.GetValue<string>() == "next")?["url"]!.GetValue<string>();
}
