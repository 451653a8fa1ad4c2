import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/** Only GraphQL requests start or join a trace; probes and scrapes would drown them. */
const isProbe = (request: IncomingMessage) => (request.url ?? '/').split('?')[0] !== '/graphql';

/**
 * The drivers we trace, and nothing else (not the auto-instrumentations
 * bundle): store calls only inside a traced request, so the outbox relay's
 * and consumers' polling does not make a trace of its own every few ms.
 *
 * The gateway leaves HTTP to the runtime's OpenTelemetry plugin, which
 * traces each request, its phases and each subgraph call.
 */
export function storeInstrumentations(service: string): Instrumentation[] {
  const stores: Instrumentation[] = [
    new PgInstrumentation({ requireParentSpan: true }),
    new MongoDBInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
  if (service === 'gateway') return stores;
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: isProbe,
      // Outgoing calls (S3, another subgraph) only as part of a request.
      requireParentforOutgoingSpans: true,
    }),
    ...stores,
  ];
}
