-- The order rules hold against every session, and the services' role writes
-- orders only through the procedures:
--   * an order's total is the sum of its items, and an order has items
--     (a deferred constraint trigger, checked at commit, so place_order may
--     insert the order before its items);
--   * an order's currency never changes (its items are priced in it);
--   * the procedures that write orders, and the triggers that write the
--     outbox, run as the owner of the schema (SECURITY DEFINER), so the
--     services' role needs no write privilege on orders, order_items,
--     order_history or outbox, and the session flag that used to admit item
--     writes is gone;
--   * grant_roles() gives the services' role and the reporting role exactly
--     what they need; the migration runner calls it after every run
--     (src/db/migrate.ts), with the role names of the deployment.

-- Checked at commit for every order written in the transaction (both orders
-- when an item moves from one to another).
CREATE FUNCTION check_order_consistent() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_ids uuid[];
  v_order record;
BEGIN
  -- IF, not CASE: each branch names fields only its table has.
  IF TG_TABLE_NAME = 'orders' THEN
    v_ids := ARRAY[NEW.id];
  ELSIF TG_OP = 'INSERT' THEN
    v_ids := ARRAY[NEW.order_id];
  ELSIF TG_OP = 'DELETE' THEN
    v_ids := ARRAY[OLD.order_id];
  ELSE
    v_ids := ARRAY[OLD.order_id, NEW.order_id];
  END IF;
  -- An order that is gone has nothing to check (orders_guard refuses deletes, but not to the owner).
  FOR v_order IN
    SELECT o.id, o.total_amount, count(i.order_id) AS items,
           coalesce(sum(i.quantity::bigint * i.unit_price_amount), 0) AS items_sum
    FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
    WHERE o.id = ANY (v_ids)
    GROUP BY o.id
  LOOP
    IF v_order.items = 0 THEN
      RAISE EXCEPTION 'order % has no items', v_order.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_have_items';
    END IF;
    IF v_order.total_amount <> v_order.items_sum THEN
      RAISE EXCEPTION 'order % has a total of % but its items add up to %', v_order.id, v_order.total_amount, v_order.items_sum
        USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_total_is_items_sum';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER orders_consistent AFTER INSERT OR UPDATE OF total_amount ON orders
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_order_consistent();
CREATE CONSTRAINT TRIGGER order_items_consistent AFTER INSERT OR UPDATE OR DELETE ON order_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_order_consistent();

-- Items are priced in their order's currency, so that currency is fixed for good.
CREATE FUNCTION keep_order_currency() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.currency IS DISTINCT FROM OLD.currency THEN
    RAISE EXCEPTION 'an order''s currency cannot change (% to %)', OLD.currency, NEW.currency USING ERRCODE = 'PSINP';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_keep_currency BEFORE UPDATE OF currency ON orders
  FOR EACH ROW EXECUTE FUNCTION keep_order_currency();

-- Items are admitted by privilege now (place_order runs as the owner), not by a session flag.
DROP TRIGGER order_items_guard ON order_items;
DROP FUNCTION guard_order_items();

-- Places an order in the caller's transaction: validates the items, locks the
-- products in id order (so concurrent orders cannot deadlock), checks and
-- decrements stock, and inserts the order and its items at current prices.
-- Concurrent callers queue on the row locks; none can oversell. It runs as
-- the schema's owner: the only way for the services' role to write an order.
CREATE OR REPLACE FUNCTION place_order(p_user_id uuid, p_items jsonb, p_idempotency_key text DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER AS $$
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

  INSERT INTO order_items (order_id, product_id, quantity, unit_price_amount)
  SELECT v_order_id, p.id, r.quantity, p.price_amount
  FROM unnest(v_ids, v_quantities) AS r(id, quantity) JOIN products p ON p.id = r.id;

  UPDATE products p SET stock = p.stock - r.quantity
  FROM unnest(v_ids, v_quantities) AS r(id, quantity)
  WHERE p.id = r.id;

  RETURN v_order_id;
END
$$;

-- The other procedures that write orders, and the triggers that write the
-- outbox when the services' role changes a product or a user, run as the owner too.
ALTER FUNCTION cancel_order(uuid) SECURITY DEFINER;
ALTER FUNCTION update_order_status(uuid, order_status) SECURITY DEFINER;
ALTER FUNCTION outbox_product_events() SECURITY DEFINER;
ALTER FUNCTION outbox_user_events() SECURITY DEFINER;

-- Callable by the owner (and, through it, the functions above) only: no
-- session can write an event, or lock an order, by calling them.
REVOKE EXECUTE ON FUNCTION place_order(uuid, jsonb, text), cancel_order(uuid), update_order_status(uuid, order_status),
  lock_order_for_transition(uuid, order_status), write_outbox(text, text, uuid, jsonb) FROM PUBLIC;

-- A function that runs as its owner resolves names in this schema only, with
-- pg_temp last: a caller's temporary table named `orders` cannot stand in.
DO $$
DECLARE
  v_function regprocedure;
BEGIN
  FOREACH v_function IN ARRAY ARRAY[
    'place_order(uuid, jsonb, text)', 'cancel_order(uuid)', 'update_order_status(uuid, order_status)',
    'outbox_product_events()', 'outbox_user_events()'
  ]::regprocedure[] LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', v_function, current_schema());
  END LOOP;
END
$$;

-- What each role may do, in one place. The owner (who runs the migrations)
-- calls it after every run with the deployment's role names; a NULL role, or
-- the owner itself, is left alone. Idempotent: it revokes, then grants.
--   service: reads everything it serves; creates and deletes users and
--            products, edits a product's name, price and stock; relays the
--            outbox (claims rows FOR UPDATE, marks them published, prunes
--            them); places, moves and cancels orders through the procedures.
--   reader:  reads every table and view, for reporting.
CREATE FUNCTION grant_roles(p_service name, p_reader name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Concurrent GRANTs on one table fail ("tuple concurrently updated"): replicas starting together take turns.
  PERFORM pg_advisory_xact_lock(7274018);
  IF p_service IS NOT NULL AND p_service <> current_user THEN
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), p_service);
    EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM %I', current_schema(), p_service);
    EXECUTE format('GRANT SELECT ON users, products, orders, order_items, order_history, outbox,
                      user_order_summary, product_sales TO %I', p_service);
    EXECUTE format('GRANT INSERT, DELETE ON users, products TO %I', p_service);
    EXECUTE format('GRANT UPDATE (name, price_amount, price_currency, stock) ON products TO %I', p_service);
    EXECUTE format('GRANT UPDATE (published_at), DELETE ON outbox TO %I', p_service);
    EXECUTE format('GRANT EXECUTE ON FUNCTION place_order(uuid, jsonb, text), cancel_order(uuid),
                      update_order_status(uuid, order_status) TO %I', p_service);
  END IF;
  IF p_reader IS NOT NULL AND p_reader <> current_user THEN
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), p_reader);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), p_reader);
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION grant_roles(name, name) FROM PUBLIC;
