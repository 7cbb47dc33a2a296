namespace Ehr.GraphQL; internal static class AssemblyMarker { }
