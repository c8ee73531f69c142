-- Undo 0018_learning_counts.sql.
DROP TRIGGER follow_ups_mirror_added ON follow_ups;
DROP TRIGGER follow_ups_mirror ON follow_ups;
CREATE TRIGGER follow_ups_mirror
  AFTER INSERT OR DELETE OR UPDATE OF due_at, reason, notes, status, reminder_sent ON follow_ups
  FOR EACH ROW EXECUTE FUNCTION rapport_follow_up_changed();
DROP FUNCTION rapport_follow_ups_added();
DROP INDEX conversations_outcome_idx, message_status_replied_idx;
CREATE INDEX message_status_variant_idx ON message_status (org_id, variant_id, status)
  INCLUDE (contact_id) WHERE variant_id IS NOT NULL;
DROP TRIGGER message_status_counted_insert ON message_status;
DROP TRIGGER message_status_counted_update ON message_status;
DROP TRIGGER message_status_counted_delete ON message_status;
DROP FUNCTION rapport_count_statuses();
DROP TABLE variant_funnel;
