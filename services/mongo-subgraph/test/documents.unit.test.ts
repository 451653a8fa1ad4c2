import { thrownBy } from '@polystore/testing';
import type { CategoryDocument } from '../src/models.js';
import { reviewIdOf, reviewObjectId } from '../src/review-id.js';
import { attributeConditions, searchWords } from '../src/search.js';
import { requireAttributeDefinitions, requireAttributesOf, requireRating } from '../src/validation.js';

const laptops: CategoryDocument = {
  slug: 'laptops',
  name: 'Laptops',
  updatedAt: new Date(0),
  attributes: requireAttributeDefinitions([
    { name: 'cpu', type: 'STRING', required: true },
    { name: 'ramGb', type: 'INT', required: true },
    { name: 'weightKg', type: 'FLOAT' },
    { name: 'touch', type: 'BOOLEAN' },
    { name: 'colour', type: 'ENUM', values: ['black', 'silver'] },
    { name: 'ports', type: 'STRING_LIST' },
    { name: 'layouts', type: 'ENUM_LIST', values: ['US', 'DE'] },
  ]),
};

describe('requireAttributesOf', () => {
  it('accepts values of every type, optional ones left out', () => {
    const attributes = {
      cpu: 'M3',
      ramGb: 16,
      weightKg: 1.2,
      touch: false,
      colour: 'silver',
      ports: ['usb-c'],
      layouts: ['US', 'DE'],
    };
    expect(requireAttributesOf(laptops, attributes)).toBe(attributes);
    expect(requireAttributesOf(laptops, { cpu: 'M3', ramGb: 8 })).toEqual({ cpu: 'M3', ramGb: 8 });
  });

  it.each([
    [{ ramGb: 8 }, 'cpu'],
    [{ cpu: 'M3', ramGb: 8.5 }, 'ramGb'],
    [{ cpu: 'M3', ramGb: '8' }, 'ramGb'],
    [{ cpu: 'M3', ramGb: 8, weightKg: 'heavy' }, 'weightKg'],
    [{ cpu: 'M3', ramGb: 8, touch: 'yes' }, 'touch'],
    [{ cpu: 'M3', ramGb: 8, colour: 'gold' }, 'colour'],
    [{ cpu: 'M3', ramGb: 8, ports: 'usb-c' }, 'ports'],
    [{ cpu: 'M3', ramGb: 8, layouts: ['FR'] }, 'layouts'],
    [{ cpu: 'M3', ramGb: 8, gpu: 'RTX' }, 'gpu'],
  ])('rejects %j naming %s', (attributes, attribute) => {
    expect(thrownBy(() => requireAttributesOf(laptops, attributes)).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      attribute,
    });
  });
});

describe('requireAttributeDefinitions', () => {
  it.each([
    [[{ name: '$x', type: 'STRING' as const }]],
    [[{ name: 'a.b', type: 'STRING' as const }]],
    [[{ name: '1st', type: 'STRING' as const }]],
    [[{ name: 'e', type: 'ENUM' as const }]],
    [[{ name: 'i', type: 'INT' as const, values: ['1'] }]],
  ])('rejects %j', (definitions) => {
    expect(thrownBy(() => requireAttributeDefinitions(definitions)).extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('search filters', () => {
  it('builds attribute conditions from names and scalar values only', () => {
    expect(
      attributeConditions([
        { name: 'ramGb', gte: 16, lt: 64 },
        { name: 'cpu', eq: 'M3' },
      ]),
    ).toEqual({
      'attributes.ramGb': { $gte: 16, $lt: 64 },
      'attributes.cpu': 'M3',
    });
    for (const filter of [
      { name: '$where', eq: 'x' },
      { name: 'a.b', eq: 1 },
      { name: 'cpu', eq: { $gt: '' } },
      { name: 'cpu', eq: ['M3'] },
      { name: 'cpu' },
    ]) {
      expect(thrownBy(() => attributeConditions([filter])).extensions!.code).toBe('BAD_USER_INPUT');
    }
  });

  it('splits text into at most 10 distinct lower-case words', () => {
    expect(searchWords('  Rain  rain JACKET ')).toEqual(['rain', 'jacket']);
    expect(searchWords(null)).toEqual([]);
    expect(thrownBy(() => searchWords('a b c d e f g h i j k')).extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('review identity', () => {
  it('is one UUID per (product, user), whatever the case, whose first 12 bytes are the _id', () => {
    const productId = '0b6f2a52-5b1c-4d3e-9f00-000000000001';
    const userId = '0b6f2a52-5b1c-4d3e-9f00-000000000002';
    const id = reviewIdOf(productId, userId);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reviewIdOf(productId.toUpperCase(), userId)).toBe(id);
    expect(reviewIdOf(userId, productId)).not.toBe(id);
    expect(reviewObjectId(id).toHexString()).toBe(id.replaceAll('-', '').slice(0, 24));
  });

  it('accepts ratings 1 to 5 only', () => {
    expect(requireRating(1)).toBe(1);
    expect(requireRating(5)).toBe(5);
    for (const rating of [0, 6, 2.5])
      expect(thrownBy(() => requireRating(rating)).extensions!.code).toBe('BAD_USER_INPUT');
  });
});
