namespace Ehr.Workflow.Definitions;

/// <summary>The stable codes of <see cref="WorkflowProblem"/>. Never rename one: clients and stored reports rely on them.</summary>
public static class WorkflowProblemCodes
{
    // Reading the JSON (the schema's verdicts, by keyword)
    public const string InvalidJson = "INVALID_JSON";
    public const string Required = "REQUIRED";
    public const string WrongType = "WRONG_TYPE";
    public const string NotAllowed = "NOT_ALLOWED";
    public const string InvalidFormat = "INVALID_FORMAT";
    public const string UnknownProperty = "UNKNOWN_PROPERTY";
    public const string OutOfRange = "OUT_OF_RANGE";
    public const string Duplicate = "DUPLICATE";
    public const string SchemaViolation = "SCHEMA_VIOLATION";

    // Nodes
    public const string NodeIdDuplicate = "NODE_ID_DUPLICATE";
    public const string StartCount = "START_COUNT";
    public const string ChooseOne = "CHOOSE_ONE";
    public const string DurationInvalid = "DURATION_INVALID";
    public const string QuorumInvalid = "QUORUM_INVALID";
    public const string EscalationOutcomeUnknown = "ESCALATION_OUTCOME_UNKNOWN";
    public const string EscalationOrder = "ESCALATION_ORDER";
    public const string EventUnknown = "EVENT_UNKNOWN";
    public const string ActionUnknown = "ACTION_UNKNOWN";
    public const string ActionInputUnknown = "ACTION_INPUT_UNKNOWN";
    public const string ActionInputMissing = "ACTION_INPUT_MISSING";
    public const string RetryInvalid = "RETRY_INVALID";

    // Edges and the graph
    public const string EdgeUnknownNode = "EDGE_UNKNOWN_NODE";
    public const string EdgeUnknownOutcome = "EDGE_UNKNOWN_OUTCOME";
    public const string EdgeDuplicateOutcome = "EDGE_DUPLICATE_OUTCOME";
    public const string EdgeIntoStart = "EDGE_INTO_START";
    public const string EdgeFromEnd = "EDGE_FROM_END";
    public const string OutcomeWithoutEdge = "OUTCOME_WITHOUT_EDGE";
    public const string NodeUnreachable = "NODE_UNREACHABLE";
    public const string NoEnd = "NO_END";
    public const string EndUnreachable = "END_UNREACHABLE";
    public const string CycleWithoutWait = "CYCLE_WITHOUT_WAIT";
    public const string SplitTooFewBranches = "SPLIT_TOO_FEW_BRANCHES";
    public const string JoinWithoutSplit = "JOIN_WITHOUT_SPLIT";
    public const string JoinCountInvalid = "JOIN_COUNT_INVALID";
    public const string JoinBranchesMissing = "JOIN_BRANCHES_MISSING";
    public const string JoinRegionEntered = "JOIN_REGION_ENTERED";
    public const string JoinNotNested = "JOIN_NOT_NESTED";

    // Scripts and variables
    public const string ScriptInvalid = "SCRIPT_INVALID";
    public const string ScriptUnknownName = "SCRIPT_UNKNOWN_NAME";
    public const string VariableUndeclared = "VARIABLE_UNDECLARED";
    public const string VariableDuplicate = "VARIABLE_DUPLICATE";
    public const string VariableTypeMismatch = "VARIABLE_TYPE_MISMATCH";
    public const string VariableReadBeforeWrite = "VARIABLE_READ_BEFORE_WRITE";
}
