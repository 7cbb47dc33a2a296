using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// Declarations the access test reads (<c>SchemaAccessShould</c>): every root field names the permission its use case
/// demands, or says it is public; every other object type says its fields only project data its parent already
/// released. Declarations do not enforce anything: the use cases do, and the test proves each one refuses without
/// its permission, so a field can be neither added undeclared nor declared wrongly.
/// </summary>
public static class FieldPermissions
{
    public const string PermissionKey = "ehr.permission";
    public const string PublicKey = "ehr.public";
    public const string ProjectionKey = "ehr.projection";

    /// <summary>The module use case behind this field demands <paramref name="permission"/>.</summary>
    public static FieldBuilder<TSource, TReturn> RequiresPermission<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field, string permission)
    {
        field.FieldType.WithMetadata(PermissionKey, permission);
        return field;
    }

    /// <summary>Open to every authenticated caller (for example <c>viewer</c>, which only echoes the token).</summary>
    public static FieldBuilder<TSource, TReturn> Public<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field)
    {
        field.FieldType.WithMetadata(PublicKey, true);
        return field;
    }

    /// <summary>This type's fields only project the value their parent field returned; they load nothing.</summary>
    public static void ProjectsParent(this IComplexGraphType type) => type.WithMetadata(ProjectionKey, true);

    public static string? PermissionOf(this IFieldType field) => field.GetMetadata<string?>(PermissionKey);

    public static bool IsPublic(this IFieldType field) => field.GetMetadata(PublicKey, false);

    public static bool IsProjection(this IGraphType type) => type.GetMetadata(ProjectionKey, false);
}
