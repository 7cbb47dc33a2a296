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

    /// <summary>An optional <c>ID</c> (an argument, or a field of an input object at <paramref name="path"/>) as a UUID.</summary>
    public static Guid? OptionalUuid(string? raw, string path) =>
        raw is null ? null
        : Guid.TryParse(raw, out var id) ? id
        : throw EhrException.Validation([new FieldError(path, ErrorCodes.InvalidFormat, $"'{raw}' is not an id.")]);

    public static T Service<T>(this IResolveFieldContext context) where T : notnull =>
        (T)context.RequestServices!.GetService(typeof(T))!;
}

/// <summary>
/// The input of every artifact kind's "create a draft" mutation (forms, note templates, workflows): a blank draft names
/// key and title, a copy names <c>from</c>, content fills or replaces it. Each kind's input type describes the fields its own way.
/// </summary>
internal sealed record ArtifactDraftArguments(string? Key, string? LocationId, string? Title, string? From, string? Content);
