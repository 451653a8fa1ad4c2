import { thrownBy } from '@polystore/testing';
import { requireAttributes, requireCategory, requireDescription, requireTags } from '../src/validation.js';

describe('requireDescription', () => {
  it('trims and accepts up to 10000 characters, empty included', () => {
    expect(requireDescription('  Soft cotton.  ')).toBe('Soft cotton.');
    expect(requireDescription('')).toBe('');
    expect(requireDescription('x'.repeat(10_000))).toHaveLength(10_000);
  });

  it('rejects 10001 characters', () => {
    expect(thrownBy(() => requireDescription('x'.repeat(10_001))).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'description',
    });
  });
});

describe('requireCategory', () => {
  it('trims and lower-cases a slug of letters, digits and single dashes', () => {
    expect(requireCategory(' Home-Garden ')).toBe('home-garden');
    expect(requireCategory('tv4k')).toBe('tv4k');
    expect(requireCategory('a'.repeat(64))).toHaveLength(64);
  });

  it.each(['', 'home--garden', '-home', 'home-', 'home garden', 'home_garden', 'maison-été'])('rejects %p', (value) => {
    expect(thrownBy(() => requireCategory(value)).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'category' });
  });

  it('rejects 65 characters', () => {
    expect(thrownBy(() => requireCategory('a'.repeat(65))).extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('requireTags', () => {
  it('trims, lower-cases and removes duplicates, keeping the first order', () => {
    expect(requireTags([' Summer', 'sale', 'SUMMER ', 'Sale', 'new'])).toEqual(['summer', 'sale', 'new']);
    expect(requireTags([])).toEqual([]);
  });

  it('counts the limit of 50 after removing duplicates', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `tag-${i}`);
    expect(requireTags([...fifty, 'TAG-0'])).toHaveLength(50);
    expect(thrownBy(() => requireTags([...fifty, 'tag-50'])).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'tags',
    });
  });

  it.each([
    ['an empty tag', ['ok', '  ']],
    ['a tag of 65 characters', ['t'.repeat(65)]],
  ])('rejects %s', (_case, tags) => {
    expect(thrownBy(() => requireTags(tags)).message).toBe('each tag must have 1 to 64 characters');
  });
});

describe('requireAttributes', () => {
  it('returns the object as given: nested objects, arrays, strings, numbers, booleans, null', () => {
    const attributes = { color: 'red', size: { eu: 42, us: 9.5 }, tags: ['a', { b: true }], discontinued: null };
    expect(requireAttributes(attributes)).toBe(attributes);
  });

  it.each([
    ['null', null],
    ['an array', [{ color: 'red' }]],
    ['a string', 'red'],
    ['a number', 42],
  ])('rejects %s: attributes must be a JSON object', (_case, value) => {
    const error = thrownBy(() => requireAttributes(value));
    expect(error.message).toBe('attributes must be a JSON object');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'attributes' });
  });

  it.each([
    ['an operator', { $where: 'sleep(1000)' }, '$where'],
    ['a nested operator', { size: { $gt: 1 } }, 'size.$gt'],
    ['an operator inside an array', { list: [{ $ne: null }] }, '$ne'],
    ['a dotted path', { 'size.eu': 42 }, 'size.eu'],
    ['an empty key', { '': 1 }, ''],
    ['a NUL byte', { 'a\0b': 1 }, 'a\0b'],
  ])('rejects a key that MongoDB would read as a path or operator: %s', (_case, value, key) => {
    const error = thrownBy(() => requireAttributes(value));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'attributes' });
    // The message names the key with its path.
    expect(error.message).toMatch(/^attribute key ".*" may not be empty, start with \$ or contain a dot$/);
    expect(error.message).toContain(`${key}"`);
  });

  it('accepts 5 levels of nesting and rejects 6', () => {
    expect(requireAttributes({ a: { b: { c: { d: 1 } } } })).toBeDefined();
    expect(thrownBy(() => requireAttributes({ a: { b: { c: { d: { e: 1 } } } } })).message).toBe(
      'attributes nest deeper than 5 levels',
    );
    expect(thrownBy(() => requireAttributes({ a: [[[[1]]]] })).message).toBe('attributes nest deeper than 5 levels');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %p, which JSON cannot carry', (value) => {
    expect(thrownBy(() => requireAttributes({ weight: value })).message).toBe('attribute numbers must be finite');
  });

  it('rejects more than 16 KiB of JSON', () => {
    const fits = { text: 'x'.repeat(16 * 1024 - '{"text":""}'.length) };
    expect(Buffer.byteLength(JSON.stringify(fits))).toBe(16 * 1024);
    expect(requireAttributes(fits)).toBe(fits);
    expect(thrownBy(() => requireAttributes({ text: `${fits.text}x` })).message).toBe('attributes exceed 16384 bytes');
  });
});
