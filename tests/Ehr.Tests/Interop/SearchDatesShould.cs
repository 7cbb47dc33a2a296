using Ehr.Interop.Fhir;
using Ehr.Platform.Errors;

namespace Ehr.Tests.Interop;

/// <summary>FHIR date search parameters as one half-open interval, with the precision of each value.</summary>
public sealed class SearchDatesShould
{
    [Theory]
    [InlineData("2026", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("eq2026-03", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")]
    [InlineData("2026-03-01", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z")]
    [InlineData("2026-03-01T09:30:00Z", "2026-03-01T09:30:00Z", "2026-03-01T09:30:01Z")]
    [InlineData("2026-03-01T09:30+01:00", "2026-03-01T08:30:00Z", "2026-03-01T08:31:00Z")]
    public void TakeAnEqualValueAsTheRangeItsPrecisionCovers(string value, string from, string before)
    {
        var (f, b) = SearchDates.Interval([value], "authored");

        Assert.Equal((DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(before, System.Globalization.CultureInfo.InvariantCulture)), (f!.Value, b!.Value));
    }

    [Fact]
    public void CombinePrefixesIntoOneInterval()
    {
        var (from, before) = SearchDates.Interval(["gt2026-03-01", "le2026-03-31", "ge2026-01-01"], "authored");

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), from);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), before);
        Assert.Equal((null, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)), SearchDates.Interval(["lt2026-03-01"], "authored"));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("sa2026-03-01")]
    [InlineData("2026-13")]
    public void RefuseWhatIsNotAFhirDate(string value) =>
        Assert.Equal("authored", Assert.Single(Assert.Throws<EhrException>(() => SearchDates.Interval([value], "authored")).FieldErrors).Path);
}
