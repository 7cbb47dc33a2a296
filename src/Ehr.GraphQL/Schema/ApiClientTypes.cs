using Ehr.Platform.Identity;
using Ehr.Platform.Identity.ApiClients;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>API clients (client credentials) of the tenant: queries and mutations for tenant admins (<c>apiclient.manage</c>).</summary>
internal static class ApiClientFields
{
    public static void AddApiClientQueries(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ApiClientType>>>>("apiClients")
            .Description("The tenant's API clients, oldest first (secrets are never shown again).")
            .RequiresPermission(Permissions.ApiClientManage)
            .ResolveAsync(async c => await c.Service<ManageApiClients>().ListAsync(c.CancellationToken));

    public static void AddApiClientMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<ApiClientSecretType>>("createApiClient")
            .Description("Creates a client-credentials API client. The secret is in this answer and nowhere else: store it now.")
            .RequiresPermission(Permissions.ApiClientManage)
            .Argument<NonNullGraphType<ApiClientInputType>>("input")
            .ResolveAsync(async c => await c.Service<ManageApiClients>().CreateAsync(c.GetArgument<ApiClientInput>("input"), c.CancellationToken));

        mutation.Field<NonNullGraphType<ApiClientSecretType>>("rotateApiClientSecret")
            .Description("Replaces the client's secret; the old one stops working at once, tokens already issued keep working until they expire.")
            .RequiresPermission(Permissions.ApiClientManage)
            .Argument<NonNullGraphType<StringGraphType>>("clientId")
            .ResolveAsync(async c => await c.Service<ManageApiClients>().RotateSecretAsync(c.GetArgument<string>("clientId"), c.CancellationToken));

        mutation.Field<NonNullGraphType<ApiClientType>>("changeApiClientRateLimit")
            .Description("Sets the client's limit (requests per minute over all hosts, 1-100000); it applies from the client's next request. " +
                         "VERSION_CONFLICT unless expectedVersion is current.")
            .RequiresPermission(Permissions.ApiClientManage)
            .Argument<NonNullGraphType<StringGraphType>>("clientId")
            .Argument<NonNullGraphType<IntGraphType>>("rateLimitPerMinute")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<ChangeApiClientRateLimit>().HandleAsync(c.GetArgument<string>("clientId"),
                c.GetArgument<int>("rateLimitPerMinute"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<ApiClientType>>("revokeApiClient")
            .Description("Revokes the client: no new tokens, and the ones it holds are refused from its next request.")
            .RequiresPermission(Permissions.ApiClientManage)
            .Argument<NonNullGraphType<StringGraphType>>("clientId")
            .ResolveAsync(async c => await c.Service<ManageApiClients>().RevokeAsync(c.GetArgument<string>("clientId"), c.CancellationToken));
    }
}

internal sealed class ApiClientType : ObjectGraphType<ApiClient>
{
    public ApiClientType()
    {
        this.ProjectsParent();
        Name = "ApiClient";
        Field<NonNullGraphType<StringGraphType>>("clientId").Resolve(c => c.Source.ClientId);
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("scopes")
            .Description("The permissions the client holds.").Resolve(c => c.Source.Scopes);
        Field<NonNullGraphType<IntGraphType>>("rateLimitPerMinute")
            .Description("Requests per minute (sliding), counted over every host of the deployment.").Resolve(c => c.Source.RateLimitPerMinute);
        Field<NonNullGraphType<StringGraphType>>("status").Description("active or revoked.")
            .Resolve(c => c.Source.Status.ToString().ToLowerInvariant());
        Field<NonNullGraphType<StringGraphType>>("secretHint").Description("The secret's last four characters.")
            .Resolve(c => c.Source.SecretHint);
        Field<NonNullGraphType<StringGraphType>>("createdBy").Resolve(c => c.Source.CreatedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeOffsetGraphType>("rotatedAt").Resolve(c => c.Source.RotatedAt);
        Field<DateTimeOffsetGraphType>("revokedAt").Resolve(c => c.Source.RevokedAt);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Name it as expectedVersion when changing the client.")
            .Resolve(c => c.Source.Version);
    }
}

internal sealed class ApiClientSecretType : ObjectGraphType<ApiClientWithSecret>
{
    public ApiClientSecretType()
    {
        this.ProjectsParent();
        Name = "ApiClientWithSecret";
        Field<NonNullGraphType<ApiClientType>>("client").Resolve(c => c.Source.Client);
        Field<NonNullGraphType<StringGraphType>>("secret").Description("Shown once.").Resolve(c => c.Source.Secret);
    }
}

internal sealed class ApiClientInputType : InputObjectGraphType<ApiClientInput>
{
    public ApiClientInputType()
    {
        Name = "ApiClientInput";
        Field<StringGraphType>("name").Description("Required, at most 100 characters.");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("scopes").Description("Permissions to grant, e.g. patient.read.");
        Field<IntGraphType>("rateLimitPerMinute").Description("Defaults to 600.");
    }
}
