-- Every outbox write also notifies `outbox_written`. PostgreSQL delivers the
-- notification when the writing transaction commits (one per transaction), so
-- the relay, which listens, moves the new rows at once instead of at its next
-- poll; the poll stays as the fallback when no notification arrives.
CREATE OR REPLACE FUNCTION write_outbox(p_event_type text, p_aggregate_type text, p_aggregate_id uuid, p_payload jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload)
  VALUES (p_event_type, p_aggregate_type, p_aggregate_id, p_payload);
  PERFORM pg_notify('outbox_written', '');
END
$$;
