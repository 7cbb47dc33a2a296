namespace Ehr.Clinical; internal static class AssemblyMarker { }
