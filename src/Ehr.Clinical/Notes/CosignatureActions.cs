using System.Text.Json;
using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Events;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Notes;

/// <summary>Reading a workflow action's inputs: a refusal names the input (the instance's incident shows it).</summary>
internal static class ActionInputs
{
    public static string Text(WorkflowActionCall call, string name, bool required = true)
    {
        if (call.Inputs.ValueKind == JsonValueKind.Object && call.Inputs.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString()!;
        }

        return required
            ? throw EhrException.Validation([new FieldError(name, ErrorCodes.Required, $"The input '{name}' is required.")])
            : "";
    }

    public static Guid Id(WorkflowActionCall call, string name) =>
        Guid.TryParse(Text(call, name), out var id)
            ? id
            : throw EhrException.Validation([new FieldError(name, ErrorCodes.InvalidFormat, $"The input '{name}' is not an id.")]);
}

/// <summary>
/// <c>note.requestCosign</c>: marks a signed note as awaiting co-signature (the co-signature workflow's first act).
/// Asking again for a note that awaits or has its co-signature changes nothing. A draft or a note entered in error is
/// refused (the instance shows the incident).
/// </summary>
internal sealed class RequestCosignAction(TenantDbContext db, AuditTrail audit, DomainEvents events, TimeProvider clock) : IWorkflowAction
{
    public static readonly WorkflowActionDescriptor Definition = new("note.requestCosign",
        "Mark a signed note as awaiting a co-signature (shown with the note until it is co-signed).",
        [new WorkflowParameter("noteId", WorkflowValueType.String, true, "The signed note.")],
        ["done"]);

    public WorkflowActionDescriptor Descriptor => Definition;

    public async Task<WorkflowActionResult> InvokeAsync(WorkflowActionCall call, CancellationToken ct)
    {
        var noteId = ActionInputs.Id(call, "noteId");
        return await db.InTransactionAsync(async token =>
        {
            var note = await db.Set<Note>().Include(n => n.Cosignature).SingleOrDefaultAsync(n => n.Id == noteId, token)
                       ?? throw EhrException.NotFound("Note " + noteId);
            if (note.Status is not (NoteStatus.Signed or NoteStatus.Amended))
            {
                throw new EhrException(ErrorCodes.Conflict, $"Note {noteId} is {note.Status}: only a signed note awaits a co-signature.", 409);
            }

            if (note.Cosignature is null)
            {
                db.Add(NoteCosignature.Request(noteId, clock.GetUtcNow(), call.IdempotencyKey));
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("note.cosign.request", "Note", noteId.ToString(),
                    new { patient = note.PatientId, workflow = call.IdempotencyKey }), token);
                await events.RaiseAsync(new DomainEvent("note.cosign-requested", "Note", noteId.ToString(),
                    new { patientId = note.PatientId, noteType = note.NoteType, authorId = note.AuthorId, signedBy = note.SignedBy }), token);
            }

            return new WorkflowActionResult("done");
        }, ct);
    }
}

/// <summary>
/// <c>note.sign</c> (as a workflow calls it): records the co-signature of a signed note by <c>signerId</c>, the clinician
/// who approved the co-signature task. Outcomes: <c>signed</c>, or <c>refused</c> when the note was entered in error
/// meanwhile, when the signer is the one who signed it, or when someone else co-signed it already. Recording the same
/// co-signature again answers <c>signed</c> and changes nothing. Audited (<c>note.cosign</c>) and raised as
/// <c>note.cosigned</c>. The signer's right to co-sign is the workflow's assignment (the task went to physicians).
/// </summary>
internal sealed class CosignNoteAction(TenantDbContext db, AuditTrail audit, DomainEvents events, TimeProvider clock) : IWorkflowAction
{
    public static readonly WorkflowActionDescriptor Definition = new("note.sign",
        "Record the co-signature of a signed note by the given clinician (the co-signer).",
        [
            new WorkflowParameter("noteId", WorkflowValueType.String, true, "The signed note."),
            new WorkflowParameter("signerId", WorkflowValueType.String, true, "Who co-signs it (the user who approved the co-signature task)."),
        ],
        ["signed", "refused"],
        [
            new WorkflowActionOutput("signed", [new WorkflowParameter("cosignedBy", WorkflowValueType.String, true, "Who co-signed the note.")]),
            new WorkflowActionOutput("refused", [new WorkflowParameter("reason", WorkflowValueType.String, true, "Why the co-signature was not recorded.")]),
        ]);

    public WorkflowActionDescriptor Descriptor => Definition;

    public async Task<WorkflowActionResult> InvokeAsync(WorkflowActionCall call, CancellationToken ct)
    {
        var noteId = ActionInputs.Id(call, "noteId");
        var signer = ActionInputs.Text(call, "signerId");
        return await db.InTransactionAsync(async token =>
        {
            var note = await db.Set<Note>().Include(n => n.Cosignature).SingleOrDefaultAsync(n => n.Id == noteId, token)
                       ?? throw EhrException.NotFound("Note " + noteId);
            string? refusal = note.Status switch
            {
                NoteStatus.EnteredInError => "The note was entered in error.",
                NoteStatus.Draft => "The note is a draft.",
                _ when note.SignedBy == signer => "A co-signer is another clinician than the one who signed the note.",
                _ when note.Cosignature is { Status: CosignatureStatus.Cosigned } c && c.CosignedBy != signer => $"Co-signed already by {c.CosignedBy}.",
                _ => null,
            };
            if (refusal is not null)
            {
                return new WorkflowActionResult("refused", JsonSerializer.SerializeToElement(new { reason = refusal }));
            }

            if (note.Cosignature is not { Status: CosignatureStatus.Cosigned })
            {
                var now = clock.GetUtcNow();
                if (note.Cosignature is null)
                {
                    var cosignature = NoteCosignature.Request(noteId, now, null);
                    cosignature.Cosign(signer, now, call.IdempotencyKey);
                    db.Add(cosignature);
                }
                else
                {
                    note.Cosignature.Cosign(signer, now, call.IdempotencyKey);
                }

                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("note.cosign", "Note", noteId.ToString(),
                    new { patient = note.PatientId, cosignedBy = signer, workflow = call.IdempotencyKey }), token);
                await events.RaiseAsync(new DomainEvent("note.cosigned", "Note", noteId.ToString(),
                    new { patientId = note.PatientId, noteType = note.NoteType, authorId = note.AuthorId, signedBy = note.SignedBy, cosignedBy = signer }), token);
            }

            return new WorkflowActionResult("signed", JsonSerializer.SerializeToElement(new { cosignedBy = signer }));
        }, ct);
    }
}
