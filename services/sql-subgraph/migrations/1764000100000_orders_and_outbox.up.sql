-- Orders, their items and audit history, the transactional outbox, and the
-- rules that must hold whoever writes: legal status transitions, no oversell,
-- one outbox row per domain event in the same transaction as the change.
-- Custom SQLSTATEs (class PS) let the API translate failures precisely:
--   PSINP bad input, PSNF0 not found, PSSTK insufficient stock, PSTRN illegal transition.

CREATE TYPE order_status AS ENUM ('PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED');

CREATE TABLE orders (
  id            uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid         NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  status        order_status NOT NULL DEFAULT 'PENDING',
  total_amount  bigint       NOT NULL CHECK (total_amount >= 0),
  currency      text         NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- A client's retry of the same placement carries the same key and gets the same order.
  idempotency_key text       CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  created_at    timestamptz  NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at    timestamptz  NOT NULL DEFAULT now()
);
-- User.orders and the order summary view: a user's orders, newest first.
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX orders_user_idempotency_key ON orders (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_items (
  order_id           uuid    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id         uuid    NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
  quantity           integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_amount  integer NOT NULL CHECK (unit_price_amount >= 0),
  PRIMARY KEY (order_id, product_id)
);
-- Product sales and "may this product be deleted": items by product.
CREATE INDEX order_items_product_idx ON order_items (product_id);

CREATE TABLE order_history (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id     uuid         NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  from_status  order_status,
  to_status    order_status NOT NULL,
  changed_at   timestamptz  NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_history_order_idx ON order_history (order_id, id);

CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_type      text        NOT NULL,
  aggregate_type  text        NOT NULL,
  aggregate_id    uuid        NOT NULL,
  payload         jsonb       NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at    timestamptz
);
-- The relay reads only what is left to publish, oldest first.
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- Legal transitions, in one place: the trigger below and the API both use it.
CREATE FUNCTION order_transition_allowed(from_status order_status, to_status order_status) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT (from_status, to_status) IN (
    ('PENDING'::order_status, 'PAID'::order_status),
    ('PENDING', 'CANCELLED'),
    ('PAID', 'SHIPPED'),
    ('PAID', 'CANCELLED'),
    ('SHIPPED', 'DELIVERED')
  )
$$;

CREATE FUNCTION enforce_order_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT order_transition_allowed(OLD.status, NEW.status) THEN
    RAISE EXCEPTION 'an order cannot go from % to %', OLD.status, NEW.status
      USING ERRCODE = 'PSTRN', DETAIL = json_build_object('from', OLD.status, 'to', NEW.status)::text;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_enforce_transition BEFORE UPDATE OF status ON orders
  FOR EACH ROW EXECUTE FUNCTION enforce_order_transition();

CREATE FUNCTION write_outbox(p_event_type text, p_aggregate_type text, p_aggregate_id uuid, p_payload jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload)
  VALUES (p_event_type, p_aggregate_type, p_aggregate_id, p_payload);
END
$$;

-- Audit: every status an order takes, including the first. A cancelled order's
-- items go back in stock here, so it happens however the order is cancelled.
CREATE FUNCTION audit_order_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO order_history (order_id, from_status, to_status) VALUES (NEW.id, NULL, NEW.status);
    PERFORM write_outbox('OrderPlaced', 'Order', NEW.id, jsonb_build_object(
      'orderId', NEW.id, 'userId', NEW.user_id, 'status', NEW.status,
      'total', jsonb_build_object('amount', NEW.total_amount, 'currency', NEW.currency)));
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO order_history (order_id, from_status, to_status) VALUES (NEW.id, OLD.status, NEW.status);
    PERFORM write_outbox('OrderStatusChanged', 'Order', NEW.id, jsonb_build_object(
      'orderId', NEW.id, 'userId', NEW.user_id, 'from', OLD.status, 'to', NEW.status));
    IF NEW.status = 'CANCELLED' THEN
      -- Products locked in id order, as place_order does, so the two cannot deadlock.
      PERFORM 1 FROM products
      WHERE id IN (SELECT product_id FROM order_items WHERE order_id = NEW.id)
      ORDER BY id FOR UPDATE;
      UPDATE products p SET stock = p.stock + i.quantity
      FROM order_items i
      WHERE i.order_id = NEW.id AND p.id = i.product_id;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER orders_audit_status AFTER INSERT OR UPDATE OF status ON orders
  FOR EACH ROW EXECUTE FUNCTION audit_order_status();

-- Orders are born PENDING through place_order and are never deleted (cancel instead);
-- their items change only inside place_order. These guards hold for any writer.
CREATE FUNCTION guard_orders() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'orders are kept for their history; cancel the order instead' USING ERRCODE = 'PSINP';
  END IF;
  IF NEW.status <> 'PENDING' THEN
    RAISE EXCEPTION 'a new order starts PENDING, not %', NEW.status
      USING ERRCODE = 'PSTRN', DETAIL = json_build_object('from', NULL, 'to', NEW.status)::text;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_guard BEFORE INSERT OR DELETE ON orders
  FOR EACH ROW EXECUTE FUNCTION guard_orders();

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

CREATE FUNCTION outbox_product_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM write_outbox('ProductDeleted', 'Product', OLD.id, jsonb_build_object('productId', OLD.id, 'sku', OLD.sku));
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.stock IS DISTINCT FROM OLD.stock THEN
    PERFORM write_outbox('InventoryChanged', 'Product', NEW.id, jsonb_build_object(
      'productId', NEW.id, 'stock', NEW.stock,
      'delta', NEW.stock - CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.stock END));
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.sku, NEW.name, NEW.price_amount, NEW.price_currency)
       IS DISTINCT FROM (OLD.sku, OLD.name, OLD.price_amount, OLD.price_currency) THEN
    PERFORM write_outbox('ProductUpdated', 'Product', NEW.id, jsonb_build_object('productId', NEW.id));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER products_outbox AFTER INSERT OR UPDATE OR DELETE ON products
  FOR EACH ROW EXECUTE FUNCTION outbox_product_events();

