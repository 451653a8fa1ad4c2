import { CONFIG_VARIABLES, loadConfig } from '@polystore/common';
import { envExample } from './files.js';

describe('.env.example', () => {
  it('lists every variable that loadConfig reads, once, each under a comment', () => {
    expect(CONFIG_VARIABLES.filter((name) => !envExample.names.includes(name))).toEqual([]);
    expect(envExample.names.filter((name, index) => envExample.names.indexOf(name) !== index)).toEqual([]);
    expect(envExample.undocumented).toEqual([]);
  });

  it('lists the variables the tests read', () => {
    const read = ['TEST_DATABASE_URL', 'TEST_REDIS_URL', 'MONGO_URL', 'S3_ENDPOINT'];
    expect(read.filter((name) => !envExample.names.includes(name))).toEqual([]);
    expect(envExample.set.TEST_DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(envExample.set.TEST_REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('shows the defaults of loadConfig, and leaves unset what has no default', () => {
    const known = new Set<string>(CONFIG_VARIABLES);
    const defaults = Object.fromEntries(Object.entries(envExample.set).filter(([name]) => known.has(name)));
    expect(loadConfig(defaults)).toEqual(loadConfig({}));
    // Each commented-out example is a valid value that changes the config: it had no default.
    for (const [name, value] of Object.entries(envExample.commented)) {
      if (known.has(name)) expect(loadConfig({ [name]: value })).not.toEqual(loadConfig({}));
    }
  });
});
