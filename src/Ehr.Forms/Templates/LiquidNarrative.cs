using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Ehr.Platform.Errors;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Ehr.Forms.Templates;

/// <summary>
/// A documentation template's narrative: Liquid (Fluid) that renders a note's text from its answers. Parsing checks
/// what the template may use (only the model <see cref="NarrativeModel"/> builds, known filters, no file access, no
/// unbounded ranges) and that every link id it names exists; rendering is bounded in steps, recursion and size. The
/// text is plain (notes are plain text with Markdown conventions at most): nothing is HTML-encoded, and whoever shows a
/// note shows it as text, never as HTML.
/// </summary>
internal sealed class LiquidNarrative
{
    public const int MaxSource = 50_000;
    public const int MaxOutput = 50_000;
    public const int MaxSteps = 50_000;
    public const int MaxRecursion = 20;
    public const int MaxItems = 5_000;
    public const int MaxRange = 1_000;

    /// <summary>The names the model defines at the top level (see <see cref="NarrativeModel"/>).</summary>
    public static readonly IReadOnlySet<string> Roots = new HashSet<string>(StringComparer.Ordinal)
    {
        NarrativeModel.Answers, NarrativeModel.Groups, NarrativeModel.Scores, NarrativeModel.Items, NarrativeModel.Patient,
        NarrativeModel.FreeText, "forloop", "tablerowloop",
    };

    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();

    private readonly IFluidTemplate _template;

    private LiquidNarrative(IFluidTemplate template, bool placesFreeText)
    {
        _template = template;
        PlacesFreeText = placesFreeText;
    }

    /// <summary>Whether the template puts the clinician's free text somewhere itself (else it follows the rendered text).</summary>
    public bool PlacesFreeText { get; }

    /// <summary>
    /// Parses and checks <paramref name="source"/>. With <paramref name="items"/> (the questionnaire's), every link id
    /// it names must be one the questionnaire has, of the right kind. Problems are reported at <paramref name="path"/>.
    /// </summary>
    public static LiquidNarrative? Compile(string source, TemplateItems? items, string path, List<FieldError> problems)
    {
        if (source.Length > MaxSource)
        {
            problems.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {MaxSource} characters."));
            return null;
        }

        if (!Parser.TryParse(source, out var template, out var error))
        {
            // Fluid says "<what> at (line:column)" then repeats the source line; the first line is the message.
            var message = error.Split('\n', 2)[0].Trim();
            problems.Add(new FieldError(path, ErrorCodes.InvalidFormat, $"The narrative is not valid Liquid: {message}."));
            return null;
        }

        var check = new Check(source, items, path);
        check.VisitTemplate(template);
        problems.AddRange(check.Problems);
        return check.Problems.Count > 0 ? null : new LiquidNarrative(template, check.PlacesFreeText);
    }

    /// <summary>The text for <paramref name="model"/>; a template that fails at run time (a filter's error, a limit) is a problem at <paramref name="path"/>.</summary>
    public string? Render(NarrativeModel model, string path, List<FieldError> problems)
    {
        var context = new TemplateContext(Options, StringComparer.Ordinal)
        {
            CultureInfo = CultureInfo.InvariantCulture,
            TimeZone = TimeZoneInfo.Utc,
            Now = () => model.Now,
        };
        model.Bind(context);
        var output = new BoundedWriter(MaxOutput);
        try
        {
            // Synchronous underneath: the model is made of Fluid's own in-memory values, and nothing reads files.
            _template.RenderAsync(output, NullEncoder.Default, context).AsTask().GetAwaiter().GetResult();
            return output.ToString();
        }
        catch (NarrativeLimitException e)
        {
            problems.Add(new FieldError(path, ErrorCodes.OutOfRange, e.Message));
        }
        catch (InvalidOperationException e) when (e.Message.Contains("recursion", StringComparison.OrdinalIgnoreCase))
        {
            // Fluid reports both of its limits (steps and recursion) with this message.
            problems.Add(new FieldError(path, ErrorCodes.OutOfRange,
                $"The narrative takes too many steps to render (at most {MaxSteps}, nesting at most {MaxRecursion}): is a loop too long?"));
        }
        catch (Exception e) when (e is FluidException or InvalidOperationException or ArgumentException or FormatException
                                       or ArithmeticException or InvalidCastException or NotSupportedException or IndexOutOfRangeException
                                       or KeyNotFoundException or NullReferenceException or System.Text.Json.JsonException)
        {
            problems.Add(new FieldError(path, ErrorCodes.InvalidFormat, $"The narrative could not be rendered: {e.Message}"));
        }

        return null;
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            MaxSteps = MaxSteps,
            MaxRecursion = MaxRecursion,
            StrictFilters = true,
            CultureInfo = CultureInfo.InvariantCulture,
            TimeZone = TimeZoneInfo.Utc,
            // No file system: include and render are refused when parsing; this is the second lock.
            FileProvider = new Microsoft.Extensions.FileProviders.NullFileProvider(),
            // Nothing registered: the model holds Fluid values only, so no CLR member is ever reachable.
            MemberAccessStrategy = new DefaultMemberAccessStrategy(),
        };