CREATE FUNCTION outbox_user_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM write_outbox('UserDeleted', 'User', OLD.id, jsonb_build_object('userId', OLD.id));
  ELSIF (NEW.email, NEW.name) IS DISTINCT FROM (OLD.email, OLD.name) THEN
    PERFORM write_outbox('UserUpdated', 'User', NEW.id, jsonb_build_object('userId', NEW.id));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER users_outbox AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION outbox_user_events();

-- Places an order in the caller's transaction: validates the items, locks the
-- products in id order (so concurrent orders cannot deadlock), checks and
-- decrements stock, and inserts the order and its items at current prices.
-- Concurrent callers queue on the row locks; none can oversell.
CREATE FUNCTION place_order(p_user_id uuid, p_items jsonb, p_idempotency_key text DEFAULT NULL) RETURNS uuid
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

-- Fails unless the order exists and may move from its current status to p_to.
-- A status that does not change is refused too: cancelling twice must not
-- restore the stock twice.
CREATE FUNCTION lock_order_for_transition(p_order_id uuid, p_to order_status) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_status order_status;
BEGIN
  SELECT status INTO v_status FROM orders WHERE id = p_order_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'order % does not exist', p_order_id USING ERRCODE = 'PSNF0';
  END IF;
  IF p_to IS NULL OR NOT coalesce(order_transition_allowed(v_status, p_to), false) THEN
    RAISE EXCEPTION 'an order cannot go from % to %', v_status, p_to
      USING ERRCODE = 'PSTRN', DETAIL = json_build_object('from', v_status, 'to', p_to)::text;
  END IF;
END
$$;

-- Cancels an order in the caller's transaction; the audit trigger puts its
-- items back in stock.
CREATE FUNCTION cancel_order(p_order_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lock_order_for_transition(p_order_id, 'CANCELLED');
  UPDATE orders SET status = 'CANCELLED' WHERE id = p_order_id;
END
$$;

-- Changes an order's status along the legal transitions.
CREATE FUNCTION update_order_status(p_order_id uuid, p_status order_status) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lock_order_for_transition(p_order_id, p_status);
  UPDATE orders SET status = p_status WHERE id = p_order_id;
END
$$;

-- Order count, amount spent (per currency) and last order date per user;
-- cancelled orders do not count.
CREATE VIEW user_order_summary AS
SELECT user_id,
       currency,
       count(*)::integer  AS order_count,
       sum(total_amount)  AS total_spent,
       max(created_at)    AS last_order_at
FROM orders
WHERE status <> 'CANCELLED'
GROUP BY user_id, currency;

-- Units sold and orders per product; cancelled orders do not count.
CREATE VIEW product_sales AS
SELECT i.product_id,
       sum(i.quantity)::integer          AS units_sold,
       count(DISTINCT i.order_id)::integer AS order_count
FROM order_items i
JOIN orders o ON o.id = i.order_id
WHERE o.status <> 'CANCELLED'
GROUP BY i.product_id;
