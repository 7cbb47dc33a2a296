namespace Ehr.Platform.Contracts;

/// <summary>The JSON type of a workflow variable, an action's input or an event's payload field.</summary>
#pragma warning disable CA1720 // The members are JSON's type names, spelled as definitions spell them.
public enum WorkflowValueType
{
    /// <summary>Any JSON value, null included.</summary>
    Any,
    String,
    Number,
    Boolean,
    Object,
    Array,
}
#pragma warning restore CA1720
