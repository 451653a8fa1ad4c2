import { canonicalJson } from '../src/auth/signature.js';

/**
 * Signatures and response-cache ids are computed over `canonicalJson`, at both
 * ends: its text must not change with the order of keys, nor from one version
 * to the next (a gateway and a subgraph of two versions must still agree).
 */
describe('canonical JSON', () => {
  it('writes the same text as it always has', () => {
    const cases: [unknown, string][] = [
      [undefined, 'null'],
      [null, 'null'],
      ['é"\n', '"é\\"\\n"'],
      [[1, undefined, 'x', null], '[1,null,"x",null]'],
      [
        { b: 1, a: { d: [true, { z: 0, y: undefined, x: 'w' }], c: null } },
        '{"a":{"c":null,"d":[true,{"x":"w","z":0}]},"b":1}',
      ],
      [{ 10: 'ten', 9: 'nine', a: 'a', '00': 'zero' }, '{"00":"zero","10":"ten","9":"nine","a":"a"}'],
      [{ nested: [{ 2: 'b', 1: 'a' }], Z: 1, _: 2, é: 3 }, '{"Z":1,"_":2,"nested":[{"1":"a","2":"b"}],"é":3}'],
      [{ NaN: Number.NaN, inf: Infinity }, '{"NaN":null,"inf":null}'],
    ];
    for (const [value, text] of cases) expect(canonicalJson(value)).toBe(text);
  });

  it('does not depend on the order keys were added in, at any depth', () => {
    const forward = { query: 'q', variables: { representations: [{ __typename: 'P', id: '1' }], first: 5 } };
    const backward = { variables: { first: 5, representations: [{ id: '1', __typename: 'P' }] }, query: 'q' };
    expect(canonicalJson(backward)).toBe(canonicalJson(forward));
    expect(JSON.parse(canonicalJson(backward))).toEqual(forward);
  });
});
