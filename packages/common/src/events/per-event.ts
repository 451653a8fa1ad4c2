/**
 * Work done once per event for every subscriber of it in this process, instead of
 * once per subscriber. The stream's tail reads an event once and hands that one
 * object to every local subscriber (`liveEvents`), so the event itself is the key;
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

/**
 * A subscription's `resolve` that reads what an event names once per event for
 * all its subscribers in this process. Each subscriber then uses that event's
 * fresh loaders: a subscription's context lives as long as the subscription, so
 * the loaders it started with would answer from an old cache.
 *
 * `freshLoaders` makes a request's loaders; `read` resolves the event with them
 * (laying what the event announces over what it reads).
 */
export function resolvePerEvent<Event extends object, Context extends { loaders: unknown }, Result>(
  freshLoaders: (context: Context) => Context['loaders'],
  read: (context: Context, event: Event) => Promise<Result>,
): (event: Event, args: unknown, context: Context) => Promise<Result> {
  const once = oncePerEvent<Event, { loaders: Context['loaders']; result: Promise<Result> }>();
  return (event, _args, context) => {
    const shared = once(event, () => {
      const loaders = freshLoaders(context);
      return { loaders, result: read({ ...context, loaders }, event) };
    });
    context.loaders = shared.loaders;
    return shared.result;
  };
}
