import { thrownBy } from '@polystore/testing';
import { normalizeEmail, requireIntInRange, requireMoney, requireName, requireSku } from '../src/validation.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases, so one address cannot be registered twice by case', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });

  it.each(['', 'ada', 'ada@', '@example.com', 'ada@example', 'ada lovelace@example.com', 'ada@@example.com'])(
    'rejects %p as BAD_USER_INPUT on the email field',
    (value) => {
      const error = thrownBy(() => normalizeEmail(value));
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
      expect(error.message).toBe('email is not a valid address');
    },
  );

  it('accepts 254 characters and rejects 255', () => {
    const address = (length: number) => `${'a'.repeat(length - '@example.com'.length)}@example.com`;
    expect(normalizeEmail(address(254))).toHaveLength(254);
    expect(thrownBy(() => normalizeEmail(address(255))).extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('requireName', () => {
  it('trims and accepts 1 to 200 characters', () => {
    expect(requireName('  Ada  ')).toBe('Ada');
    expect(requireName('x')).toBe('x');
    expect(requireName('x'.repeat(200))).toHaveLength(200);
  });

  it.each([
    ['nothing', ''],
    ['only spaces', '   '],
    ['201 characters', 'x'.repeat(201)],
  ])('rejects %s', (_case, value) => {
    expect(thrownBy(() => requireName(value)).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('names the field it checks', () => {
    const error = thrownBy(() => requireName(' ', 'product.name'));
    expect(error.message).toBe('product.name must have 1 to 200 characters');
    expect(error.extensions.field).toBe('product.name');
  });
});

describe('requireSku', () => {
  it('trims and accepts letters, digits, ".", "-" and "_" after a letter or digit', () => {
    expect(requireSku(' ab-1.C_2 ')).toBe('ab-1.C_2');
    expect(requireSku('7')).toBe('7');
    expect(requireSku('A'.repeat(64))).toHaveLength(64);
  });

  it.each(['', '-abc', '.abc', '_abc', 'ab c', 'ab/c', 'äbc'])('rejects %p', (value) => {
    expect(thrownBy(() => requireSku(value)).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'sku' });
  });

  it('rejects 65 characters', () => {
    expect(thrownBy(() => requireSku('A'.repeat(65))).extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('requireMoney', () => {
  it('takes whole minor units from 0 and upper-cases the currency', () => {
    expect(requireMoney(0, 'usd')).toEqual({ amount: 0, currency: 'USD' });
    expect(requireMoney(1999, ' eur ')).toEqual({ amount: 1999, currency: 'EUR' });
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects the amount %p', (amount) => {
    expect(thrownBy(() => requireMoney(amount, 'USD')).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'price.amount',
    });
  });

  it.each(['', 'US', 'USDX', 'U5D', '€'])('rejects the currency %p', (currency) => {
    expect(thrownBy(() => requireMoney(100, currency)).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'price.currency',
    });
  });
});

describe('requireIntInRange', () => {
  it('accepts whole numbers within the bounds, both included', () => {
    expect(requireIntInRange(1, 'quantity', 1, 10)).toBe(1);
    expect(requireIntInRange(10, 'quantity', 1, 10)).toBe(10);
  });

  it.each([0, 11, 2.5, Number.NaN])('rejects %p with the range in the message', (value) => {
    const error = thrownBy(() => requireIntInRange(value, 'quantity', 1, 10));
    expect(error.message).toBe('quantity must be a whole number from 1 to 10');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'quantity' });
  });
});
