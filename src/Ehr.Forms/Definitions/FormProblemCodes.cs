namespace Ehr.Forms.Definitions;

/// <summary>The stable codes of <see cref="FormProblem"/>. Never rename one: clients and stored reports rely on them.</summary>
public static class FormProblemCodes
{
    // Reading JSON
    public const string InvalidJson = "INVALID_JSON";
    public const string InvalidResource = "INVALID_RESOURCE";
    public const string WrongResourceType = "WRONG_RESOURCE_TYPE";

    // Definitions
    public const string LinkIdMissing = "LINK_ID_MISSING";
    public const string LinkIdDuplicate = "LINK_ID_DUPLICATE";
    public const string TypeMissing = "TYPE_MISSING";
    public const string GroupWithoutItems = "GROUP_WITHOUT_ITEMS";
    public const string DisplayWithChildren = "DISPLAY_WITH_CHILDREN";
    public const string DisplayRequired = "DISPLAY_REQUIRED";
    public const string DisplayRepeats = "DISPLAY_REPEATS";
    public const string DisplayReadOnly = "DISPLAY_READ_ONLY";
    public const string EnableWhenUnknownQuestion = "ENABLE_WHEN_UNKNOWN_QUESTION";
    public const string EnableWhenLaterQuestion = "ENABLE_WHEN_LATER_QUESTION";
    public const string EnableWhenNotAQuestion = "ENABLE_WHEN_NOT_A_QUESTION";
    public const string EnableWhenOperatorIncompatible = "ENABLE_WHEN_OPERATOR_INCOMPATIBLE";
    public const string EnableWhenAnswerType = "ENABLE_WHEN_ANSWER_TYPE";
    public const string EnableWhenAnswerMissing = "ENABLE_WHEN_ANSWER_MISSING";
    public const string EnableBehaviorMissing = "ENABLE_BEHAVIOR_MISSING";
    public const string EnableWhenWithExpression = "ENABLE_WHEN_WITH_EXPRESSION";
    public const string ExpressionMissing = "EXPRESSION_MISSING";
    public const string ExpressionInvalid = "EXPRESSION_INVALID";
    public const string ExpressionUnknownVariable = "EXPRESSION_UNKNOWN_VARIABLE";
    public const string VariableNameInvalid = "VARIABLE_NAME_INVALID";
    public const string VariableNameDuplicate = "VARIABLE_NAME_DUPLICATE";
    public const string CalculationCycle = "CALCULATION_CYCLE";
    public const string CalculatedOnGroupOrDisplay = "CALCULATED_ON_GROUP_OR_DISPLAY";
    public const string MaxLengthNotAllowed = "MAX_LENGTH_NOT_ALLOWED";
    public const string MaxLengthInvalid = "MAX_LENGTH_INVALID";
    public const string AnswerOptionNotAllowed = "ANSWER_OPTION_NOT_ALLOWED";
    public const string AnswerOptionAndValueSet = "ANSWER_OPTION_AND_VALUE_SET";
    public const string AnswerOptionType = "ANSWER_OPTION_TYPE";
    public const string AnswerOptionDuplicate = "ANSWER_OPTION_DUPLICATE";
    public const string AnswerOptionWithoutCode = "ANSWER_OPTION_WITHOUT_CODE";
    public const string ChoiceWithoutOptions = "CHOICE_WITHOUT_OPTIONS";
    public const string AnswerValueSetUnknown = "ANSWER_VALUE_SET_UNKNOWN";
    public const string OrdinalValueInvalid = "ORDINAL_VALUE_INVALID";
    public const string InitialNotAllowed = "INITIAL_NOT_ALLOWED";
    public const string InitialWithAnswerOptions = "INITIAL_WITH_ANSWER_OPTIONS";
    public const string InitialRepeats = "INITIAL_REPEATS";
    public const string InitialType = "INITIAL_TYPE";
    public const string InitialWithExpression = "INITIAL_WITH_EXPRESSION";
    public const string MinMaxNotAllowed = "MIN_MAX_NOT_ALLOWED";
    public const string MinMaxType = "MIN_MAX_TYPE";
    public const string MinGreaterThanMax = "MIN_GREATER_THAN_MAX";
    public const string MaxDecimalPlacesInvalid = "MAX_DECIMAL_PLACES_INVALID";
    public const string UnitNotAllowed = "UNIT_NOT_ALLOWED";
    public const string ExtractWithoutCode = "EXTRACT_WITHOUT_CODE";
    public const string ExtensionValueInvalid = "EXTENSION_VALUE_INVALID";
    public const string OccursNeedsRepeats = "OCCURS_NEEDS_REPEATS";

    /// <summary>A feature, extension, item type or expression language the engine does not implement, named in the message.</summary>
    public const string Unsupported = "UNSUPPORTED";

    // Responses
    public const string UnknownItem = "UNKNOWN_ITEM";
    public const string MisplacedItem = "MISPLACED_ITEM";
    public const string Required = "REQUIRED";
    public const string NotRepeating = "NOT_REPEATING";
    public const string TooFewAnswers = "TOO_FEW_ANSWERS";
    public const string TooManyAnswers = "TOO_MANY_ANSWERS";
    public const string AnswerOnDisabledItem = "ANSWER_ON_DISABLED_ITEM";
    public const string AnswerNotAllowed = "ANSWER_NOT_ALLOWED";
    public const string AnswerType = "ANSWER_TYPE";
    public const string AnswerEmpty = "ANSWER_EMPTY";
    public const string AnswerNotInOptions = "ANSWER_NOT_IN_OPTIONS";
    public const string ValueSetUnavailable = "VALUE_SET_UNAVAILABLE";
    public const string TooLong = "TOO_LONG";
    public const string TooShort = "TOO_SHORT";
    public const string BelowMinimum = "BELOW_MINIMUM";
    public const string AboveMaximum = "ABOVE_MAXIMUM";
    public const string TooManyDecimalPlaces = "TOO_MANY_DECIMAL_PLACES";
    public const string UnitMissing = "UNIT_MISSING";
    public const string ExpressionFailed = "EXPRESSION_FAILED";
    public const string CalculatedTypeMismatch = "CALCULATED_TYPE_MISMATCH";
}
