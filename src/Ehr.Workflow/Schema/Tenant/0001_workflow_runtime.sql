-- The workflow runtime's tables. Nothing about an instance lives only in memory: its state (the engine's JSON), its open
-- bookmarks, its timeline, the effects still to carry out, its tasks, incidents and notifications are rows here, all
-- written in the transaction of the step that produced them. Closed things never change again (triggers) and nothing
-- the timeline or the inbox shows is ever deleted by the tenant role.

-- One row per instance. state is the engine's InstanceState (jsonb); the columns beside it are what lists filter on.
-- definition_version_id pins the exact published version (an artifact); it changes only by an admin's migration.
CREATE TABLE IF NOT EXISTS workflow_instances (
  id uuid PRIMARY KEY,
  definition_key text NOT NULL,
  definition_version_id uuid NOT NULL REFERENCES artifacts (id),
  status text NOT NULL CHECK (status IN ('running', 'completed', 'cancelled')),
  outcome text,
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  location_id uuid,
  patient_id uuid,
  -- The domain event that started it (null for a manual start): with the key, a redelivered event cannot start twice.
  start_event_id uuid,
  started_by text NOT NULL,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  closed_at timestamptz,
  steps integer NOT NULL CHECK (steps >= 1),
  open_incidents integer NOT NULL DEFAULT 0 CHECK (open_incidents >= 0),
  state jsonb NOT NULL,
  row_version integer NOT NULL CHECK (row_version >= 1),
  CONSTRAINT workflow_instances_closed_has_time CHECK ((status = 'running') = (closed_at IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS workflow_instances_started_by_event ON workflow_instances (start_event_id, definition_key)
  WHERE start_event_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS workflow_instances_recent ON workflow_instances (started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS workflow_instances_running ON workflow_instances (definition_key, started_at DESC) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS workflow_instances_patient ON workflow_instances (patient_id, started_at DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS workflow_instances_incidents ON workflow_instances (updated_at DESC) WHERE open_incidents > 0;

CREATE OR REPLACE FUNCTION workflow_instances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pinned record;
  repinned boolean := TG_OP = 'INSERT';
BEGIN
  IF TG_OP = 'UPDATE' THEN
    repinned := NEW.definition_version_id <> OLD.definition_version_id;
    IF NEW.id <> OLD.id OR NEW.definition_key <> OLD.definition_key OR NEW.subject_type <> OLD.subject_type
       OR NEW.subject_id <> OLD.subject_id OR NEW.start_event_id IS DISTINCT FROM OLD.start_event_id
       OR NEW.started_by <> OLD.started_by OR NEW.started_at <> OLD.started_at THEN
      RAISE EXCEPTION 'workflow instance %: identity columns never change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status <> 'running' THEN
      RAISE EXCEPTION 'workflow instance % is % and never changes again', OLD.id, OLD.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.row_version <> OLD.row_version + 1 THEN
      RAISE EXCEPTION 'workflow instance %: every change moves row_version on by one', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF repinned THEN
    SELECT kind, key, status INTO pinned FROM artifacts WHERE id = NEW.definition_version_id;
    IF pinned.kind IS DISTINCT FROM 'workflow' OR pinned.key <> NEW.definition_key OR pinned.status = 'draft' THEN
      RAISE EXCEPTION 'workflow instance % must pin a published version of workflow %', NEW.id, NEW.definition_key
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS workflow_instances_guard ON workflow_instances;
CREATE TRIGGER workflow_instances_guard BEFORE INSERT OR UPDATE ON workflow_instances FOR EACH ROW EXECUTE FUNCTION workflow_instances_guard();
REVOKE DELETE, TRUNCATE ON workflow_instances FROM {{tenant_role}};

-- The instance's open bookmarks (rewritten from the state by each step). A timer's Hangfire job id is kept here so
-- the step that consumes the bookmark first can cancel it.
CREATE TABLE IF NOT EXISTS workflow_bookmarks (
  instance_id uuid NOT NULL REFERENCES workflow_instances (id),
  bookmark_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('task', 'escalation', 'timer', 'action', 'webhook', 'webhookRetry', 'incident')),
  node_id text NOT NULL,
  created_at timestamptz NOT NULL,
  due_at timestamptz,
  job_id text,
  PRIMARY KEY (instance_id, bookmark_id)
);
CREATE INDEX IF NOT EXISTS workflow_bookmarks_due ON workflow_bookmarks (due_at) WHERE due_at IS NOT NULL AND kind IN ('escalation', 'timer', 'webhookRetry');
REVOKE TRUNCATE ON workflow_bookmarks FROM {{tenant_role}};

-- The timeline: who did what, when, and why. Append-only for the tenant role.
CREATE TABLE IF NOT EXISTS workflow_history (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id uuid NOT NULL REFERENCES workflow_instances (id),
  step integer NOT NULL,
  idx integer NOT NULL,
  at timestamptz NOT NULL,
  what text NOT NULL,
  node_id text,
  bookmark_id text,
  actor_id text,
  outcome text,
  comment text,
  detail text
);
CREATE INDEX IF NOT EXISTS workflow_history_instance ON workflow_history (instance_id, seq);
REVOKE UPDATE, DELETE, TRUNCATE ON workflow_history FROM {{tenant_role}};

-- Effects that reach outside the step's transaction (Hangfire timers, module actions, web hooks), written with the
-- step and carried out after it commits by the dispatcher, each under its row lock and marked done in the transaction
-- that records its result. Effects that only write rows here (tasks, incidents, notifications) are applied inside the
-- step's own transaction instead. What an effect asks for never changes; only how it went.
CREATE TABLE IF NOT EXISTS workflow_effects (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id uuid NOT NULL REFERENCES workflow_instances (id),
  step integer NOT NULL,
  bookmark_id text NOT NULL,
  type text NOT NULL CHECK (type IN ('scheduleTimer', 'cancelTimer', 'invokeAction', 'callWebhook')),
  -- json, not jsonb: kept as the engine wrote it (its type discriminator first; a web hook's body byte for byte).
  effect json NOT NULL,
  -- cancelTimer: the job scheduled for the bookmark, when it was scheduled before the step that cancelled it.
  job_id text,
  created_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error text,
  done_at timestamptz,
  result text
);
CREATE INDEX IF NOT EXISTS workflow_effects_pending ON workflow_effects (seq) WHERE done_at IS NULL;
CREATE INDEX IF NOT EXISTS workflow_effects_instance ON workflow_effects (instance_id, seq);

CREATE OR REPLACE FUNCTION workflow_effects_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq <> OLD.seq OR NEW.instance_id <> OLD.instance_id OR NEW.step <> OLD.step OR NEW.bookmark_id <> OLD.bookmark_id
     OR NEW.type <> OLD.type OR NEW.effect::text <> OLD.effect::text OR NEW.job_id IS DISTINCT FROM OLD.job_id OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'workflow effect %: what it asks for never changes', OLD.seq USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.done_at IS NOT NULL THEN
    RAISE EXCEPTION 'workflow effect % is done', OLD.seq USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS workflow_effects_guard ON workflow_effects;
CREATE TRIGGER workflow_effects_guard BEFORE UPDATE ON workflow_effects FOR EACH ROW EXECUTE FUNCTION workflow_effects_guard();
REVOKE DELETE, TRUNCATE ON workflow_effects FROM {{tenant_role}};

-- Human tasks: one row per approver slot of a task node (the engine's CreateTask), the inbox. Open or claimed until
-- decided or withdrawn; completed and cancelled rows never change again.
CREATE TABLE IF NOT EXISTS workflow_tasks (
  id uuid PRIMARY KEY,
  instance_id uuid NOT NULL REFERENCES workflow_instances (id),
  bookmark_id text NOT NULL,
  node_id text NOT NULL,
  definition_key text NOT NULL,
  title text NOT NULL,
  instructions text,
  priority text NOT NULL CHECK (priority IN ('routine', 'urgent')),
  assignee_role text,
  assignee_user text,
  assignee_location uuid,
  outcomes text[] NOT NULL,
  form_key text,
  due_at timestamptz,
  slot integer NOT NULL,
  slots integer NOT NULL,
  escalation_level integer NOT NULL DEFAULT 0,
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  patient_id uuid,
  location_id uuid,
  status text NOT NULL CHECK (status IN ('open', 'claimed', 'completed', 'cancelled')),
  claimed_by text,
  claimed_at timestamptz,
  outcome text,
  comment text,
  form_response_id uuid,
  completed_by text,
  completed_at timestamptz,
  cancelled_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  row_version integer NOT NULL CHECK (row_version >= 1),
  UNIQUE (instance_id, bookmark_id),
  CONSTRAINT workflow_tasks_one_assignee CHECK ((assignee_role IS NULL) <> (assignee_user IS NULL)),
  CONSTRAINT workflow_tasks_claimed_has_claimer CHECK ((status = 'claimed') = (claimed_by IS NOT NULL)),
  CONSTRAINT workflow_tasks_completed_has_decision CHECK ((status = 'completed') = (completed_by IS NOT NULL AND outcome IS NOT NULL)),
  CONSTRAINT workflow_tasks_cancelled_has_reason CHECK ((status = 'cancelled') = (cancelled_reason IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS workflow_tasks_user ON workflow_tasks (assignee_user, created_at DESC) WHERE status IN ('open', 'claimed');
CREATE INDEX IF NOT EXISTS workflow_tasks_role ON workflow_tasks (assignee_role, created_at DESC) WHERE status IN ('open', 'claimed');
CREATE INDEX IF NOT EXISTS workflow_tasks_claimer ON workflow_tasks (claimed_by, created_at DESC) WHERE status = 'claimed';
CREATE INDEX IF NOT EXISTS workflow_tasks_patient ON workflow_tasks (patient_id, created_at DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS workflow_tasks_instance ON workflow_tasks (instance_id);

CREATE OR REPLACE FUNCTION workflow_tasks_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.instance_id <> OLD.instance_id OR NEW.bookmark_id <> OLD.bookmark_id OR NEW.node_id <> OLD.node_id
     OR NEW.created_at <> OLD.created_at OR NEW.subject_id <> OLD.subject_id OR NEW.patient_id IS DISTINCT FROM OLD.patient_id THEN
    RAISE EXCEPTION 'workflow task %: identity columns never change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.status IN ('completed', 'cancelled') THEN
    RAISE EXCEPTION 'workflow task % is % and never changes again', OLD.id, OLD.status USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.row_version <> OLD.row_version + 1 THEN
    RAISE EXCEPTION 'workflow task %: every change moves row_version on by one', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS workflow_tasks_guard ON workflow_tasks;
CREATE TRIGGER workflow_tasks_guard BEFORE UPDATE ON workflow_tasks FOR EACH ROW EXECUTE FUNCTION workflow_tasks_guard();
REVOKE DELETE, TRUNCATE ON workflow_tasks FROM {{tenant_role}};

-- Incidents: a failing step (its node, code and message) waiting for an admin to retry it or cancel the instance.
CREATE TABLE IF NOT EXISTS workflow_incidents (
  instance_id uuid NOT NULL REFERENCES workflow_instances (id),
  bookmark_id text NOT NULL,
  node_id text NOT NULL,
  code text NOT NULL,
  message text NOT NULL,
  raised_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolution text,
  PRIMARY KEY (instance_id, bookmark_id),
  CONSTRAINT workflow_incidents_resolved_has_resolution CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX IF NOT EXISTS workflow_incidents_open ON workflow_incidents (raised_at DESC) WHERE resolved_at IS NULL;

CREATE OR REPLACE FUNCTION workflow_incidents_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.resolved_at IS NOT NULL OR NEW.instance_id <> OLD.instance_id OR NEW.bookmark_id <> OLD.bookmark_id OR NEW.node_id <> OLD.node_id
     OR NEW.code <> OLD.code OR NEW.message <> OLD.message OR NEW.raised_at <> OLD.raised_at THEN
    RAISE EXCEPTION 'workflow incident %/%: only resolving it changes it, once', OLD.instance_id, OLD.bookmark_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS workflow_incidents_guard ON workflow_incidents;
CREATE TRIGGER workflow_incidents_guard BEFORE UPDATE ON workflow_incidents FOR EACH ROW EXECUTE FUNCTION workflow_incidents_guard();
REVOKE DELETE, TRUNCATE ON workflow_incidents FROM {{tenant_role}};

-- Notifications a workflow sent (notify nodes, escalations): one row per recipient (a role at a location, a user, or a
-- patient for the portal), keyed by the engine's notification id so a step can never send one twice.
CREATE TABLE IF NOT EXISTS workflow_notifications (
  id uuid PRIMARY KEY,
  instance_id uuid NOT NULL REFERENCES workflow_instances (id),
  notification_id text NOT NULL,
  recipient_index integer NOT NULL,
  node_id text NOT NULL,
  template text NOT NULL,
  channel text NOT NULL,
  recipient_role text,
  recipient_user text,
  recipient_location uuid,
  recipient_patient text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  read_by text,
  UNIQUE (instance_id, notification_id, recipient_index)
);
CREATE INDEX IF NOT EXISTS workflow_notifications_user ON workflow_notifications (recipient_user, created_at DESC) WHERE recipient_user IS NOT NULL;
CREATE INDEX IF NOT EXISTS workflow_notifications_role ON workflow_notifications (recipient_role, created_at DESC) WHERE recipient_role IS NOT NULL;
CREATE INDEX IF NOT EXISTS workflow_notifications_patient ON workflow_notifications (recipient_patient, created_at DESC) WHERE recipient_patient IS NOT NULL;

CREATE OR REPLACE FUNCTION workflow_notifications_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.read_at IS NOT NULL OR NEW.id <> OLD.id OR NEW.instance_id <> OLD.instance_id OR NEW.notification_id <> OLD.notification_id
     OR NEW.recipient_index <> OLD.recipient_index OR NEW.template <> OLD.template OR NEW.data <> OLD.data
     OR NEW.recipient_role IS DISTINCT FROM OLD.recipient_role OR NEW.recipient_user IS DISTINCT FROM OLD.recipient_user
     OR NEW.recipient_patient IS DISTINCT FROM OLD.recipient_patient OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'workflow notification %: only marking it read changes it, once', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS workflow_notifications_guard ON workflow_notifications;
CREATE TRIGGER workflow_notifications_guard BEFORE UPDATE ON workflow_notifications FOR EACH ROW EXECUTE FUNCTION workflow_notifications_guard();
REVOKE DELETE, TRUNCATE ON workflow_notifications FROM {{tenant_role}};

-- Where the tenant's event consumer is in the domain-event outbox: updated in the transaction that starts the
-- workflows of the events it read, so each event is handled exactly once however often the consumer is woken.
CREATE TABLE IF NOT EXISTS workflow_event_position (
  id integer PRIMARY KEY CHECK (id = 1),
  tx_id xid8 NOT NULL,
  seq bigint NOT NULL,
  events bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL
);
INSERT INTO workflow_event_position (id, tx_id, seq, updated_at) VALUES (1, '0', 0, now()) ON CONFLICT (id) DO NOTHING;
REVOKE INSERT, DELETE, TRUNCATE ON workflow_event_position FROM {{tenant_role}};

-- The tenant's web hook endpoints: a definition names an endpoint by key; the URL and the signing secret live here
-- (the secret protected with Data Protection, never returned by any API).
CREATE TABLE IF NOT EXISTS workflow_webhook_endpoints (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9-]{0,59}$'),
  url text NOT NULL CHECK (url ~ '^https?://'),
  secret_protected text NOT NULL,
  description text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  row_version integer NOT NULL CHECK (row_version >= 1)
);
REVOKE DELETE, TRUNCATE ON workflow_webhook_endpoints FROM {{tenant_role}};
