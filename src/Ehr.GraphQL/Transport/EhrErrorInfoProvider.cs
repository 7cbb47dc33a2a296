using Ehr.Platform.Errors;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;
using GraphQL.Validation.Errors.Custom;

namespace Ehr.GraphQL.Transport;

/// <summary>
/// Every GraphQL error leaves with a stable <c>extensions.code</c> and nothing else about the server: refusals from the
/// modules keep their code and field paths; anything unexpected becomes <c>INTERNAL</c> with a generic message (the
/// details go to the log, never to the client).
/// </summary>
internal sealed class EhrErrorInfoProvider : IErrorInfoProvider
{
    public ErrorInfo GetInfo(ExecutionError executionError)
    {
        var extensions = new Dictionary<string, object?>();
        string message;
        if (Find<EhrException>(executionError) is { } refusal)
        {
            message = refusal.Message;
            extensions["code"] = refusal.Code;
            if (refusal.FieldErrors.Count > 0)
            {
                extensions["fields"] = refusal.FieldErrors
                    .Select(f =>
                    {
                        var field = new Dictionary<string, object?> { ["path"] = f.Path, ["code"] = f.Code, ["message"] = f.Message };
                        if (f.LinkId is not null)
                        {
                            field["linkId"] = f.LinkId;
                        }

                        if (f.NodeId is not null)
                        {
                            field["nodeId"] = f.NodeId;
                        }

                        return field;
                    })
                    .ToList();
            }
        }
        else
        {
            (extensions["code"], message) = executionError switch
            {
                ComplexityError e when e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) => ("QUERY_TOO_DEEP", e.Message),
                ComplexityError e => ("QUERY_TOO_COMPLEX", e.Message),
                NoIntrospectionError => (ErrorCodes.Unauthenticated, "Introspection is only for authenticated callers."),
                SyntaxError e => ("GRAPHQL_PARSE_FAILED", e.Message),
                ValidationError e => ("GRAPHQL_VALIDATION_FAILED", e.Message),
                TimeoutError => ("TIMEOUT", "The request took too long and was stopped."),
                UnhandledError => (ErrorCodes.Internal, "Something went wrong on our side; it has been logged."),
                DocumentError e => ("BAD_REQUEST", e.Message),
                _ => (ErrorCodes.Internal, "Something went wrong on our side; it has been logged."),
            };
        }

        return new ErrorInfo { Message = message, Extensions = extensions };
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
