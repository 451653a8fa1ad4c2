import { badUserInput } from '@polystore/common';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;

export function normalizeEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badUserInput('email is not a valid address', { field: 'email' });
  return email;
}

export function requireName(value: string, field = 'name'): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 200) throw badUserInput(`${field} must have 1 to 200 characters`, { field });
  return name;
}

export function requireSku(value: string): string {
  const sku = value.trim();
  if (!SKU.test(sku)) {
    throw badUserInput('sku must be 1 to 64 letters, digits, ".", "-" or "_", starting with a letter or digit', {
      field: 'sku',
    });
  }
  return sku;
}

export function requireMoney(amount: number, currency: string): { amount: number; currency: string } {
  if (!Number.isInteger(amount) || amount < 0)
    throw badUserInput('price.amount must be 0 or more minor units', { field: 'price.amount' });
  const code = currency.trim().toUpperCase();
  if (!CURRENCY.test(code))
    throw badUserInput('price.currency must be an ISO-4217 code such as USD', { field: 'price.currency' });
  return { amount, currency: code };
}

export function requireIntInRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(`${field} must be a whole number from ${min} to ${max}`, { field });
  }
  return value;
}
