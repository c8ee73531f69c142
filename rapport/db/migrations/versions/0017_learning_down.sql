-- Undo 0017_learning.sql.
DROP TRIGGER messages_record_replies ON messages;
DROP TRIGGER conversations_forget_events ON conversations;
DROP TRIGGER contacts_forget_events ON contacts;
DROP TRIGGER conversations_stamp_qualified ON conversations;
DROP TABLE learning_daily, trigger_firings, triggers, experiment_assignments, experiments,
  prompt_variants, feedback, message_status, event_keys, events;
DROP FUNCTION rapport_record_replies(), rapport_learning_orgs(), rapport_forget_events(), rapport_stamp_qualified(),
  rapport_event_partitions(timestamptz[]), rapport_event_rank(text), rapport_after(text), rapport_instant(timestamptz);
DROP INDEX conversations_started_idx, messages_sent_idx;
ALTER TABLE conversations DROP COLUMN last_inbound_at, DROP COLUMN qualified_at;
