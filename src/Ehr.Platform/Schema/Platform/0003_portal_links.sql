-- Patient portal: which portal users may see which patient records of a tenant (their own, and those they are proxy
-- for), as staff granted them. A link belongs to a user, or, until its invitation is accepted, to that invitation.
-- AccessCheck reads the active links of the caller on every request (same round trip as the membership), so a
-- revocation applies to the next request and an expired link stops applying by itself, without a job.
-- Patient ids and relationships only: no demographics leave the tenant schema.

CREATE TABLE IF NOT EXISTS platform.portal_links (
    id uuid NOT NULL,
    tenant_id uuid NOT NULL REFERENCES platform.tenants (id),
    patient_id uuid NOT NULL,
    user_id uuid REFERENCES platform.users (id),
    invitation_id uuid REFERENCES platform.invitations (id),
    relationship text NOT NULL CHECK (relationship IN ('self', 'parent', 'guardian', 'caregiver', 'other')),
    expires_at timestamp with time zone,
    granted_by text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_by text,
    version integer NOT NULL,
    CONSTRAINT pk_portal_links PRIMARY KEY (id),
    CONSTRAINT ck_portal_links_holder CHECK (user_id IS NOT NULL OR invitation_id IS NOT NULL)
);

-- AccessCheck: the caller's unrevoked links in the tenant.
CREATE INDEX IF NOT EXISTS ix_portal_links_user ON platform.portal_links (user_id, tenant_id) WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_portal_links_patient ON platform.portal_links (tenant_id, patient_id);
CREATE INDEX IF NOT EXISTS ix_portal_links_invitation ON platform.portal_links (invitation_id) WHERE invitation_id IS NOT NULL;

-- Links are revoked, never deleted: the history of who could see a record stays.
GRANT SELECT, INSERT, UPDATE ON platform.portal_links TO {{app_role}};
