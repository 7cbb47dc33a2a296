using System.Diagnostics;
using System.Globalization;
using Ehr.Forms.Definitions;
using Ehr.Forms.Library;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;

namespace Ehr.Bench;

/// <summary>
/// Server-side validation and scoring of a completed response, in process (no database, no HTTP): the library's
/// PHQ-9, and a generated 300-question form (30 sections of 8 scored choices, a conditional number and a section
/// score, plus a grand total). As on the server, each response is processed with the plan kept for its definition
/// version (<see cref="PublishedForms"/>: items indexed, calculation order, compiled expressions); the first response
/// to a version, which makes the plan, is measured apart.
/// </summary>
internal static class FormsBench
{
    public static IReadOnlyList<Metric> Run(TimeSpan duration)
    {
        var engine = new ResponseEngine();
        var phq9 = QuestionnaireJson.ParseQuestionnaire(File.ReadAllText(Path.Combine(FormLibrary.Locate(), "phq-9.json"))).Resource!;
        var phq9Response = Phq9Response(phq9);
        var (large, largeResponse) = Generated(30);
        var phq9Plan = FormPlan.Of(phq9);
        var largePlan = FormPlan.Of(large);
        Check(engine.Process(phq9Plan, phq9Response), "phq9-total", "27");
        Check(engine.Process(largePlan, largeResponse), "total", (30 * 8 * 3).ToString(CultureInfo.InvariantCulture));

        var phq9Latencies = Measure(duration, () => engine.Process(phq9Plan, phq9Response));
        var largeLatencies = Measure(duration, () => engine.Process(largePlan, largeResponse));
        var firstLatencies = Measure(duration / 2, () => engine.Process(large, largeResponse));
        var validator = new DefinitionValidator();
        var definitionLatencies = Measure(duration / 2, () => validator.Validate(large));
        return
        [
            Target("PHQ-9 completed: validate + score, p95", phq9Latencies.Percentile(95), 1),
            new("forms", "PHQ-9 completed: validate + score, p50", phq9Latencies.Percentile(50), "ms", "", null),
            Target("300-question form completed: validate + score, p95", largeLatencies.Percentile(95), 10),
            new("forms", "300-question form completed: validate + score, p50", largeLatencies.Percentile(50), "ms", "", null),
            new("forms", "300-question form, first response to a version (plan made), p50", firstLatencies.Percentile(50), "ms", "", null),
            new("forms", "300-question definition: validate, p95", definitionLatencies.Percentile(95), "ms", "", null),
        ];
    }

    private static Metric Target(string name, double value, double target) =>
        new("forms", name, value, "ms", $"<= {target}", value <= target);

    private static Latencies Measure(TimeSpan duration, Action work)
    {
        for (var i = 0; i < 50; i++) work(); // JIT and the expression cache
        var latencies = new Latencies();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            work();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return latencies;
    }

    private static void Check(ResponseOutcome outcome, string linkId, string expected)
    {
        if (!outcome.IsValid) throw new InvalidOperationException($"benchmark response is invalid: {string.Join("; ", outcome.Problems)}");
        var value = Find(outcome.Response.Item, linkId)?.Answer.FirstOrDefault()?.Value?.ToString();
        if (value != expected) throw new InvalidOperationException($"{linkId} = {value}, expected {expected}");
    }

    private static QuestionnaireResponse.ItemComponent? Find(IEnumerable<QuestionnaireResponse.ItemComponent> items, string linkId)
    {
        foreach (var item in items)
        {
            if (item.LinkId == linkId) return item;
            if (Find(item.Item, linkId) is { } found) return found;
        }
        return null;
    }

    private static QuestionnaireResponse Phq9Response(Questionnaire q) => new()
    {
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
        Questionnaire = $"{q.Url}|{q.Version}",
        Item =
        [
            new()
            {
                LinkId = "phq9",
                Item = Enumerable.Range(1, 9).Select(i => new QuestionnaireResponse.ItemComponent
                {
                    LinkId = $"phq9-item{i}",
                    Answer = [new() { Value = new Coding("http://loinc.org", "LA6571-9") }],
                }).ToList(),
            },
            new() { LinkId = "phq9-difficulty", Answer = [new() { Value = new Coding("http://loinc.org", "LA6574-3") }] },
        ],
    };

    private static (Questionnaire, QuestionnaireResponse) Generated(int sections)
    {
        const string calculated = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
        Extension Calc(string expression) => new(calculated, new Expression { Language = "text/fhirpath", Expression_ = expression });
        var q = new Questionnaire { Status = PublicationStatus.Active, Url = "https://bench.example.org/large", Version = "1" };
        var r = new QuestionnaireResponse { Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed };
        for (var s = 0; s < sections; s++)
        {
            var group = new Questionnaire.ItemComponent { LinkId = $"s{s}", Type = Questionnaire.QuestionnaireItemType.Group, Required = true };
            var answered = new QuestionnaireResponse.ItemComponent { LinkId = $"s{s}" };
            for (var i = 0; i < 8; i++)
            {
                var question = new Questionnaire.ItemComponent { LinkId = $"s{s}-q{i}", Type = Questionnaire.QuestionnaireItemType.Choice, Required = true, Text = $"Question {s}.{i}" };
                for (var o = 0; o < 4; o++)
                {
                    question.AnswerOption.Add(new Questionnaire.AnswerOptionComponent
                    {
                        Value = new Coding("https://bench.example.org/scale", $"o{o}"),
                        Extension = [new Extension("http://hl7.org/fhir/StructureDefinition/ordinalValue", new FhirDecimal(o))],
                    });
                }
                group.Item.Add(question);
                answered.Item.Add(new() { LinkId = question.LinkId, Answer = [new() { Value = new Coding("https://bench.example.org/scale", "o3") }] });
            }
            group.Item.Add(new Questionnaire.ItemComponent
            {
                LinkId = $"s{s}-n",
                Type = Questionnaire.QuestionnaireItemType.Integer,
                Required = true,
                EnableWhen = [new() { Question = $"s{s}-q0", Operator = Questionnaire.QuestionnaireItemOperator.Equal, Answer = new Coding("https://bench.example.org/scale", "o3") }],
                Extension = [new Extension("http://hl7.org/fhir/StructureDefinition/minValue", new Integer(0)), new Extension("http://hl7.org/fhir/StructureDefinition/maxValue", new Integer(100))],
            });
            answered.Item.Add(new() { LinkId = $"s{s}-n", Answer = [new() { Value = new Integer(42) }] });
            group.Item.Add(new Questionnaire.ItemComponent
            {
                LinkId = $"s{s}-score",
                Type = Questionnaire.QuestionnaireItemType.Integer,
                ReadOnly = true,
                Extension = [Calc($"%resource.item.where(linkId = 's{s}').item.where(linkId.startsWith('s{s}-q')).answer.value.ordinal().sum()")],
            });
            q.Item.Add(group);
            r.Item.Add(answered);
        }
        q.Item.Add(new Questionnaire.ItemComponent
        {
            LinkId = "total",
            Type = Questionnaire.QuestionnaireItemType.Integer,
            ReadOnly = true,
            Extension = [Calc("%resource.item.item.where(linkId.endsWith('-score')).answer.value.sum()")],
        });
        return (q, r);
    }
}
