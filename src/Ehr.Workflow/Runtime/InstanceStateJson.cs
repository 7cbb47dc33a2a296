using System.Text.Json;
using Ehr.Workflow.Definitions;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// States and effects as JSON, for the store: an instance row keeps its state as one document, an outbox row one
/// effect. Reading back what was written gives a state the engine continues from exactly as from the original.
/// </summary>
public static class InstanceStateJson
{
    public static string Serialize(InstanceState state) => JsonSerializer.Serialize(state, WorkflowJson.Options);

    public static InstanceState Deserialize(string json) =>
        JsonSerializer.Deserialize<InstanceState>(json, WorkflowJson.Options) ?? throw new JsonException("The state is null.");

    public static string Serialize(WorkflowEffect effect) => JsonSerializer.Serialize(effect, WorkflowJson.Options);

    public static WorkflowEffect DeserializeEffect(string json) =>
        JsonSerializer.Deserialize<WorkflowEffect>(json, WorkflowJson.Options) ?? throw new JsonException("The effect is null.");
}
