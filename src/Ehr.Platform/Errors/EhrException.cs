namespace Ehr.Platform.Errors;

/// <summary>
/// A refusal with a stable, documented code. Every API surface (GraphQL, FHIR, HTTP middleware) maps it to its own
/// error shape; the code and the field paths are the contract clients rely on, the message is for people.
/// </summary>
public class EhrException : Exception
{
    public EhrException(string code, string message, int httpStatus = 400, IReadOnlyList<FieldError>? fieldErrors = null)
        : base(message)
    {
        Code = code;
        HttpStatus = httpStatus;
        FieldErrors = fieldErrors ?? [];
    }

    public EhrException() : this(ErrorCodes.Internal, "Unexpected error.", 500) { }

    public EhrException(string message) : this(ErrorCodes.Internal, message, 500) { }

    public EhrException(string message, Exception innerException) : base(message, innerException)
    {
        Code = ErrorCodes.Internal;
        HttpStatus = 500;
        FieldErrors = [];
    }

    /// <summary>Stable machine-readable code, for example <c>VALIDATION_FAILED</c>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status a plain HTTP surface answers with.</summary>
    public int HttpStatus { get; }

    /// <summary>One entry per offending field, each with its path in the input.</summary>
    public IReadOnlyList<FieldError> FieldErrors { get; }

    public static EhrException Validation(IReadOnlyList<FieldError> errors) =>
        new(ErrorCodes.ValidationFailed,
            errors.Count == 1 ? $"{errors[0].Path}: {errors[0].Message}" : $"{errors.Count} fields are invalid.",
            400, errors);

    public static EhrException NotFound(string what) => new(ErrorCodes.NotFound, $"{what} was not found.", 404);

    public static EhrException VersionConflict(string what, int expected, int actual) =>
        new(ErrorCodes.VersionConflict,
            $"{what} was changed by someone else (you sent version {expected}, the current version is {actual}). Reload and apply your change again.",
            409);

    public static EhrException Forbidden(string message) => new(ErrorCodes.Forbidden, message, 403);

    public static EhrException RestrictedRecord(string what) =>
        new(ErrorCodes.RestrictedRecord,
            $"{what} is a restricted record: only its care team may open it. If you must, break the glass with a reason (it is audited and reported).",
            403);
}

/// <summary>
/// One invalid input field: its path (for example <c>input.name.family</c>), a stable code and a message; for a problem
/// in a form (a definition or a response), the questionnaire item's link id too; for a problem in a workflow
/// definition, the node it concerns.
/// </summary>
public sealed record FieldError(string Path, string Code, string Message, string? LinkId = null, string? NodeId = null);
