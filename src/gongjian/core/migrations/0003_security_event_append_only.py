"""On PostgreSQL the database itself refuses UPDATE, DELETE and TRUNCATE of audit rows; only
`core.audit.prune` (which sets gongjian.audit_prune inside its transaction) may delete, and only
a database whose owner set gongjian.allow_truncate (the test databases, which are emptied
between transactional tests) may be truncated."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_security_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('gongjian.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('gongjian.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'core_security_event is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_security_event_append_only
    BEFORE UPDATE OR DELETE ON core_security_event
    FOR EACH ROW EXECUTE FUNCTION core_security_event_append_only();
CREATE TRIGGER core_security_event_no_truncate
    BEFORE TRUNCATE ON core_security_event
    FOR EACH STATEMENT EXECUTE FUNCTION core_security_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_security_event_no_truncate ON core_security_event;
DROP TRIGGER IF EXISTS core_security_event_append_only ON core_security_event;
DROP FUNCTION IF EXISTS core_security_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_securityevent")]

    operations = [migrations.RunPython(forwards, backwards)]
