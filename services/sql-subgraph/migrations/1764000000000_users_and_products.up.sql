-- Accounts and the product core. Constraints live here so they hold for
-- every writer, not only the API.

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TABLE users (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email       text        NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
  name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
-- Keyset pagination orders by (created_at, id); created_at is kept to the
-- millisecond so a cursor that went through a JavaScript Date still matches.
CREATE INDEX users_created_at_id_idx ON users (created_at, id);
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE products (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  sku             text        NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name            text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  price_amount    integer     NOT NULL CHECK (price_amount >= 0),
  price_currency  text        NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),
  stock           integer     NOT NULL DEFAULT 0 CHECK (stock >= 0),
  created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX products_sku_key ON products (sku);
CREATE INDEX products_created_at_id_idx ON products (created_at, id);
CREATE TRIGGER products_set_updated_at BEFORE UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
