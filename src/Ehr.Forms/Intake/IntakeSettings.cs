using Ehr.Platform.Errors;

namespace Ehr.Forms.Intake;

/// <summary>
/// A tenant's intake-link settings (one row; absent, the defaults): how long a link works unless the sender says
/// otherwise, between <see cref="MinLifetimeHours"/> and <see cref="MaxLifetimeHours"/>.
/// </summary>
public sealed class IntakeSettings
{
    public const int DefaultLifetimeHours = 72;
    public const int MinLifetimeHours = 1;
    public const int MaxLifetimeHours = 720;

    private IntakeSettings()
    {
    }

    public short Id { get; private set; } = 1;

    public int LifetimeHours { get; private set; } = DefaultLifetimeHours;

    public string UpdatedBy { get; private set; } = "";

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>0 while the tenant has the defaults (no row yet).</summary>
    public int Version { get; private set; }

    internal static IntakeSettings Defaults() => new();

    internal void Change(int expectedVersion, int lifetimeHours, string actor, DateTimeOffset now)
    {
        if (Version != expectedVersion)
        {
            throw EhrException.VersionConflict("Intake settings", expectedVersion, Version);
        }

        LifetimeHours = Lifetime(lifetimeHours, "lifetimeHours");
        UpdatedBy = actor;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>A lifetime in hours within the bounds, or <c>OUT_OF_RANGE</c> on <paramref name="path"/>.</summary>
    internal static int Lifetime(int hours, string path) => hours is >= MinLifetimeHours and <= MaxLifetimeHours
        ? hours
        : throw EhrException.Validation([new FieldError(path, ErrorCodes.OutOfRange,
            $"An intake link works between {MinLifetimeHours} hour and {MaxLifetimeHours / 24} days ({MaxLifetimeHours} hours).")]);
}