        // Filters run inside one step each but can grow a value without bound (append to itself, concat): every
        // filter's result, capture and assignment is held to the output's size.
        foreach (var (name, filter) in options.Filters.ToList())
        {
            options.Filters.AddFilter(name, async (input, arguments, context) => Bounded(await filter(input, arguments, context), name));
        }

        options.Captured = (identifier, value, _) => new ValueTask<FluidValue>(Bounded(value, "capture " + identifier));
        options.Assigned = (identifier, value, _) => new ValueTask<FluidValue>(Bounded(value, "assign " + identifier));
        return options;
    }

    private static FluidValue Bounded(FluidValue value, string what) => value switch
    {
        StringValue s when s.ToStringValue().Length > MaxOutput =>
            throw new NarrativeLimitException($"'{what}' makes a text longer than {MaxOutput} characters."),
        ArrayValue a when a.Values.Count > MaxItems =>
            throw new NarrativeLimitException($"'{what}' makes a list longer than {MaxItems} items."),
        _ => value,
    };

    /// <summary>The static checks, walking the parsed template.</summary>
    private sealed class Check(string source, TemplateItems? items, string path) : AstVisitor
    {
        private static readonly IReadOnlySet<string> KnownFilters =
            Options.Filters.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);

        // Variables the template defines itself (assign, capture, for, increment ...): known roots too, wherever they are.
        private readonly HashSet<string> _defined = new(StringComparer.Ordinal);

        // Loop variables over groups.<link id>: their members are that group's items.
        private readonly Dictionary<string, string> _groupLoops = new(StringComparer.Ordinal);

        private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

        public List<FieldError> Problems { get; } = [];

        public bool PlacesFreeText { get; private set; }

        public override IFluidTemplate VisitTemplate(IFluidTemplate template)
        {
            // First pass: what the template defines, so a use before the definition in document order is not an error.
            new Definitions(_defined, _groupLoops).VisitTemplate(template);
            return base.VisitTemplate(template);
        }

        protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
        {
            Add(ErrorCodes.InvalidFormat, "'include' is not available: a template is one text, it reads no files.");
            return includeStatement;
        }

        protected override Statement VisitRenderStatement(RenderStatement renderStatement)
        {
            Add(ErrorCodes.InvalidFormat, "'render' is not available: a template is one text, it reads no files.");
            return renderStatement;
        }

        protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
        {
            // Fluid materialises a range as a list: only small literal ranges are allowed.
            if (rangeExpression.From is not LiteralExpression { Value: NumberValue from } || rangeExpression.To is not LiteralExpression { Value: NumberValue to }
                || Math.Abs(to.ToNumberValue() - from.ToNumberValue()) >= MaxRange)
            {
                Add(ErrorCodes.OutOfRange, $"A range is written with two numbers at most {MaxRange} apart, e.g. (1..5).");
            }

            return base.VisitRangeExpression(rangeExpression);
        }

        protected override Expression VisitFilterExpression(FilterExpression filterExpression)
        {
            if (!KnownFilters.Contains(filterExpression.Name))
            {
                Add(ErrorCodes.UnknownReference, $"There is no filter '{filterExpression.Name}'.", filterExpression.Name);
            }

            return base.VisitFilterExpression(filterExpression);
        }

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            var segments = memberExpression.Segments;
            if (segments.Count > 0 && segments[0] is IdentifierSegment { Identifier: var root })
            {
                CheckMember(root, segments);
            }

            return base.VisitMemberExpression(memberExpression);
        }

        private void CheckMember(string root, IReadOnlyList<MemberSegment> segments)
        {
            if (root == NarrativeModel.FreeText)
            {
                PlacesFreeText = true;
            }

            if (!Roots.Contains(root) && !_defined.Contains(root))
            {
                Add(ErrorCodes.UnknownReference,
                    $"Unknown variable '{root}'. The narrative can use {string.Join(", ", Roots.Where(r => !r.EndsWith("loop", StringComparison.Ordinal)))} and the variables it assigns.",
                    root);
                return;
            }

            var name = segments.Count > 1 ? Literal(segments[1]) : null;
            if (segments.Count > 1 && segments[1] is IdentifierSegment { Identifier: "size" or "first" or "last" } property
                && (root is NarrativeModel.Answers or NarrativeModel.Scores or NarrativeModel.Groups || _groupLoops.ContainsKey(root)))
            {
                Add(ErrorCodes.InvalidFormat,
                    $"{root}.{property.Identifier}: '{property.Identifier}' is a Liquid property (the number of members, the first, the last); write {root}[\"{property.Identifier}\"] for the item.",
                    root + "." + property.Identifier);
                return;
            }

            if (items is null)
            {
                return;
            }

            switch (root)
            {
                case NarrativeModel.Answers when name is not null:
                    if (!items.Questions.Contains(name))
                    {
                        UnknownItem(root, name, "question");
                    }
                    else
                    {
                        CheckAnswerMember(root, name, segments.Count > 2 ? Literal(segments[2]) : null);
                    }

                    break;
                case NarrativeModel.Scores when name is not null && !items.Calculated.Contains(name):
                    UnknownItem(root, name, "calculated item (a calculatedExpression)");
                    break;
                case NarrativeModel.Groups when name is not null && !items.Groups.ContainsKey(name):
                    UnknownItem(root, name, "group");
                    break;
                case NarrativeModel.Patient when name is not null && !NarrativeModel.PatientFields.Contains(name):
                    Add(ErrorCodes.UnknownReference, $"patient.{name}: the patient has {string.Join(", ", NarrativeModel.PatientFields)}.", name);
                    break;
                default:
                    if (_groupLoops.TryGetValue(root, out var group) && items.Groups.TryGetValue(group, out var members) && name is not null)
                    {
                        if (!members.Contains(name))
                        {
                            Add(ErrorCodes.UnknownReference, $"{root}.{name}: the group '{group}' has no question '{name}'.", name);
                        }
                        else
                        {
                            CheckAnswerMember(root, name, segments.Count > 2 ? Literal(segments[2]) : null);
                        }
                    }

                    break;
            }
        }

        private void CheckAnswerMember(string root, string linkId, string? member)
        {
            if (member is not null && !NarrativeModel.AnswerFields.Contains(member))
            {
                Add(ErrorCodes.UnknownReference,
                    $"{root}.{linkId}.{member}: an answer has {string.Join(", ", NarrativeModel.AnswerFields)}.", member);
            }
        }

        private void UnknownItem(string root, string linkId, string kind) =>
            Add(ErrorCodes.UnknownReference, $"{root}.{linkId}: the questionnaire has no {kind} with the link id '{linkId}'.", linkId);

        private static string? Literal(MemberSegment segment) => segment switch
        {
            IdentifierSegment i => i.Identifier,
            IndexerSegment { Expression: LiteralExpression { Value: StringValue s } } => s.ToStringValue(),
            _ => null,
        };

        private void Add(string code, string message, string? near = null)
        {
            var located = message + Line(near);
            if (_reported.Add(located))
            {
                Problems.Add(new FieldError(path, code, located));
            }
        }

        /// <summary>" (line N)" where <paramref name="near"/> first appears, so a builder can point at it (Fluid's syntax tree has no positions).</summary>
        private string Line(string? near)
        {
            var at = near is null ? -1 : source.IndexOf(near, StringComparison.Ordinal);
            return at < 0 ? "" : $" (line {source.AsSpan(0, at).Count('\n') + 1})";
        }
    }

    /// <summary>Collects the variables a template defines, and which loop variables walk which group.</summary>
    private sealed class Definitions(HashSet<string> defined, Dictionary<string, string> groupLoops) : AstVisitor
    {
        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            defined.Add(assignStatement.Identifier);
            return base.VisitAssignStatement(assignStatement);
        }

        protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
        {
            defined.Add(captureStatement.Identifier);
            return base.VisitCaptureStatement(captureStatement);
        }

        protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
        {
            defined.Add(incrementStatement.Identifier);
            return base.VisitIncrementStatement(incrementStatement);
        }

        protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
        {
            defined.Add(decrementStatement.Identifier);
            return base.VisitDecrementStatement(decrementStatement);
        }

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            defined.Add(forStatement.Identifier);
            if (forStatement.Source is MemberExpression { Segments: [IdentifierSegment { Identifier: NarrativeModel.Groups }, var group] } &&
                group switch
                {
                    IdentifierSegment i => i.Identifier,
                    IndexerSegment { Expression: LiteralExpression { Value: StringValue s } } => s.ToStringValue(),
                    _ => null,
                } is { } linkId)
            {
                groupLoops[forStatement.Identifier] = linkId;
            }

            return base.VisitForStatement(forStatement);
        }

        protected override Statement VisitTableRowStatement(TableRowStatement tableRowStatement)
        {
            defined.Add(tableRowStatement.Identifier);
            return base.VisitTableRowStatement(tableRowStatement);
        }
    }

    /// <summary>A writer that refuses to grow past a size.</summary>
    private sealed class BoundedWriter(int max) : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            Reserve(1);
            _text.Append(value);
        }

        public override void Write(string? value)
        {
            Reserve(value?.Length ?? 0);
            _text.Append(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Reserve(count);
            _text.Append(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Reserve(buffer.Length);
            _text.Append(buffer);
        }

        public override Task WriteAsync(char value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(char[] buffer, int index, int count)
        {
            Write(buffer, index, count);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return Task.CompletedTask;
        }

        public override string ToString() => _text.ToString();

        private void Reserve(int count)
        {
            if (_text.Length + count > max)
            {
                throw new NarrativeLimitException($"The narrative renders to more than {max} characters.");
            }
        }
    }
}

/// <summary>A rendering stopped by one of the narrative's size limits.</summary>
internal sealed class NarrativeLimitException(string message) : Exception(message);
