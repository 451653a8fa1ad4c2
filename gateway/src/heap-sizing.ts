import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the gateway's heap grow past its live data before a full
 * collection (GATEWAY_HEAP_GROWING_PERCENT). V8 sizes that room from the
 * machine's memory and the allocation rate, up to four times the live data: a
 * busy gateway with about 90 MiB live held 360 MiB of heap and 470 MiB of RSS.
 * At 50% it holds about 140 MiB of heap, with no hard limit, so it still grows
 * as far as its subscribers need. V8 reads the flag at every collection, so it
 * applies from here on; 0 leaves V8's own sizing.
 */
export function sizeHeap(growingPercent: number): void {
  if (growingPercent > 0) setFlagsFromString(`--heap-growing-percent=${growingPercent}`);
}
