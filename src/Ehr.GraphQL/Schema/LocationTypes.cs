using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>The tenant's locations: create, rename or move to another time zone, deactivate and reactivate (<c>location.write</c>).</summary>
internal static class LocationFields
{
    public static void AddLocationMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<LocationType>>("createLocation")
            .Description("Adds a location: a code unique in the tenant (1-20 letters, digits, hyphens; upper-cased), a name and an IANA time zone.")
            .RequiresPermission(Permissions.LocationWrite)
            .Argument<NonNullGraphType<LocationInputType>>("input")
            .ResolveAsync(async c => await c.Service<CreateLocation>().HandleAsync(c.GetArgument<LocationInput>("input"), c.CancellationToken));

        mutation.Field<NonNullGraphType<LocationType>>("updateLocation")
            .Description("Renames a location or changes its time zone (its code is fixed). VERSION_CONFLICT unless expectedVersion is current.")
            .RequiresPermission(Permissions.LocationWrite)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<LocationChangeInputType>>("input")
            .ResolveAsync(async c => await c.Service<ChangeLocation>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<LocationChange>("input"), c.CancellationToken));

        mutation.Field<NonNullGraphType<LocationType>>("deactivateLocation")
            .Description("Deactivates a location: kept with its history, no longer assignable to members or role overrides.")
            .RequiresPermission(Permissions.LocationWrite)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<SetLocationActive>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                active: false, c.CancellationToken));

        mutation.Field<NonNullGraphType<LocationType>>("reactivateLocation")
            .Description("Makes a deactivated location active again.")
            .RequiresPermission(Permissions.LocationWrite)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<SetLocationActive>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                active: true, c.CancellationToken));
    }
}

internal sealed class LocationInputType : InputObjectGraphType<LocationInput>
{
    public LocationInputType()
    {
        Name = "LocationInput";
        Field<StringGraphType>("code").Description("Required: 1-20 letters, digits and hyphens, unique in the tenant (upper-cased).");
        Field<StringGraphType>("name").Description("Required.");
        Field<StringGraphType>("timezone").Description("Required: an IANA time zone id, e.g. America/Chicago.");
    }
}

internal sealed class LocationChangeInputType : InputObjectGraphType<LocationChange>
{
    public LocationChangeInputType()
    {
        Name = "LocationChangeInput";
        Field<StringGraphType>("name").Description("Required.");
        Field<StringGraphType>("timezone").Description("Required: an IANA time zone id.");
    }
}
