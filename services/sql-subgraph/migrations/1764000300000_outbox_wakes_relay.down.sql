CREATE OR REPLACE FUNCTION write_outbox(p_event_type text, p_aggregate_type text, p_aggregate_id uuid, p_payload jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload)
  VALUES (p_event_type, p_aggregate_type, p_aggregate_id, p_payload);
END
$$;
