import type { ExecutionArgs, ExecutionResult } from 'graphql';
import WebSocket from 'ws';

/**
 * Bytes a client may leave unsent beyond its socket's kernel buffer before its
 * subscription is ended (it is not reading): what a stalled subscriber can hold
 * of the gateway's memory, about what 10,000 queued events held before.
 */
export const MAX_UNSENT_BYTES = 256 * 1024;

/** Each result's graphql-ws `next` payload, made once for every client it goes to. */
const payloads = new WeakMap<object, string>();

/** The payload graphql-ws sends for a result (`JSON.stringify` writes each error by its `toJSON`). */
function payloadOf(result: ExecutionResult): string {
  let payload = payloads.get(result);
  if (payload === undefined) {
    payload = JSON.stringify(result);
    payloads.set(result, payload);
  }
  return payload;
}

/**
 * The events of a shared subscription written to each client's socket as
 * they come, in one turn for all of them, instead of each client's stream
 * being read and each event serialised for it by graphql-ws: the payload is
 * serialised once per event for every identical subscriber, and a delivery
 * costs the socket write. The message is graphql-ws's own `next`
 * (`{"id","type":"next","payload"}`); graphql-ws still runs the subscription
 * (its start, `complete`, errors and the client leaving). A client whose socket
 * holds more than MAX_UNSENT_BYTES unsent is ended as one not reading.
 */
export function directDelivery() {
  const ids = new WeakMap<object, string>();
  return {
    /** Records the client's id for these `args` (graphql-ws `onSubscribe`). */
    remember(args: ExecutionArgs, id: string): ExecutionArgs {
      ids.set(args, id);
      return args;
    },
    /** Writes one result to the client of `args`; undefined when its socket or id is not known. */
    sinkFor(args: ExecutionArgs): ((result: ExecutionResult) => boolean) | undefined {
      const id = ids.get(args);
      const socket = (args.contextValue as { socket?: unknown } | undefined)?.socket;
      if (id === undefined || !(socket instanceof WebSocket)) return undefined;
      const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
      return (result) => {
        // Closing: graphql-ws ends the subscription when the socket has closed.
        if (socket.readyState !== WebSocket.OPEN) return true;
        if (socket.bufferedAmount > MAX_UNSENT_BYTES) return false;
        socket.send(`${head}${payloadOf(result)}}`);
        return true;
      };
    },
  };
}
