using Ehr.Clinical.Patients;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class MutationType : ObjectGraphType
{
    public MutationType()
    {
        Name = "Mutation";

        Field<NonNullGraphType<PatientType>>("registerPatient").Description("Registers a patient; the system assigns the MRN.")
            .Argument<NonNullGraphType<PatientInputType>>("input")
            .ResolveAsync(async c => await c.Service<RegisterPatient>().HandleAsync(c.GetArgument<PatientInput>("input"), c.CancellationToken));

        Field<NonNullGraphType<PatientType>>("updatePatient")
            .Description("Replaces a patient's demographics. Refused with VERSION_CONFLICT unless expectedVersion is the current version.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<PatientInputType>>("input")
            .ResolveAsync(async c => await c.Service<UpdatePatient>().HandleAsync(
                c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.GetArgument<PatientInput>("input"), c.CancellationToken));

        this.AddAccountMutations();
    }
}
