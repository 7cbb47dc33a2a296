-- Task changes are announced by the database itself, in the statement that makes them: every insert or update of
-- workflow_tasks sends one notification per task on the workflow.task topic (TopicNames.Channel), heard by every host's
-- listener at commit and never if the change rolls back. The payload is '<tenant role>:<task id>': current_user is the
-- tenant role the session entered (TenantSession), so the database, not the caller, names the tenant. No code path can
-- forget it, and it costs no round trip of its own.
CREATE OR REPLACE FUNCTION workflow_tasks_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ehr:workflow.task', current_user || ':' || c.id::text) FROM (SELECT DISTINCT id FROM changed) c;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS workflow_tasks_announce_inserted ON workflow_tasks;
CREATE TRIGGER workflow_tasks_announce_inserted AFTER INSERT ON workflow_tasks
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION workflow_tasks_announce();
DROP TRIGGER IF EXISTS workflow_tasks_announce_updated ON workflow_tasks;
CREATE TRIGGER workflow_tasks_announce_updated AFTER UPDATE ON workflow_tasks
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION workflow_tasks_announce();
