import { register } from 'node:module';
import { loadConfig } from '../config/config.js';
import type { Env } from '../config/env.js';

/**
 * OpenTelemetry for every service, started by its `index.ts` before anything
 * loads a store driver: off (and the SDK not even loaded) unless
 * OTEL_EXPORTER_OTLP_ENDPOINT is set. Incoming HTTP (its W3C `traceparent`
 * joins the gateway's trace), PostgreSQL, MongoDB and Redis calls become
 * spans, sent as OTLP/HTTP JSON to `<endpoint>/v1/traces`.
 *
 * This module imports nothing but the config, so it can run before the
 * drivers load; everything else is imported here, lazily, when tracing is on.
 */
let running: { shutdown(): Promise<void> } | undefined;

export async function startTracing(service: string, env: Env = process.env): Promise<void> {
  const { otlpEndpoint, samplePercent } = loadConfig(env).tracing;
  if (!otlpEndpoint || running) return;

  // Our services are ESM: `ioredis` (CommonJS) imported from ESM escapes require-in-the-middle,
  // so the ESM loader hook is registered too, for the modules the instrumentations ask for only.
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [
    { NodeTracerProvider },
    { OTLPTraceExporter },
    { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    { resourceFromAttributes },
    { registerInstrumentations },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
  ]);
  const { storeInstrumentations } = await import('./instrumentations.js');
  // Traces only (metrics are on /metrics, logs go to stdout): the tracer provider alone,
  // not the NodeSDK, whose package brings every metrics and logs exporter with it.
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplePercent / 100) }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: new URL('/v1/traces', otlpEndpoint).toString() }), {
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  // Async-hooks context and the W3C traceparent propagator, as the NodeSDK sets them.
  provider.register();
  const disableInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: storeInstrumentations(service),
  });
  await waitForAllMessagesAcknowledged();
  running = {
    async shutdown() {
      disableInstrumentations();
      await provider.shutdown();
    },
  };
}

/** Sends the spans still buffered and stops; the last step of a service's teardown. */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
