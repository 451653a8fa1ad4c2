/**
 * Work done once per event for every subscriber of it in this process, instead of
 * once per subscriber. The pub/sub parses a message once and hands that one
 * payload object to every local subscriber, so the payload itself is the key;
 * entries go with the payload when the last subscriber is done with it.
 *
 * A subscription's resolver uses it to read the entity an event names: with 10k
 * subscribers, one read per event instead of 10k reads of the same row.
 */
export function oncePerEvent<Event extends object, Result>(): (event: Event, work: () => Result) => Result {
  const results = new WeakMap<Event, Result>();
  return (event, work) => {
    if (!results.has(event)) results.set(event, work());
    return results.get(event)!;
  };
}
