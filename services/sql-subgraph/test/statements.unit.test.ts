import { call } from '../src/db/statements.js';

/** A connection that fails with the given SQLSTATEs, in turn, then answers. */
function failing(...codes: string[]) {
  let calls = 0;
  return {
    calls: () => calls,
    query: async () => {
      const code = codes[calls++];
      if (code) throw Object.assign(new Error(`failed with ${code}`), { code });
      return [{ id: 'o-1' }];
    },
  };
}

describe('a procedure call', () => {
  it('runs again after a deadlock or serialization failure, which rolled it back whole', async () => {
    const db = failing('40P01', '40001');
    await expect(call(db as never, 'SELECT place_order($1)', [])).resolves.toEqual([{ id: 'o-1' }]);
    expect(db.calls()).toBe(3);
  });

  it('gives up after three attempts with SERVICE_UNAVAILABLE', async () => {
    const db = failing('40P01', '40P01', '40P01');
    await expect(call(db as never, 'SELECT place_order($1)', [])).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(db.calls()).toBe(3);
  });

  it('does not repeat a refusal', async () => {
    const db = failing('PSSTK');
    await expect(call(db as never, 'SELECT place_order($1)', [])).rejects.toMatchObject({
      extensions: { code: 'INSUFFICIENT_STOCK' },
    });
    expect(db.calls()).toBe(1);
  });
});
