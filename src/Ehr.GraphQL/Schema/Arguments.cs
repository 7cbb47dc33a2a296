using Ehr.Platform.Errors;
using GraphQL;

namespace Ehr.GraphQL.Schema;

internal static class Arguments
{
    /// <summary>An <c>ID</c> argument as a UUID; anything else is <c>VALIDATION_FAILED</c> naming the argument.</summary>
    public static Guid Uuid(this IResolveFieldContext context, string name)
    {
        var raw = context.GetArgument<string>(name);
        return Guid.TryParse(raw, out var id)
            ? id
            : throw EhrException.Validation([new FieldError(name, ErrorCodes.InvalidFormat, $"'{raw}' is not an id.")]);
    }

    public static T Service<T>(this IResolveFieldContext context) where T : notnull =>
        (T)context.RequestServices!.GetService(typeof(T))!;
}
