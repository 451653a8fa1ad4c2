import { connect, type Socket } from 'node:net';

/**
 * Counts the acknowledgements (XACK) of each event by each consumer group, as
 * Redis's MONITOR sees the services send them: a consumer acknowledges an
 * event after its handler ran, so two acknowledgements of one entry by one
 * group mean the event was handled twice in that group (a redelivery).
 */
export async function monitorAcks(url: string, streamKey: string) {
  // A plain socket: MONITOR's stream of lines is simple, and a client library's command queue does not expect it.
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port || 6379), hostname);
  /** group → entry id → acknowledgements. */
  const acks = new Map<string, Map<string, number>>();
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\r\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      // +1700000000.123456 [0 127.0.0.1:5000] "xack" "<key>" "<group>" "<entry id>"
      const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(([, arg]) => arg!);
      if (args[0]?.toLowerCase() !== 'xack' || args[1] !== streamKey) continue;
      const [, , group, ...entries] = args;
      const byEntry = acks.get(group!) ?? new Map<string, number>();
      acks.set(group!, byEntry);
      for (const entry of entries) byEntry.set(entry, (byEntry.get(entry) ?? 0) + 1);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write('MONITOR\r\n');
      resolve();
    });
  });
  socket.on('error', () => undefined);
  return {
    /** For each group, entries of `entryIds` never acknowledged and entries acknowledged more than once. */
    tally(groups: string[], entryIds: string[]) {
      return Object.fromEntries(
        groups.map((group) => {
          const byEntry = acks.get(group) ?? new Map<string, number>();
          const counts = entryIds.map((id) => byEntry.get(id) ?? 0);
          return [
            group,
            {
              events: entryIds.length,
              unacknowledged: counts.filter((n) => n === 0).length,
              handledTwice: counts.filter((n) => n > 1).length,
            },
          ];
        }),
      );
    },
    async dispose() {
      socket.destroy();
    },
  };
}
