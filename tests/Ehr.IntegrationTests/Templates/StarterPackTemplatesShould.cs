using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using static Ehr.IntegrationTests.Templates.TemplateGraph;

namespace Ehr.IntegrationTests.Templates;

/// <summary>
/// Every starter pack's note templates are published as the new tenant's standards, inside provisioning, through the
/// same checks as a tenant's own, and work on the pack's demo patients.
/// </summary>
public sealed class StarterPackTemplatesShould
{
    [Theory]
    [InlineData("primary-care", new[] { "annual-wellness-visit", "history-and-physical", "soap-progress-note", "telehealth-visit" })]
    [InlineData("behavioral-health", new[] { "psychiatric-intake-evaluation", "psychotherapy-progress-note", "safety-plan" })]
    [InlineData("dermatology", new[] { "dermatology-follow-up", "skin-exam", "skin-procedure-note" })]
    public async Task PublishEveryPacksTemplatesOnANewTenant(string pack, string[] keys)
    {
        var host = await TestHost.SharedAsync();
        var tenant = await host.CreateTenantAsync("packnotes", pack);
        using var nurse = host.Client(host.Token(tenant.Slug, "nurse.packnotes", "nurse"));

        var templates = (await nurse.DataAsync(InForce, "noteTemplates", new { location = (string?)null })).AsArray();

        Assert.Equal(keys, templates.Select(t => t!["key"]!.GetValue<string>()));
        Assert.All(templates, t => Assert.Equal(("published", "pack:" + pack, 1), (t!["status"]!.GetValue<string>(), t["source"]!.GetValue<string>(), t["version"]!.GetValue<int>())));
    }

    [Fact]
    public async Task StartAProcedureNoteForADemoPatientAndRefuseToSignItWithoutConsent()
    {
        var host = await TestHost.SharedAsync();
        var tenant = await host.CreateTenantAsync("packderm", "dermatology");
        using var doctor = host.Client(host.Token(tenant.Slug, "dr.packderm", "physician"));
        var patient = (await doctor.SearchAsync(new { first = 1 }))[0]["id"]!.GetValue<string>();

        var note = await doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = "skin-procedure-note" } });
        var refused = await doctor.GraphQLAsync(SignNote, new { id = note["id"]!.GetValue<string>(), v = note["version"]!.GetValue<int>() });

        Assert.Equal(("procedure", "Skin biopsy or excision"), (note["noteType"]!.GetValue<string>(), note["title"]!.GetValue<string>()));
        Assert.Equal("VALIDATION_FAILED", refused.Code);
        Assert.Contains("answers.consent", refused.FieldPaths);
        Assert.Contains("answers.time-out", refused.FieldPaths);
    }
}
