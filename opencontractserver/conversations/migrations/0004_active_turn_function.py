"""`conversations_active_turn(conversation, states)`: the first message of a conversation in one of
`states` (the turn store passes its ACTIVE_STATES: running or paused), read with a snapshot of
its own.

A turn starts in one statement (conversations/turn_start.py) that locks the conversation and
then looks for a running turn. A plain subquery of that statement would read with the
statement's snapshot, taken before the lock was granted, and miss a turn that a racing
statement committed while this one waited; a VOLATILE function takes a fresh snapshot for its
query (PostgreSQL never inlines it), so called on the locked row it sees every committed turn.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION conversations_active_turn(conversation bigint, states varchar[])
RETURNS TABLE (id bigint, state varchar, owner_key bigint)
LANGUAGE sql VOLATILE AS $$
    SELECT m.id, m.state, m.owner_key
    FROM conversations_chatmessage m
    WHERE m.conversation_id = conversation
      AND m.state = ANY (states)
    ORDER BY m.created, m.id
    LIMIT 1
$$;
"""
DROP = "DROP FUNCTION conversations_active_turn(bigint, varchar[]);"


class Migration(migrations.Migration):
    dependencies = [("conversations", "0003_message_owner_key")]

    operations = [migrations.RunSQL(CREATE, DROP)]
