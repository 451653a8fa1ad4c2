-- Back to the session flag that admitted item writes, and to procedures that run as their caller.
DROP FUNCTION grant_roles(name, name);
GRANT EXECUTE ON FUNCTION place_order(uuid, jsonb, text), cancel_order(uuid), update_order_status(uuid, order_status),
  lock_order_for_transition(uuid, order_status), write_outbox(text, text, uuid, jsonb) TO PUBLIC;
ALTER FUNCTION cancel_order(uuid) SECURITY INVOKER RESET search_path;
ALTER FUNCTION update_order_status(uuid, order_status) SECURITY INVOKER RESET search_path;
ALTER FUNCTION outbox_product_events() SECURITY INVOKER RESET search_path;
ALTER FUNCTION outbox_user_events() SECURITY INVOKER RESET search_path;
ALTER FUNCTION place_order(uuid, jsonb, text) SECURITY INVOKER RESET search_path;

-- Places an order in the caller's transaction: validates the items, locks the
-- products in id order (so concurrent orders cannot deadlock), checks and
-- decrements stock, and inserts the order and its items at current prices.
-- Concurrent callers queue on the row locks; none can oversell.
CREATE OR REPLACE FUNCTION place_order(p_user_id uuid, p_items jsonb, p_idempotency_key text DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_ids uuid[];
  v_quantities integer[];
  v_missing uuid;
  v_currencies text[];
  v_short record;
  v_total bigint;
  v_order_id uuid;
BEGIN
  IF p_idempotency_key IS NOT NULL THEN
    SELECT id INTO v_order_id FROM orders WHERE user_id = p_user_id AND idempotency_key = p_idempotency_key;
    IF FOUND THEN
      RETURN v_order_id;
    END IF;
  END IF;
  IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' OR jsonb_array_length(p_items) = 0 THEN
    RAISE EXCEPTION 'an order needs at least one item' USING ERRCODE = 'PSINP';
  END IF;
  IF jsonb_array_length(p_items) > 100 THEN
    RAISE EXCEPTION 'an order has at most 100 items' USING ERRCODE = 'PSINP';
  END IF;
  IF EXISTS (
    SELECT 1 FROM jsonb_array_elements(p_items) AS item
    WHERE jsonb_typeof(item->'productId') IS DISTINCT FROM 'string'
       OR item->>'productId' !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       OR jsonb_typeof(item->'quantity') IS DISTINCT FROM 'number'
       OR (item->>'quantity')::numeric NOT BETWEEN 1 AND 1000
       OR (item->>'quantity')::numeric <> trunc((item->>'quantity')::numeric)
  ) THEN
    RAISE EXCEPTION 'each item needs a productId and a whole quantity from 1 to 1000' USING ERRCODE = 'PSINP';
  END IF;

  PERFORM 1 FROM users WHERE id = p_user_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % does not exist', p_user_id USING ERRCODE = 'PSNF0';
  END IF;

  -- The same product twice in one order counts once, with the quantities added.
  SELECT array_agg(product_id ORDER BY product_id), array_agg(quantity ORDER BY product_id)
    INTO v_ids, v_quantities
  FROM (
    SELECT (item->>'productId')::uuid AS product_id, sum((item->>'quantity')::numeric)::integer AS quantity
    FROM jsonb_array_elements(p_items) AS item
    GROUP BY 1
  ) AS requested;
  IF EXISTS (SELECT 1 FROM unnest(v_quantities) AS q WHERE q > 1000) THEN
    RAISE EXCEPTION 'each product can be ordered at most 1000 times' USING ERRCODE = 'PSINP';
  END IF;

  PERFORM 1 FROM products WHERE id = ANY (v_ids) ORDER BY id FOR UPDATE;

  SELECT r.id INTO v_missing
  FROM unnest(v_ids) AS r(id) LEFT JOIN products p ON p.id = r.id
  WHERE p.id IS NULL LIMIT 1;
  IF v_missing IS NOT NULL THEN
    RAISE EXCEPTION 'product % does not exist', v_missing USING ERRCODE = 'PSNF0';
  END IF;

  SELECT array_agg(DISTINCT price_currency) INTO v_currencies FROM products WHERE id = ANY (v_ids);
  IF cardinality(v_currencies) > 1 THEN
    RAISE EXCEPTION 'all items of an order must share one currency' USING ERRCODE = 'PSINP';
  END IF;

  SELECT p.id, p.stock, r.quantity INTO v_short
  FROM unnest(v_ids, v_quantities) AS r(id, quantity) JOIN products p ON p.id = r.id
  WHERE p.stock < r.quantity
  ORDER BY p.id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'only % left of product %', v_short.stock, v_short.id
      USING ERRCODE = 'PSSTK',
            DETAIL = json_build_object('productId', v_short.id, 'available', v_short.stock, 'requested', v_short.quantity)::text;
  END IF;

  SELECT sum(p.price_amount::bigint * r.quantity) INTO v_total
  FROM unnest(v_ids, v_quantities) AS r(id, quantity) JOIN products p ON p.id = r.id;
  -- Amounts travel as 32-bit GraphQL Ints.
  IF v_total > 2147483647 THEN
    RAISE EXCEPTION 'the order total exceeds the largest amount an order can have' USING ERRCODE = 'PSINP';
  END IF;

  BEGIN
    INSERT INTO orders (user_id, total_amount, currency, idempotency_key)
    VALUES (p_user_id, v_total, v_currencies[1], p_idempotency_key)
    RETURNING id INTO v_order_id;
  EXCEPTION WHEN unique_violation THEN
    -- A concurrent call with the same key committed first (the insert waited for it):
    -- nothing was taken from stock here yet, so answer with its order.
    SELECT id INTO v_order_id FROM orders WHERE user_id = p_user_id AND idempotency_key = p_idempotency_key;
    RETURN v_order_id;
  END;

  PERFORM set_config('polystore.placing_order', 'on', true);
  INSERT INTO order_items (order_id, product_id, quantity, unit_price_amount)
  SELECT v_order_id, p.id, r.quantity, p.price_amount
  FROM unnest(v_ids, v_quantities) AS r(id, quantity) JOIN products p ON p.id = r.id;
  PERFORM set_config('polystore.placing_order', 'off', true);

  UPDATE products p SET stock = p.stock - r.quantity
  FROM unnest(v_ids, v_quantities) AS r(id, quantity)
  WHERE p.id = r.id;

  RETURN v_order_id;
END
$$;

CREATE FUNCTION guard_order_items() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('polystore.placing_order', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION 'order items are written only by place_order' USING ERRCODE = 'PSINP';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER order_items_guard BEFORE INSERT OR UPDATE OR DELETE ON order_items
  FOR EACH ROW EXECUTE FUNCTION guard_order_items();


DROP TRIGGER orders_keep_currency ON orders;
DROP FUNCTION keep_order_currency();
DROP TRIGGER order_items_consistent ON order_items;
DROP TRIGGER orders_consistent ON orders;
DROP FUNCTION check_order_consistent();
