using System.Text.Json;
using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.Templates;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;

namespace Ehr.Tests.Forms;

/// <summary>
/// The starter packs' note templates (<c>tenant-templates/*/note-templates.json</c>): each checks as for publishing,
/// prefills and renders for a patient, and the clinically important rules hold (a procedure is not signed without
/// consent, scores carry their severity, each lesion is described).
/// </summary>
public sealed class StarterPackNoteTemplatesShould
{
    private static readonly DateTimeOffset Now = new(2026, 5, 4, 15, 0, 0, TimeSpan.Zero);
    private static readonly NoteTemplateKind Kind = new(TenantFormEngine.Over(InMemoryAnswerValueSets.Empty), TimeProvider.System);
    private static readonly ResponseEngine Engine = new();

    public static TheoryData<string, string> Templates()
    {
        var data = new TheoryData<string, string>();
        foreach (var (pack, template) in All())
        {
            data.Add(pack, template.Key);
        }

        return data;
    }

    [Fact]
    public void GiveEveryPackTheTemplatesItsSpecialtyNeeds()
    {
        var keys = All().GroupBy(t => t.Pack).ToDictionary(g => g.Key, g => g.Select(t => t.Template.Key).ToList());

        Assert.Equal(["annual-wellness-visit", "history-and-physical", "soap-progress-note", "telehealth-visit"], keys["primary-care"].Order());
        Assert.Equal(["psychiatric-intake-evaluation", "psychotherapy-progress-note", "safety-plan"], keys["behavioral-health"].Order());
        Assert.Equal(["dermatology-follow-up", "skin-exam", "skin-procedure-note"], keys["dermatology"].Order());
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void CheckAsForPublishingAndRenderForAPatient(string pack, string key)
    {
        var template = Compile(pack, key);
        var prefilled = Engine.Prefill(template.Questionnaire, PrefillContext.ForPatient(Patient(), Now));
        Assert.Empty(prefilled.Problems);

        var narrative = Render(template, prefilled.Response);

        Assert.False(string.IsNullOrWhiteSpace(narrative));
        Assert.True(NoteTypes.IsKnown(template.NoteType));
    }

    [Fact]
    public void PrefillTheChartIntoTheTemplatesThatAskForIt()
    {
        var intake = Compile("behavioral-health", "psychiatric-intake-evaluation");
        var telehealth = Compile("primary-care", "telehealth-visit");

        var intakeAnswers = Engine.Prefill(intake.Questionnaire, PrefillContext.ForPatient(Patient(), Now)).Response;
        var telehealthAnswers = Engine.Prefill(telehealth.Questionnaire, PrefillContext.ForPatient(Patient(), Now)).Response;

        Assert.Equal("Sam", Value(intakeAnswers, "preferred-name"));
        Assert.Equal("1985-09-30", Value(intakeAnswers, "birth-date"));
        Assert.Equal("+1 312 555 0142", Value(telehealthAnswers, "callback-number"));
    }

    [Fact]
    public void RefuseToCompleteAProcedureNoteWithoutConsentAndTimeOut()
    {
        var template = Compile("dermatology", "skin-procedure-note");
        var response = Response(template, ("procedure", Coding("punch-biopsy")), ("site", new FhirString("left forearm")),
            ("pre-op-diagnosis", new FhirString("Atypical nevus")), ("anesthesia", Coding("lidocaine-epi")), ("punch-diameter", new FhirDecimal(4)),
            ("specimen-sent", new FhirBoolean(true)), ("complications", Coding("none")));

        var outcome = Engine.Process(template.Questionnaire, response, ResponseCheck.Complete);

        Assert.Equal(["consent", "consent-form", "consent-group", "time-out"], outcome.Problems.Where(p => p.Code == FormProblemCodes.Required).Select(p => p.LinkId).Order());
    }

    [Fact]
    public void CarryPhq9AndGad7TotalsWithTheirSeverityComputed()
    {
        var template = Compile("behavioral-health", "psychotherapy-progress-note");
        var response = Response(template, ("session-type", Coding("individual")), ("setting", Coding("video")), ("duration", new Integer(53)),
            ("phq9-total", new Integer(12)), ("phq9-severity", new FhirString("none")), ("gad7-total", new Integer(16)),
            ("presenting-concerns", new FhirString("Low mood at work.")), ("interventions", new FhirString("Behavioral activation.")),
            ("suicidal-ideation", Coding("none")), ("plan", new FhirString("Activity schedule.")));

        var outcome = Engine.Process(template.Questionnaire, response, ResponseCheck.Complete);
        Assert.Empty(outcome.Problems);
        var narrative = Render(template, outcome.Response);

        Assert.Contains("Individual session, video, 53 minutes.", narrative, StringComparison.Ordinal);
        Assert.Contains("PHQ-9: 12/27 (moderate)\nGAD-7: 16/21 (severe)", narrative, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeEachLesionOfASkinExam()
    {
        var template = Compile("dermatology", "skin-exam");
        var response = QuestionnaireJson.ParseResponse("""
            {"resourceType":"QuestionnaireResponse","status":"in-progress","item":[
              {"linkId":"reason","answer":[{"valueString":"Annual skin check"}]},
              {"linkId":"background","item":[{"linkId":"exam-extent","answer":[{"valueCoding":{"system":"https://ehr-saas.org/fhir/CodeSystem/note-template-answers","code":"full-body","display":"Full skin examination"}}]}]},
              {"linkId":"lesion","item":[{"linkId":"site","answer":[{"valueString":"left upper back"}]},
                {"linkId":"diameter","answer":[{"valueDecimal":7}]},
                {"linkId":"abcde","answer":[{"valueCoding":{"system":"https://ehr-saas.org/fhir/CodeSystem/note-template-answers","code":"diameter","display":"Diameter over 6 mm"}},{"valueCoding":{"system":"https://ehr-saas.org/fhir/CodeSystem/note-template-answers","code":"evolving","display":"Evolving"}}]},
                {"linkId":"impression","answer":[{"valueCoding":{"system":"https://ehr-saas.org/fhir/CodeSystem/note-template-answers","code":"atypical-nevus","display":"Atypical nevus"}}]},
                {"linkId":"action","answer":[{"valueCoding":{"system":"https://ehr-saas.org/fhir/CodeSystem/note-template-answers","code":"biopsy","display":"Biopsy"}}]}]},
              {"linkId":"lesion","item":[{"linkId":"site","answer":[{"valueString":"right cheek"}]},
                {"linkId":"impression","answer":[{"valueCoding":{"system":"https://ehr-saas.org/fhir/CodeSystem/note-template-answers","code":"seborrheic-keratosis","display":"Seborrheic keratosis"}}]}]},
              {"linkId":"assessment","answer":[{"valueString":"One atypical nevus."}]},
              {"linkId":"plan","answer":[{"valueString":"Punch biopsy today."}]}]}
            """).Resource!;

        var outcome = Engine.Process(template.Questionnaire, response, ResponseCheck.Complete);
        Assert.Empty(outcome.Problems);
        var narrative = Render(template, outcome.Response);

        Assert.Contains("1. left upper back: lesion, 7 mm; concerning features: diameter over 6 mm, evolving; impression: atypical nevus; action: biopsy.\n"
                        + "2. right cheek: lesion; impression: seborrheic keratosis.\n", narrative, StringComparison.Ordinal);
    }

    private static CompiledNoteTemplate Compile(string pack, string key)
    {
        var template = All().Single(t => t.Pack == pack && t.Template.Key == key).Template;
        var problems = new List<FieldError>();
        var compiled = Kind.Compile(template.Content, problems, dryRun: true);
        Assert.True(problems.Count == 0, $"{pack}/{key}: " + string.Join("; ", problems.Select(p => $"{p.Path}: {p.Code} {p.Message}")));
        return compiled!;
    }

    private static string Render(CompiledNoteTemplate template, QuestionnaireResponse response) =>
        NoteTemplates.Render(template, response, Patient(), null, Now, "answers");

    private static IEnumerable<(string Pack, PackNoteTemplate Template)> All()
    {
        var root = Root();
        foreach (var dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var section = Path.Combine(dir, "note-templates.json");
            if (!File.Exists(section))
            {
                continue;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(section));
            foreach (var template in NoteTemplatesSection.Read(dir, Path.GetFileName(dir), document.RootElement))
            {
                yield return (Path.GetFileName(dir), template);
            }
        }
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tenant-templates");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No tenant-templates folder above the test binaries.");
    }

    private static Patient Patient() => new()
    {
        Id = "p1",
        Name = [new HumanName { Use = HumanName.NameUse.Official, Given = ["Samuel"], Family = "Okafor" }, new HumanName { Use = HumanName.NameUse.Usual, Given = ["Sam"] }],
        BirthDate = "1985-09-30",
        Gender = AdministrativeGender.Male,
        Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, "+1 312 555 0142")],
    };

    private static Coding Coding(string code) => new("https://ehr-saas.org/fhir/CodeSystem/note-template-answers", code);

    /// <summary>A response with each answer placed where the template's questionnaire puts it.</summary>
    private static QuestionnaireResponse Response(CompiledNoteTemplate template, params (string LinkId, DataType Value)[] answers) =>
        Forms.R(template.Questionnaire, answers.Select(a => (a.LinkId, new[] { a.Value })).ToArray());

    private static string? Value(QuestionnaireResponse response, string linkId) =>
        Forms.Answers(response, linkId).OfType<PrimitiveType>().Select(p => p.ToString()).FirstOrDefault();
}
