-- Back to the function of 1764000100000: no ProductCreated.
CREATE OR REPLACE FUNCTION outbox_product_events() RETURNS trigger
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
