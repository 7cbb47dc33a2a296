using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ehr.Platform.Audit;
using Ehr.Platform.Disclosures;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>What to look for; criteria combine with AND. No criteria lists everyone in name order.</summary>
public sealed record PatientSearch(
    string? Name = null,
    string? BirthDate = null,
    string? Mrn = null,
    string? Phone = null,
    bool IncludeInactive = false,
    int First = 20,
    string? After = null);

public sealed record PatientPage(IReadOnlyList<PatientEdge> Edges, bool HasNextPage, int PageSize)
{
    /// <summary>
    /// Restricted patients that matched but that the caller may not read: ids only, no details (break the glass to
    /// open one). They take their place in the page and the cursor, so paging stays stable.
    /// </summary>
    public IReadOnlyList<Guid> RestrictedMatches { get; init; } = [];

    /// <summary>The cursor of the page's last match, readable or restricted.</summary>
    public string? LastCursor { get; init; }

    public string? EndCursor => LastCursor ?? (Edges.Count > 0 ? Edges[^1].Cursor : null);
}

public sealed record PatientEdge(Patient Node, string Cursor);

/// <summary>
/// Finds patients by name (word prefixes, and typo-tolerant trigram word similarity), birth date, MRN or phone.
/// Keyset pagination in a stable order: name matches where every word is a prefix come first, then the fuzzy ones;
/// within each, family name, given names, id. Cursors are opaque and bound to the criteria they came from.
/// </summary>
public sealed class SearchPatients(TenantDbContext db, ActorContext actors, AuditTrail audit, PatientValidator validator,
    PatientAccess access, DisclosureLog disclosures)
{
    public const int MaxPageSize = 100;
    public const int MaxNameWords = 5;

    /// <summary>
    /// The word-similarity threshold for a search: low enough that one transposed pair of letters still matches, no
    /// lower, so long names do not drag in thousands of candidates. A transposition breaks up to four of a word's n+1
    /// trigrams and word similarity is at least shared / (both sides' trigrams - shared) = (n-3)/(n+5); a little
    /// under that, within [0.3, 0.6]. Fuzzy matches rank after exact prefixes, closest first.
    /// </summary>
    internal static double FuzzyThreshold(IEnumerable<string> words) =>
        Math.Clamp(words.Where(w => w.Length >= MinFuzzyLength).Select(w => (w.Length - 3.0) / (w.Length + 5) - 0.02).DefaultIfEmpty(0.6).Min(), 0.3, 0.6);

    /// <summary>Words shorter than this match as prefixes only.</summary>
    internal const int MinFuzzyLength = 4;

    public async Task<PatientPage> HandleAsync(PatientSearch search, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var (query, errors) = Parse(search);
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        // A patient-role actor searches only among its own records.
        var actor = actors.Current;
        var onlyIds = actor.IsPatientScoped ? actor.PatientIds.ToArray() : null;
        return await db.InTransactionAsync(async token =>
        {
            List<(Patient Patient, decimal Rank)>? page = null;
            var ranked = IsRanked(query);
            if (!ranked || query.After is null || query.After.Rank == 0)
            {
                // Exact prefixes rank first (rank 0, in name order). Searches without typo tolerance have nothing
                // else, and for the others, when the exact matches alone fill the page, no row needs scoring: one
                // statement brings the page's patients in order.
                var (sql, parameters) = ToSql(query, search, ranked: false, onlyIds);
                var rows = await db.Set<Patient>().FromSqlRaw(sql, parameters).AsNoTracking().ToListAsync(token);
                if (!ranked || rows.Count > search.First)
                {
                    page = rows.Select(p => (p, 0m)).ToList();
                }
            }

            if (page is null)
            {
                // Fewer exact matches than a page: the typo-tolerant ranking decides. The page's ids, ranks and sort
                // keys first (what the cursor needs), then the patients by primary key.
                var threshold = FuzzyThreshold(query.Words).ToString("0.00", CultureInfo.InvariantCulture);
                await db.Database.ExecuteSqlAsync($"SELECT set_config('pg_trgm.word_similarity_threshold', {threshold}, true)", token);
                var (sql, parameters) = ToSql(query, search, ranked: true, onlyIds);
                var hits = await db.Database.SqlQueryRaw<SearchHit>(sql, parameters).ToListAsync(token);
                var ids = hits.Select(h => h.Id).ToList();
                var found = await db.Set<Patient>().AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, token);
                page = hits.Where(h => found.ContainsKey(h.Id)).Select(h => (found[h.Id], h.Rank)).ToList();
            }

            var hasNext = page.Count > search.First;
            if (hasNext)
            {
                page.RemoveRange(search.First, page.Count - search.First);
            }

            // Restricted patients the caller may not read keep their place (and the cursor) as ids only.
            var decision = await access.DecideAsync(page.Select(r => r.Patient).ToList(), token);
            var readable = decision.Readable.Select(p => p.Id).ToHashSet();
            var restricted = decision.Refused.Select(p => p.Id).ToHashSet();
            var edges = page
                .Where(r => readable.Contains(r.Patient.Id))
                .Select(r => new PatientEdge(r.Patient, Cursor.Encode(new Cursor(r.Rank, r.Patient.SortKey, r.Patient.Id, query.Fingerprint))))
                .ToList();
            await audit.RecordAsync(new AuditEvent("patient.search", "Patient", null, new
            {
                criteria = new { search.Name, search.BirthDate, search.Mrn, search.Phone, search.IncludeInactive },
                returned = edges.Select(e => e.Node.Id),
                restrictedMatches = restricted,
                breakGlassGrants = decision.Grants,
            }), token);
            await disclosures.RecordAsync(edges.Select(e => e.Node.Id).ToList(), "Patient demographics (search result)", token);
            var last = page.Count > 0 ? page[^1] : default;
            return new PatientPage(edges, hasNext, search.First)
            {
                RestrictedMatches = page.Where(r => restricted.Contains(r.Patient.Id)).Select(r => r.Patient.Id).ToList(),
                LastCursor = page.Count == 0 ? null : Cursor.Encode(new Cursor(last.Rank, last.Patient.SortKey, last.Patient.Id, query.Fingerprint)),
            };
        }, ct);
    }

    /// <summary>Whether the search has a word long enough for typo tolerance, so rows rank by closeness.</summary>
    private static bool IsRanked(ParsedQuery query) => query.Words.Any(w => w.Length >= MinFuzzyLength);

    /// <summary>
    /// The search's main SQL statement with <c>{n}</c> placeholders (EF makes each a parameter): the ranking one when
    /// a word is long enough for typo tolerance (what a typo costs), else the one that reads the page. Internal so the
    /// benchmark can time exactly this statement directly against PostgreSQL.
    /// </summary>
    internal (string Sql, object[] Parameters, double Threshold) Describe(PatientSearch search)
    {
        var (query, errors) = Parse(search);
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var (sql, parameters) = ToSql(query, search, IsRanked(query), onlyIds: null);
        return (sql, parameters, FuzzyThreshold(query.Words));
    }

    /// <summary>
    /// One statement of the search. <paramref name="ranked"/>: every match, typo-tolerant ones included, ranked; it
    /// returns <see cref="SearchHit"/>s (id, rank, sort key). Otherwise only exact word prefixes, in name order; it
    /// returns whole patient rows, so the page takes one statement.
    /// </summary>
    // The patient row's columns by name, never p.* (see EntityColumns).
    private string PatientColumns => EntityColumns.Of<Patient>(db, "p");

    private (string Sql, object[] Parameters) ToSql(ParsedQuery query, PatientSearch search, bool ranked, Guid[]? onlyIds)
    {
        // The name-word index serves name-only searches; a patient-role search (its own few records) takes the general path.
        if (!ranked && onlyIds is null && query.Words.Count > 0 && query.BirthDate is null && query.Mrn is null && query.Phone is null)
        {
            return (NameWordsSql(query, search), WordParameters(query, search));
        }

        var filters = new StringBuilder();
        // EF turns {n} into a real parameter; values never enter the SQL text.
        var parameters = new List<object>();
        string P(object value)
        {
            parameters.Add(value);
            return "{" + (parameters.Count - 1).ToString(CultureInfo.InvariantCulture) + "}";
        }

        var rank = "0::numeric";
        var prefixes = new List<string>();
        var similarities = new List<string>();
        foreach (var word in query.Words)
        {
            var like = P("% " + EscapeLike(word) + "%");
            prefixes.Add($"p.search_name LIKE {like}");
            // Typo tolerance needs a few letters to mean anything; shorter words are prefixes only (and cheap).
            if (ranked && word.Length >= MinFuzzyLength)
            {
                var w = P(word);
                similarities.Add($"word_similarity({w}, p.search_name)");
                filters.Append(CultureInfo.InvariantCulture, $" AND (p.search_name LIKE {like} OR {w} <% p.search_name)");
            }
            else
            {
                filters.Append(CultureInfo.InvariantCulture, $" AND p.search_name LIKE {like}");
            }
        }

        if (similarities.Count > 0)
        {
            // 0 when every word starts a word of the name; otherwise between 1 and 2, closer matches first.
            rank = $"(CASE WHEN {string.Join(" AND ", prefixes)} THEN 0 ELSE round(2 - ({string.Join(" + ", similarities)})::numeric / {similarities.Count}, 3) END)";
        }

        if (query.BirthDate is { } birthDate)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND p.birth_date = {P(birthDate)}");
        }

        if (query.Mrn is { } mrn)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND p.mrn = {P(mrn)}");
        }

        if (query.Phone is { } phone)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND p.phone_numbers @> ARRAY[{P(phone)}]::text[]");
        }

        if (onlyIds is not null)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND p.id = ANY({P(onlyIds)})");
        }

        if (!search.IncludeInactive)
        {
            filters.Append(" AND p.active");
        }

        // When every row ranks alike, leaving the rank out lets the (sort_key, id) index serve the order.
        var scored = similarities.Count > 0;
        var key = scored ? $"{rank}, p.sort_key, p.id" : "p.sort_key, p.id";
        var keyset = "";
        if (query.After is { } after)
        {
            var bound = scored ? $"{P(after.Rank)}::numeric, " : "";
            keyset = $" AND ({key}) > ({bound}{P(after.SortKey)}::text COLLATE \"C\", {P(after.Id)})";
        }

        var limit = P(search.First + 1);
        // Column names follow the model's snake_case convention, which also maps SearchHit and Patient.
        string sql;
        if (query.Words.Count == 0)
        {
            // Birth date, MRN, phone or nothing: their btree indexes (or the (sort_key, id) one) serve filter and order.
            sql = $"SELECT {PatientColumns} FROM patients p WHERE true{filters}{keyset} ORDER BY {key} LIMIT {limit}";
        }
        else
        {
            // Name matches are found through the trigram index first (a bitmap scan: no more rows than match), then
            // ranked and ordered. Left as one query, the planner may walk the (sort_key, id) index filtering every row
            // until the page fills: tens of thousands of rows for a common prefix that sorts late ("str").
            var hits = $"WITH hits AS MATERIALIZED (SELECT p.id, p.sort_key, p.search_name FROM patients p WHERE true{filters}) ";
            sql = ranked
                ? $"{hits}SELECT p.id, {rank} AS rank, p.sort_key FROM hits p WHERE true{keyset} ORDER BY {key} LIMIT {limit}"
                : $"{hits}, page AS (SELECT p.id, p.sort_key FROM hits p WHERE true{keyset} ORDER BY {key} LIMIT {limit}) " +
                  $"SELECT {PatientColumns} FROM page JOIN patients p ON p.id = page.id ORDER BY page.sort_key, page.id";
        }

        return (sql, parameters.ToArray());
    }

    /// <summary>
    /// Exact word prefixes alone (no other criterion): read from patient_name_words, whose (word, sort_key,
    /// patient_id) index answers "a word starts with w" as a range and carries the name order, so the page is found
    /// without visiting a patient row; only the page's patients are read. The longest word drives (the narrowest
    /// range), the others must start some word of the same patient. Same matches as search_name LIKE '% w%'.
    /// </summary>
    private string NameWordsSql(ParsedQuery query, PatientSearch search)
    {
        // Parameters, in WordParameters' order: {0} the driving word's pattern, {1..k} the other words', then the
        // cursor's sort key and id when paging, then the limit.
        var others = query.Words.Count - 1;
        var sql = new StringBuilder("WITH page AS (SELECT DISTINCT w.sort_key, w.patient_id AS id FROM patient_name_words w WHERE w.word LIKE {0}");
        for (var i = 1; i <= others; i++)
        {
            sql.Append(CultureInfo.InvariantCulture,
                $" AND EXISTS (SELECT 1 FROM patient_name_words o WHERE o.patient_id = w.patient_id AND o.word LIKE {{{i}}})");
        }

        if (!search.IncludeInactive)
        {
            sql.Append(" AND w.active");
        }

        var next = others + 1;
        if (query.After is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND (w.sort_key, w.patient_id) > ({{{next}}}::text COLLATE \"C\", {{{next + 1}}})");
            next += 2;
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY w.sort_key, w.patient_id LIMIT {{{next}}}) ");
        sql.Append(CultureInfo.InvariantCulture, $"SELECT {PatientColumns} FROM page JOIN patients p ON p.id = page.id ORDER BY page.sort_key, page.id");
        return sql.ToString();
    }

    private static object[] WordParameters(ParsedQuery query, PatientSearch search)
    {
        var driver = query.Words.OrderByDescending(w => w.Length).First();
        var parameters = new List<object> { EscapeLike(driver) + "%" };
        parameters.AddRange(query.Words.Where(w => w != driver).Select(w => (object)(EscapeLike(w) + "%")));
        if (query.After is { } after)
        {
            parameters.Add(after.SortKey);
            parameters.Add(after.Id);
        }

        parameters.Add(search.First + 1);
        return parameters.ToArray();
    }

    private (ParsedQuery Query, List<FieldError> Errors) Parse(PatientSearch search)
    {
        var errors = new List<FieldError>();
        if (search.First is < 1 or > MaxPageSize)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Ask for 1 to {MaxPageSize} patients."));
        }

        var words = new List<string>();
        if (!string.IsNullOrWhiteSpace(search.Name))
        {
            if (search.Name.Length > 100)
            {
                errors.Add(new FieldError("name", ErrorCodes.TooLong, "At most 100 characters."));
            }
            else
            {
                words = PatientNames.Normalize(search.Name).Split(' ').Distinct().ToList();
                if (words.Count > MaxNameWords)
                {
                    errors.Add(new FieldError("name", ErrorCodes.OutOfRange, $"At most {MaxNameWords} words."));
                }
            }
        }

        DateOnly? birthDate = null;
        if (!string.IsNullOrWhiteSpace(search.BirthDate))
        {
            if (DateOnly.TryParseExact(search.BirthDate.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                birthDate = d;
            }
            else
            {
                errors.Add(new FieldError("birthDate", ErrorCodes.InvalidFormat, "Use a calendar date in the form YYYY-MM-DD."));
            }
        }

        string? mrn = null;
        if (!string.IsNullOrWhiteSpace(search.Mrn))
        {
            mrn = search.Mrn.Trim();
            if (!MedicalRecordNumber.IsWellFormed(mrn))
            {
                errors.Add(new FieldError("mrn", ErrorCodes.InvalidFormat, "Not a medical record number (digits with a valid check digit)."));
            }
        }

        string? phone = null;
        if (!string.IsNullOrWhiteSpace(search.Phone))
        {
            phone = search.Phone.Length <= 40 ? validator.Phone(search.Phone) : null;
            if (phone is null)
            {
                errors.Add(new FieldError("phone", ErrorCodes.InvalidFormat, "Not a valid phone number."));
            }
        }

        var fingerprint = Fingerprint(string.Join(' ', words), birthDate, mrn, phone, search.IncludeInactive);
        Cursor? after = null;
        if (!string.IsNullOrEmpty(search.After))
        {
            after = Cursor.Decode(search.After);
            if (after is null || after.Fingerprint != fingerprint)
            {
                errors.Add(new FieldError("after", ErrorCodes.InvalidFormat,
                    "This cursor is malformed or belongs to a different search; start again without it."));
            }
        }

        return (new ParsedQuery(words, birthDate, mrn, phone, after, fingerprint), errors);
    }

    private static string Fingerprint(params object?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(parts))))[..16];

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>One row of the ranking query.</summary>
    internal sealed record SearchHit(Guid Id, decimal Rank, string SortKey);

    private sealed record ParsedQuery(IReadOnlyList<string> Words, DateOnly? BirthDate, string? Mrn, string? Phone,
        Cursor? After, string Fingerprint);

    private sealed record Cursor(decimal Rank, string SortKey, Guid Id, string Fingerprint)
    {
        private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

        public static string Encode(Cursor c) =>
            Base64Url(JsonSerializer.SerializeToUtf8Bytes(new object[] { c.Rank, c.SortKey, c.Id, c.Fingerprint }, Options));

        public static Cursor? Decode(string text)
        {
            try
            {
                var padded = text.Replace('-', '+').Replace('_', '/');
                padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
                using var doc = JsonDocument.Parse(Convert.FromBase64String(padded));
                var a = doc.RootElement;
                return a.ValueKind == JsonValueKind.Array && a.GetArrayLength() == 4
                    ? new Cursor(a[0].GetDecimal(), a[1].GetString()!, a[2].GetGuid(), a[3].GetString()!)
                    : null;
            }
            catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
            {
                return null;
            }
        }

        private static string Base64Url(byte[] bytes) =>
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
