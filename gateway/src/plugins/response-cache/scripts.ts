/**
 * The response store's two Lua scripts (`redis-store.ts`). Each runs
 * atomically in Redis, which is what makes the freshness check hold: nothing
 * can invalidate between the check and the write.
 */

/**
 * Stores one answer unless an entity in it was invalidated after its execution began.
 * KEYS: the response key, then per entity its response set and its invalidation stamp.
 * ARGV: the answer (JSON), its TTL in ms, the counter value read when execution began, the response id.
 * Returns 1 when stored, 0 when refused.
 */
export const STORE_SCRIPT = `
local started = tonumber(ARGV[3])
for i = 2, #KEYS, 2 do
  local stamp = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  if stamp > started then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, #KEYS, 2 do
  redis.call('SADD', KEYS[i], ARGV[4])
  -- A new set gets this response's lifetime; an existing one only ever lengthens (Redis 7).
  redis.call('PEXPIRE', KEYS[i], ARGV[2], 'NX')
  redis.call('PEXPIRE', KEYS[i], ARGV[2], 'GT')
end
return 1
`;

/**
 * Drops every response holding one of the entities, and stamps each entity with a new counter value.
 * KEYS: the counter, then per entity its response set and its invalidation stamp.
 * ARGV: how long stamps are kept (ms), the response key prefix.
 */
export const INVALIDATE_SCRIPT = `
local now = redis.call('INCR', KEYS[1])
for i = 2, #KEYS, 2 do
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    redis.call('DEL', ARGV[2] .. id)
  end
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[i + 1], now, 'PX', ARGV[1])
end
return now
`;
