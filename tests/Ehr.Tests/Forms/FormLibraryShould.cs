using Ehr.Forms.Definitions;
using Ehr.Forms.Extraction;
using Ehr.Forms.Library;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

public sealed class FormLibraryShould
{
    private static readonly ResponseEngine Engine = new();
    private static readonly Coding NotAtAll = Code("LA6568-5"), SeveralDays = Code("LA6569-3"), MoreThanHalf = Code("LA6570-1"), NearlyEveryDay = Code("LA6571-9");

    public static TheoryData<string> Files() => new(Directory.EnumerateFiles(FormLibrary.Locate(), "*.json").Select(Path.GetFileNameWithoutExtension).Order()!);

    [Fact]
    public void HoldEveryFormTheIssueAsksFor()
    {
        var ids = Directory.EnumerateFiles(FormLibrary.Locate(), "*.json").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.Superset(new HashSet<string?> { "phq-9", "gad-7", "audit-c", "patient-intake", "consent-to-treatment", "medical-history", "review-of-systems", "pain-assessment", "fall-risk-morse" }, ids);
    }

    [Fact]
    public void LoadEveryFormWithoutAProblem()
    {
        var forms = FormLibrary.Load(FormLibrary.Locate(), new DefinitionValidator());
        Assert.True(forms.Count >= 9);
        Assert.All(forms, f => Assert.True(f.Problems.Count == 0, $"{f.FileName}: {string.Join("; ", f.Problems)}"));
        Assert.All(forms, f => Assert.Equal(Path.GetFileNameWithoutExtension(f.FileName), f.Questionnaire!.Id));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void AcceptAnEmptyInProgressResponseToEachForm(string id)
    {
        var q = Library(id);
        var outcome = Engine.Process(q, R(q), ResponseCheck.Save);
        Assert.True(outcome.IsValid, Codes(outcome.Problems));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void RefuseToCompleteAnEmptyResponseMissingItsRequiredSections(string id)
    {
        var q = Library(id);
        var outcome = Engine.Process(q, R(q), ResponseCheck.Complete);
        var required = q.Item.Where(i => i.Required == true && i.EnableWhen.Count == 0).Select(i => i.LinkId).ToHashSet();

        // Every required top-level item that is always enabled is reported (conditional ones are not enabled here).
        Assert.Equal(required, outcome.Problems.Where(p => required.Contains(p.LinkId!)).Select(p => p.LinkId).ToHashSet());
        Assert.All(outcome.Problems, p => Assert.Equal(FormProblemCodes.Required, p.Code));
    }

    private static (string, DataType[])[] Phq9(params Coding[] answers) =>
        answers.Select((a, i) => A($"phq9-item{i + 1}", a)).ToArray();

    [Fact]
    public void ScorePhq9SeveralDaysEverywhereAsNineMildWithItemNineFlagged()
    {
        var q = Library("phq-9");
        var outcome = Engine.Process(q, R(q, [.. Phq9(Enumerable.Repeat(SeveralDays, 9).ToArray()), A("phq9-difficulty", Code("LA6573-5"))]));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(9, ((Integer)Assert.Single(Answers(outcome.Response, "phq9-total"))).Value);
        Assert.Equal("Mild", ((FhirString)Assert.Single(Answers(outcome.Response, "phq9-severity"))).Value);
        Assert.True(((FhirBoolean)Assert.Single(Answers(outcome.Response, "phq9-suicide-flag"))).Value);
    }

    [Theory]
    [InlineData(0, "None-minimal")]
    [InlineData(4, "None-minimal")]
    [InlineData(5, "Mild")]
    [InlineData(10, "Moderate")]
    [InlineData(14, "Moderate")]
    [InlineData(15, "Moderately severe")]
    [InlineData(20, "Severe")]
    [InlineData(27, "Severe")]
    public void BandPhq9TotalsAsPublished(int total, string band)
    {
        var q = Library("phq-9");
        // Spread the total over the items, 3 at most each, item 9 last.
        var scale = new[] { NotAtAll, SeveralDays, MoreThanHalf, NearlyEveryDay };
        var answers = Enumerable.Range(0, 9).Select(i => scale[Math.Clamp(total - 3 * i, 0, 3)]).ToArray();
        var outcome = Engine.Process(q, R(q, [.. Phq9(answers), .. total > 0 ? [A("phq9-difficulty", Code("LA6572-7"))] : Array.Empty<(string, DataType[])>()]));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(total, ((Integer)Assert.Single(Answers(outcome.Response, "phq9-total"))).Value);
        Assert.Equal(band, ((FhirString)Assert.Single(Answers(outcome.Response, "phq9-severity"))).Value);
        Assert.Equal(total >= 25, ((FhirBoolean)Assert.Single(Answers(outcome.Response, "phq9-suicide-flag"))).Value);
    }

    [Fact]
    public void IgnoreTheClientsPhq9TotalAndScores()
    {
        var q = Library("phq-9");
        var sent = R(q, [.. Phq9(Enumerable.Repeat(NotAtAll, 9).ToArray()), A("phq9-total", new Integer(27)), A("phq9-severity", new FhirString("Severe"))]);
        // A client-side ordinalValue on the chosen coding is not the questionnaire's score either.
        var first = sent.Item[0].Item[0].Answer[0].Value;
        first!.Extension.Add(new Extension("http://hl7.org/fhir/StructureDefinition/ordinalValue", new FhirDecimal(3)));

        var outcome = Engine.Process(q, sent);

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(0, ((Integer)Assert.Single(Answers(outcome.Response, "phq9-total"))).Value);
        Assert.Equal("None-minimal", ((FhirString)Assert.Single(Answers(outcome.Response, "phq9-severity"))).Value);
        Assert.Empty(Answers(outcome.Response, "phq9-difficulty"));
        Assert.Equal(27, ((Integer)Answers(sent, "phq9-total")[0]).Value); // the input is left as it was
    }

    [Fact]
    public void LeaveThePhq9TotalOutUntilEveryItemIsAnswered()
    {
        var q = Library("phq-9");
        var outcome = Engine.Process(q, R(q, Phq9(Enumerable.Repeat(NearlyEveryDay, 8).ToArray())), ResponseCheck.Save);

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Empty(Answers(outcome.Response, "phq9-total"));
        Assert.Empty(Answers(outcome.Response, "phq9-severity"));
    }

    [Fact]
    public void ExtractThePhq9TotalAsAnObservation()
    {
        var q = Library("phq-9");
        var outcome = Engine.Process(q, R(q, [.. Phq9(Enumerable.Repeat(MoreThanHalf, 9).ToArray()), A("phq9-difficulty", Code("LA6575-0"))]));

        var observations = ObservationExtraction.Plan(q, outcome.Response, "QuestionnaireResponse/r1");

        var total = Assert.Single(observations);
        Assert.Equal("44261-6", total.Code.Coding.Single().Code);
        Assert.Equal(18, ((Integer)total.Value!).Value);
        Assert.Equal("Patient/p1", total.Subject!.Reference);
        Assert.Equal("QuestionnaireResponse/r1", total.DerivedFrom.Single().Reference);
        Assert.Equal("2026-01-02T03:04:05Z", ((FhirDateTime)total.Effective!).Value);
    }

    [Theory]
    [InlineData(new[] { 0, 0, 0, 0, 0, 0, 0 }, 0, "Minimal")]
    [InlineData(new[] { 1, 1, 1, 1, 1, 0, 0 }, 5, "Mild")]
    [InlineData(new[] { 2, 2, 2, 2, 2, 0, 0 }, 10, "Moderate")]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3 }, 21, "Severe")]
    public void ScoreGad7AsPublished(int[] scores, int total, string band)
    {
        var q = Library("gad-7");
        var scale = new[] { NotAtAll, SeveralDays, MoreThanHalf, NearlyEveryDay };
        var outcome = Engine.Process(q, R(q, scores.Select((s, i) => A($"gad7-item{i + 1}", scale[s])).ToArray()));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(total, ((Integer)Assert.Single(Answers(outcome.Response, "gad7-total"))).Value);
        Assert.Equal(band, ((FhirString)Assert.Single(Answers(outcome.Response, "gad7-severity"))).Value);
        Assert.Equal("70274-6", Assert.Single(ObservationExtraction.Plan(q, outcome.Response, "QuestionnaireResponse/1")).Code.Coding[0].Code);
    }

    [Theory]
    [InlineData("LA6270-8", null, null, 0, "Negative")]
    [InlineData("LA18926-8", "LA15694-5", "LA6270-8", 1, "Negative")]
    [InlineData("LA18927-6", "LA15695-2", "LA6270-8", 3, "Positive for women")]
    [InlineData("LA18928-4", "LA15695-2", "LA18933-4", 5, "Positive")]
    [InlineData("LA18929-2", "LA18932-6", "LA18934-2", 12, "Positive: high risk")]
    public void ScoreAuditCAsPublished(string q1, string? q2, string? q3, int total, string interpretation)
    {
        var q = Library("audit-c");
        var answers = new List<(string, DataType[])> { A("auditc-q1", Code(q1)) };
        if (q2 is not null) answers.Add(A("auditc-q2", Code(q2)));
        if (q3 is not null) answers.Add(A("auditc-q3", Code(q3)));
        var outcome = Engine.Process(q, R(q, [.. answers]));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(total, ((Integer)Assert.Single(Answers(outcome.Response, "auditc-total"))).Value);
        Assert.Equal(interpretation, ((FhirString)Assert.Single(Answers(outcome.Response, "auditc-interpretation"))).Value);
    }

    [Fact]
    public void RefuseAuditCFollowUpAnswersFromSomeoneWhoNeverDrinks()
    {
        var q = Library("audit-c");
        var outcome = Engine.Process(q, R(q, A("auditc-q1", Code("LA6270-8")), A("auditc-q2", Code("LA18932-6"))));

        var problem = Assert.Single(outcome.Problems);
        Assert.Equal(("auditc-q2", FormProblemCodes.AnswerOnDisabledItem), (problem.LinkId, problem.Code));
        Assert.Equal(0, ((Integer)Assert.Single(Answers(outcome.Response, "auditc-total"))).Value);
        Assert.Empty(Answers(outcome.Response, "auditc-q2"));
    }

    [Theory]
    [InlineData("no", "no", "none", "no", "normal", "oriented", 0, "Low risk")]
    [InlineData("yes", "no", "none", "no", "normal", "oriented", 25, "Moderate risk")]
    [InlineData("yes", "yes", "device", "no", "weak", "oriented", 65, "High risk")]
    [InlineData("yes", "yes", "furniture", "yes", "impaired", "forgets", 125, "High risk")]
    public void ScoreTheMorseFallScale(string history, string secondary, string aid, string iv, string gait, string mental, int total, string risk)
    {
        var q = Library("fall-risk-morse");
        const string local = "https://ehr-saas.example.org/fhir/CodeSystem/form-codes";
        var outcome = Engine.Process(q, R(q,
            A("morse-item-history", Code($"morse-history-{history}", local)), A("morse-item-secondary", Code($"morse-secondary-{secondary}", local)),
            A("morse-item-aid", Code($"morse-aid-{aid}", local)), A("morse-item-iv", Code($"morse-iv-{iv}", local)),
            A("morse-item-gait", Code($"morse-gait-{gait}", local)), A("morse-item-mental", Code($"morse-mental-{mental}", local))));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(total, ((Integer)Assert.Single(Answers(outcome.Response, "morse-total"))).Value);
        Assert.Equal(risk, ((FhirString)Assert.Single(Answers(outcome.Response, "morse-risk"))).Value);
    }

    [Theory]
    [InlineData(0, "None")]
    [InlineData(3, "Mild")]
    [InlineData(6, "Moderate")]
    [InlineData(10, "Severe")]
    public void BandPainScoresAndExtractThem(int score, string band)
    {
        var q = Library("pain-assessment");
        var outcome = Engine.Process(q, R(q, A("pain-present", new FhirBoolean(true)), A("pain-score", new Integer(score)), A("pain-site", new FhirString("lower back"))));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(band, ((FhirString)Assert.Single(Answers(outcome.Response, "pain-severity"))).Value);
        var observation = Assert.Single(ObservationExtraction.Plan(q, outcome.Response, "QuestionnaireResponse/1"));
        Assert.Equal(("72514-3", score), (observation.Code.Coding[0].Code, ((Integer)observation.Value!).Value));
    }

    [Fact]
    public void RefuseAPainScoreAboveTen()
    {
        var q = Library("pain-assessment");
        var outcome = Engine.Process(q, R(q, A("pain-present", new FhirBoolean(true)), A("pain-score", new Integer(11)), A("pain-site", new FhirString("knee"))));

        Assert.Equal(("pain-score", FormProblemCodes.AboveMaximum), (Assert.Single(outcome.Problems).LinkId, outcome.Problems[0].Code));
    }

    [Fact]
    public void CalculateBodyMassIndexFromHeightAndWeight()
    {
        var q = Library("medical-history");
        var ucum = "http://unitsofmeasure.org";
        var outcome = Engine.Process(q, R(q,
            A("height", new Quantity(180m, "cm", ucum) { Unit = "cm" }),
            A("weight", new Quantity(81m, "kg", ucum) { Unit = "kg" })));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(25.0m, ((FhirDecimal)Assert.Single(Answers(outcome.Response, "bmi"))).Value);
        Assert.Equal(["8302-2", "29463-7", "39156-5"], ObservationExtraction.Plan(q, outcome.Response, "QuestionnaireResponse/1").Select(o => o.Code.Coding[0].Code));
    }

    [Fact]
    public void RefuseAWeightInPounds()
    {
        var q = Library("medical-history");
        var outcome = Engine.Process(q, R(q, A("weight", new Quantity(180m, "[lb_av]", "http://unitsofmeasure.org"))));

        Assert.Equal(("weight", FormProblemCodes.UnitNotAllowed), (Assert.Single(outcome.Problems).LinkId, outcome.Problems[0].Code));
        Assert.Empty(Answers(outcome.Response, "bmi"));
    }

    [Fact]
    public void CountPositiveSystemsInTheReviewOfSystems()
    {
        var q = Library("review-of-systems");
        const string local = "https://ehr-saas.example.org/fhir/CodeSystem/form-codes";
        var answers = new List<(string, DataType[])>();
        foreach (var system in q.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Group))
        {
            var key = system.LinkId;
            var positive = key is "ros-respiratory" or "ros-skin";
            answers.Add(A($"{key}-any", new FhirBoolean(positive)));
        }
        answers.Add(A("ros-respiratory-symptoms", Code("cough", local), new FhirString("worse at night")));
        answers.Add(A("ros-skin-symptoms", Code("rash", local)));
        var outcome = Engine.Process(q, R(q, [.. answers]));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(2, ((Integer)Assert.Single(Answers(outcome.Response, "ros-positive-count"))).Value);
    }

    [Fact]
    public void PrefillTheIntakeFromThePatientsChart()
    {
        var q = Library("patient-intake");
        var patient = new Patient
        {
            Id = "p42",
            BirthDate = "1984-07-09",
            Gender = AdministrativeGender.Female,
            Name = [new HumanName { Use = HumanName.NameUse.Official, Family = "Rivera", Given = ["Ana", "Maria"] }],
            Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "ana@example.org")],
        };

        var outcome = Engine.Prefill(q, PrefillContext.ForPatient(patient, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal("Ana", ((FhirString)Assert.Single(Answers(outcome.Response, "given-name"))).Value);
        Assert.Equal("Rivera", ((FhirString)Assert.Single(Answers(outcome.Response, "family-name"))).Value);
        Assert.Equal("1984-07-09", ((Date)Assert.Single(Answers(outcome.Response, "birth-date"))).Value);
        Assert.Equal("female", ((Coding)Assert.Single(Answers(outcome.Response, "sex"))).Code);
        Assert.Equal("ana@example.org", ((FhirString)Assert.Single(Answers(outcome.Response, "email"))).Value);
        Assert.Empty(Answers(outcome.Response, "phone"));
        Assert.Equal("Patient/p42", outcome.Response.Subject!.Reference);
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, outcome.Response.Status);
        Assert.Equal("https://ehr-saas.example.org/fhir/Questionnaire/patient-intake|1.0.0", outcome.Response.Questionnaire);
    }

    [Fact]
    public void AskForInsuranceDetailsOnlyFromTheInsured()
    {
        var q = Library("patient-intake");
        var uninsured = Engine.Process(q, R(q, A("has-insurance", new FhirBoolean(false))), ResponseCheck.Complete);
        var insured = Engine.Process(q, R(q, A("has-insurance", new FhirBoolean(true))), ResponseCheck.Complete);

        Assert.DoesNotContain(uninsured.Problems, p => p.LinkId is "payer" or "member-id");
        Assert.Contains(insured.Problems, p => p is { LinkId: "payer", Code: FormProblemCodes.Required });
        Assert.Contains(insured.Problems, p => p is { LinkId: "member-id", Code: FormProblemCodes.Required });
        Assert.DoesNotContain(insured.Problems, p => p.LinkId == "policy-holder-name");
    }

    [Fact]
    public void DateTheConsentTodayAndRequireAgreement()
    {
        var q = Library("consent-to-treatment");
        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var prefilled = Engine.Prefill(q, new PrefillContext(new Dictionary<string, Resource>(), DateTimeOffset.UtcNow));
        Assert.Equal(today, ((Date)Assert.Single(Answers(prefilled.Response, "signed-on"))).Value);

        var unsigned = Engine.Process(q, R(q, A("signer", Code("patient", "https://ehr-saas.example.org/fhir/CodeSystem/form-codes")), A("signature-name", new FhirString("A"))));
        Assert.Contains(unsigned.Problems, p => p is { LinkId: "agree", Code: FormProblemCodes.Required });
        Assert.Contains(unsigned.Problems, p => p is { LinkId: "signature-name", Code: FormProblemCodes.TooShort });
        Assert.Contains(unsigned.Problems, p => p is { LinkId: "signed-on", Code: FormProblemCodes.Required });
    }
}
