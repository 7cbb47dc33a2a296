using System.Text.Json;
using GraphQL;
using Microsoft.AspNetCore.Http;

namespace Ehr.GraphQL.Transport;

/// <summary>A GraphQL-over-HTTP request, parsed and checked; or why it is not one.</summary>
internal sealed record GraphQLHttpRequest(string Query, string? OperationName, Inputs? Variables, Inputs? Extensions);

internal sealed record RequestProblem(int Status, string Code, string Message);

/// <summary>
/// Reads GET query strings and POST <c>application/json</c> bodies exactly as the GraphQL-over-HTTP spec describes:
/// <c>query</c> a string, <c>variables</c> and <c>extensions</c> maps (or null), <c>operationName</c> a string (or null).
/// </summary>
internal static class GraphQLRequestReader
{
    public static async Task<(GraphQLHttpRequest? Request, RequestProblem? Problem)> ReadAsync(HttpContext http, long maxBytes)
    {
        return HttpMethods.IsGet(http.Request.Method) ? FromQueryString(http.Request.Query) : await FromBodyAsync(http, maxBytes);
    }

    private static (GraphQLHttpRequest?, RequestProblem?) FromQueryString(IQueryCollection query)
    {
        if (!query.TryGetValue("query", out var text) || text.Count != 1 || string.IsNullOrEmpty(text[0]))
        {
            return (null, BadRequest("The 'query' parameter is required."));
        }

        var variables = ParseMap(query["variables"], "variables", out var problem);
        if (problem is not null)
        {
            return (null, problem);
        }

        var extensions = ParseMap(query["extensions"], "extensions", out problem);
        if (problem is not null)
        {
            return (null, problem);
        }

        var name = query["operationName"].ToString();
        return (new GraphQLHttpRequest(text[0]!, string.IsNullOrEmpty(name) ? null : name, variables, extensions), null);
    }

    private static Inputs? ParseMap(string? json, string name, out RequestProblem? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return Map(doc.RootElement, name, out problem);
        }
        catch (JsonException)
        {
            problem = BadRequest($"'{name}' is not valid JSON.");
            return null;
        }
    }

    private static async Task<(GraphQLHttpRequest?, RequestProblem?)> FromBodyAsync(HttpContext http, long maxBytes)
    {
        var contentType = http.Request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            return (null, new RequestProblem(415, "UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json."));
        }

        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) ||
            !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new RequestProblem(415, "UNSUPPORTED_MEDIA_TYPE", $"'{contentType}' is not supported: send application/json."));
        }

        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new RequestProblem(415, "UNSUPPORTED_MEDIA_TYPE", "Only utf-8 request bodies are supported."));
        }

        if (http.Request.ContentLength > maxBytes)
        {
            return (null, new RequestProblem(413, "REQUEST_TOO_LARGE", $"The request body exceeds {maxBytes} bytes."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, new RequestProblem(413, "REQUEST_TOO_LARGE", $"The request body exceeds {maxBytes} bytes."));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, BadRequest("The request body is empty."));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException)
        {
            return (null, BadRequest("The request body is not valid JSON."));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, BadRequest("The request body must be a JSON object."));
            }

            if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String || query.GetString()!.Length == 0)
            {
                return (null, BadRequest("'query' must be a non-empty string."));
            }

            string? operationName = null;
            if (root.TryGetProperty("operationName", out var op) && op.ValueKind != JsonValueKind.Null)
            {
                if (op.ValueKind != JsonValueKind.String)
                {
                    return (null, BadRequest("'operationName' must be a string."));
                }

                operationName = op.GetString();
            }

            Inputs? variables = null;
            if (root.TryGetProperty("variables", out var vars))
            {
                variables = Map(vars, "variables", out var problem);
                if (problem is not null)
                {
                    return (null, problem);
                }
            }

            Inputs? extensions = null;
            if (root.TryGetProperty("extensions", out var ext))
            {
                extensions = Map(ext, "extensions", out var problem);
                if (problem is not null)
                {
                    return (null, problem);
                }
            }

            return (new GraphQLHttpRequest(query.GetString()!, operationName, variables, extensions), null);
        }
    }

    private static Inputs? Map(JsonElement element, string name, out RequestProblem? problem)
    {
        problem = null;
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            problem = BadRequest($"'{name}' must be a JSON object.");
            return null;
        }

        return new Inputs((Dictionary<string, object?>)ToObject(element)!);
    }

    internal static object? ToObject(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => ToObject(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt32(out var i) ? i : e.TryGetInt64(out var l) ? l : e.TryGetDecimal(out var m) ? m : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static RequestProblem BadRequest(string message) => new(400, "BAD_REQUEST", message);
}
