using System.Text.Json;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Ehr.Clinical.Patients;

internal sealed class PatientModel : ITenantModelConfiguration
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Patient>(e =>
        {
            e.ToTable("patients");
            e.HasKey(p => p.Id);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Property(p => p.AdministrativeSex).HasConversion(
                v => v.ToString().ToLowerInvariant(),
                v => Enum.Parse<AdministrativeSex>(v, true));
            AsJson(e.Property(p => p.Telecom));
            AsJson(e.Property(p => p.Identifiers));
            e.Property(p => p.Address).HasColumnType("jsonb").HasConversion(
                v => v == null ? null : JsonSerializer.Serialize(v, Json),
                v => v == null ? null : JsonSerializer.Deserialize<PostalAddress>(v, Json));
        });

    // Lists are replaced whole by the entity, so comparing their JSON is an exact change check.
    private static void AsJson<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<IReadOnlyList<T>> property) =>
        property.HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, Json),
            v => JsonSerializer.Deserialize<List<T>>(v, Json) ?? new List<T>(),
            new ValueComparer<IReadOnlyList<T>>(
                (a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
                v => JsonSerializer.Serialize(v, Json).GetHashCode(StringComparison.Ordinal),
                v => v.ToList()));
}
