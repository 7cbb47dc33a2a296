namespace Ehr.Platform.Contracts;

/// <summary>A code from a code system (LOINC, SNOMED CT, a tenant's own).</summary>
public sealed record ChartCode(string System, string Code, string? Display = null);

/// <summary>
/// An observation's value: exactly one member is set (a quantity is <see cref="Quantity"/> with its unit, a coded
/// answer <see cref="Coding"/>, an integer <see cref="WholeNumber"/>).
/// </summary>
public sealed record ChartValue(
    decimal? Quantity = null,
    string? Unit = null,
    string? UnitCode = null,
    int? WholeNumber = null,
    string? Text = null,
    bool? Boolean = null,
    ChartCode? Coding = null,
    DateTimeOffset? DateTime = null);

/// <summary>
/// An observation another module derived from one of its records, for the patient's chart.
/// </summary>
/// <param name="DerivedFrom">A FHIR reference to the source, e.g. <c>QuestionnaireResponse/&lt;id&gt;</c>.</param>
/// <param name="Item">The part of the source it came from (a questionnaire item's link id), if any.</param>
public sealed record DerivedChartObservation(Guid PatientId, ChartCode Code, ChartValue Value, DateTimeOffset? EffectiveAt, string DerivedFrom,
    string? Item = null);

/// <summary>
/// Chart data derived from another module's records (a form's extracted answers), written by the clinical module,
/// which the other modules must not reference: it implements this contract. Both calls join the caller's transaction,
/// so the source record and its chart data commit together or not at all, and they apply the chart's rules (the
/// patient's record open to the caller, <c>chart.write</c> for staff, a patient only on their own records).
/// </summary>
public interface IChartObservations
{
    /// <summary>Records the observations (validated, audited, raised as <c>observation.recorded</c>); their ids, in order.</summary>
    Task<IReadOnlyList<Guid>> RecordDerivedAsync(IReadOnlyList<DerivedChartObservation> observations, CancellationToken ct);

    /// <summary>
    /// Marks every observation still final that was derived from <paramref name="derivedFrom"/> entered-in-error with
    /// <paramref name="reason"/> (audited each), because its source was corrected or withdrawn; their ids. Observations
    /// someone already marked stay as they are. Patients never do this.
    /// </summary>
    Task<IReadOnlyList<Guid>> SupersedeDerivedAsync(string derivedFrom, string reason, CancellationToken ct);
}
