import { thrownBy } from './support/index.js';
import { isUuid, requireUuid } from '../src/index.js';

const ID = '0b3c1a6e-5f2d-4c8b-9e71-2a4d6f8b0c13';

describe('requireUuid', () => {
  it('returns a UUID as it is', () => {
    expect(requireUuid(ID)).toBe(ID);
  });

  it('accepts an upper-case UUID and lower-cases it, so both spellings find one row', () => {
    expect(requireUuid(ID.toUpperCase())).toBe(ID);
  });

  it.each([
    ['empty', ''],
    ['not hex', 'zb3c1a6e-5f2d-4c8b-9e71-2a4d6f8b0c13'],
    ['without dashes', ID.replaceAll('-', '')],
    ['one character short', ID.slice(1)],
    ['surrounded by spaces', ` ${ID} `],
    ['in braces', `{${ID}}`],
    ['an injection', `${ID}' OR '1'='1`],
  ])('rejects an id that is %s as BAD_USER_INPUT, before any store sees it', (_case, id) => {
    const error = thrownBy(() => requireUuid(id, 'productId'));
    expect(error.message).toBe('productId must be a UUID');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'productId' });
  });

  it('names the argument `id` by default', () => {
    expect(thrownBy(() => requireUuid('42')).extensions.argumentName).toBe('id');
  });
});

describe('isUuid', () => {
  it('tells UUIDs of any case from other strings', () => {
    expect(isUuid(ID)).toBe(true);
    expect(isUuid(ID.toUpperCase())).toBe(true);
    expect(isUuid('42')).toBe(false);
  });
});
