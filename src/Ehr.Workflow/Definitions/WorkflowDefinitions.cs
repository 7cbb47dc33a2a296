using Ehr.Workflow.Scripts;

namespace Ehr.Workflow.Definitions;

/// <summary>A definition's verdict: the runnable plan, or every problem found.</summary>
public sealed record LoadedWorkflow(WorkflowPlan? Plan, IReadOnlyList<WorkflowProblem> Problems)
{
    public bool Succeeded => Plan is not null;
}

/// <summary>
/// The front door for definitions: read the JSON, check it against the schema, validate the graph, and build the
/// plan the engine runs. The persistence step calls <see cref="Check"/> when a draft is saved or published and
/// <see cref="Load"/> (cached per version id) when an instance of a version starts or resumes.
/// </summary>
public sealed class WorkflowDefinitions(WorkflowCatalog catalog, ScriptSandbox scripts)
{
    private readonly DefinitionValidator _validator = new(catalog, scripts);

    public DefinitionValidator Validator => _validator;

    /// <summary>
    /// The problems of a definition. A draft may be unfinished: with <paramref name="publishing"/> false only JSON that
    /// cannot be read counts, so the designer can save work in progress; publishing checks the schema and the graph.
    /// </summary>
    public IReadOnlyList<WorkflowProblem> Check(string json, bool publishing)
    {
        var parsed = WorkflowJson.Parse(json);
        if (!publishing)
            return parsed.Problems.Where(p => p.Code == WorkflowProblemCodes.InvalidJson).ToList();
        return parsed.Definition is { } definition ? _validator.Validate(definition) : parsed.Problems;
    }

    /// <summary>The plan of a published version, or the problems that stop it from running.</summary>
    public LoadedWorkflow Load(string json, Guid versionId)
    {
        var parsed = WorkflowJson.Parse(json);
        return parsed.Definition is { } definition ? Load(definition, versionId) : new LoadedWorkflow(null, parsed.Problems);
    }

    public LoadedWorkflow Load(WorkflowDefinition definition, Guid versionId)
    {
        var (problems, facts) = _validator.Analyse(definition);
        return problems.Count > 0
            ? new LoadedWorkflow(null, problems)
            : new LoadedWorkflow(new WorkflowPlan(versionId, definition, catalog, facts), []);
    }
}
