import { useOpenTelemetry } from '@graphql-hive/plugin-opentelemetry';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';

/**
 * OpenTelemetry traces by the runtime's own plugin, when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set (the SDK is started by `startTracing` in `index.ts`): a span for each HTTP
 * request, its GraphQL phases (parse, validate, execute) and each subgraph call,
 * whose W3C `traceparent` header carries the trace into the subgraph. A client's
 * own `traceparent` is joined. Off, it is absent and costs nothing.
 */
export function useTracing({ otlpEndpoint }: { otlpEndpoint?: string | undefined }): GatewayPlugin | undefined {
  if (!otlpEndpoint) return undefined;
  return useOpenTelemetry({ traces: true }) as GatewayPlugin;
}
