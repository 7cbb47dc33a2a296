using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>Raw OAuth2 calls against the host's authorization server, as a startup's back end would make them.</summary>
public static class Oidc
{
    public sealed record TokenAnswer(int Status, JsonNode Body)
    {
        public string AccessToken => Body["access_token"]?.GetValue<string>() ?? throw new InvalidOperationException("No access token: " + Body.ToJsonString());

        public string? RefreshToken => Body["refresh_token"]?.GetValue<string>();

        public string? Error => Body["error"]?.GetValue<string>();
    }

    public static async Task<TokenAnswer> TokenAsync(this HttpClient http, IDictionary<string, string> form)
    {
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var text = await response.Content.ReadAsStringAsync();
        return new TokenAnswer((int)response.StatusCode, JsonNode.Parse(text.Length > 0 ? text : "{}")!);
    }

    public static Task<TokenAnswer> ClientCredentialsAsync(this HttpClient http, string clientId, string secret, string? scope = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return http.TokenAsync(form);
    }

    public static HttpClient WithBearer(this HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
