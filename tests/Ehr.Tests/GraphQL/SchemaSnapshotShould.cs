using Ehr.GraphQL;
using Ehr.GraphQL.Schema;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Tests.GraphQL;

/// <summary>
/// The schema is a reviewed artifact (<c>src/Ehr.GraphQL/schema.graphql</c>). Any change fails here until the file is
/// updated on purpose: run the tests with <c>UPDATE_SCHEMA_SNAPSHOT=1</c> and review the diff.
/// </summary>
public sealed class SchemaSnapshotShould
{
    [Fact]
    public void MatchTheCheckedInSchema()
    {
        using var services = new ServiceCollection().AddEhrGraphQLSchema().BuildServiceProvider();
        var schema = services.GetRequiredService<ISchema>();
        var printed = schema.Print().ReplaceLineEndings("\n").TrimEnd() + "\n";
        var path = Path.Combine(Repository.Root, "src", "Ehr.GraphQL", "schema.graphql");

        if (Environment.GetEnvironmentVariable("UPDATE_SCHEMA_SNAPSHOT") == "1")
        {
            File.WriteAllText(path, printed);
        }

        Assert.True(File.Exists(path), "schema.graphql is missing: run with UPDATE_SCHEMA_SNAPSHOT=1.");
        Assert.Equal(File.ReadAllText(path), printed);
    }

}
