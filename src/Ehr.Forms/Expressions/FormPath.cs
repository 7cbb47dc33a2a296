using System.Text.RegularExpressions;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace Ehr.Forms.Expressions;

/// <summary>
/// The Firely FHIRPath engine with what SDC expressions need on top: <c>sum()</c>, and <c>ordinal()</c> /
/// <c>weight()</c>, which score a chosen answer from the questionnaire's own options (never from what the client
/// sent). Compiling is not cached here: a <see cref="Responses.FormPlan"/> keeps the compiled expressions of one
/// definition version, so they go when the version is no longer in use.
/// </summary>
internal static partial class FormPath
{
    private static readonly FhirPathCompiler Compiler = new(BuildSymbols());

    /// <summary>Environment names every SDC expression may use without declaring them.</summary>
    public static readonly IReadOnlySet<string> BuiltInVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "resource", "rootResource", "context", "questionnaire", "qitem", "ucum", "sct", "loinc",
    };

    public static CompiledExpression Compile(string expression) => Compiler.Compile(expression);

    /// <summary>The expression's syntax tree (for analysis; evaluation goes through <see cref="Compile"/>).</summary>
    public static Hl7.FhirPath.Expressions.Expression Parse(string expression) => Compiler.Parse(expression);

    /// <summary>Compiles the expression, or says why it cannot be compiled.</summary>
    public static bool TryCompile(string expression, out CompiledExpression? compiled, out string? error)
    {
        try
        {
            compiled = Compile(expression);
            error = null;
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            compiled = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The <c>%name</c> variables an expression reads, outside string literals.</summary>
    public static IReadOnlySet<string> VariablesReadBy(string expression)
    {
        var withoutStrings = StringLiteral().Replace(expression, "''");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in VariableReference().Matches(withoutStrings))
            names.Add(m.Groups["plain"].Success ? m.Groups["plain"].Value : m.Groups["quoted"].Value);
        return names;
    }

    public static List<PocoNode> Evaluate(CompiledExpression expression, PocoNode focus, SdcEvaluationContext context) =>
        expression([focus], context).ToList();

    private static SymbolTable BuildSymbols()
    {
        var symbols = new SymbolTable(FhirPathCompiler.DefaultSymbolTable);
        symbols.Add("sum", static (IEnumerable<PocoNode> focus) => Sum(focus));
        symbols.Add("ordinal", static (IEnumerable<PocoNode> focus, EvaluationContext context) => Ordinals(focus, context));
        symbols.Add("weight", static (IEnumerable<PocoNode> focus, EvaluationContext context) => Ordinals(focus, context));
        return symbols;
    }

    private static PocoNode? Sum(IEnumerable<PocoNode> focus)
    {
        decimal total = 0;
        var any = false;
        foreach (var node in focus)
        {
            switch (node.Poco)
            {
                case Integer { Value: { } i }: total += i; break;
                case FhirDecimal { Value: { } d }: total += d; break;
                case Quantity { Value: { } q }: total += q; break;
                case PrimitiveType { JsonValue: int or long or decimal } p:
                    total += Convert.ToDecimal(p.JsonValue, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default: throw new InvalidOperationException($"sum() can only add numbers, not {node.Poco?.TypeName ?? "nothing"}.");
            }
            any = true;
        }
        // FHIRPath: the sum of an empty collection is 0.
        return PocoNode.ForAnyPrimitive(any ? total : 0m);
    }

    private static List<PocoNode> Ordinals(IEnumerable<PocoNode> focus, EvaluationContext context)
    {
        var result = new List<PocoNode>();
        if (context is not SdcEvaluationContext sdc) return result;
        foreach (var node in focus)
        {
            // The answer value's parent is the answer, whose parent is the response item naming the question.
            var linkId = (node.Parent?.Parent?.Poco as QuestionnaireResponse.ItemComponent)?.LinkId;
            var score = node.Poco switch
            {
                Coding coding => sdc.Ordinal(linkId, coding),
                DataType value => sdc.OrdinalOfValue(linkId, value),
                _ => null,
            };
            if (score is { } s) result.Add(PocoNode.ForAnyPrimitive(s));
        }
        return result;
    }

    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"%(?:(?<plain>[A-Za-z_][A-Za-z0-9_\-]*)|`(?<quoted>[^`]+)`)")]
    private static partial Regex VariableReference();
}
