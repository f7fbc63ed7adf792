// Builds a client's telemetry push as librdkafka and the Java client do: an OTLP
// MetricsData message of gauges, in the schema the broker decodes with.
import { MetricsData } from '../../src/broker/telemetry/otlp-metrics.js';

export function encodeGauges(points: ReadonlyArray<{ name: string; value: number; attributes?: Record<string, string> }>): Buffer {
  const message = MetricsData.fromObject({
    resourceMetrics: [{
      scopeMetrics: [{
        metrics: points.map((p) => ({
          name: p.name,
          gauge: { dataPoints: [{ asDouble: p.value, attributes: Object.entries(p.attributes ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } })) }] },
        })),
      }],
    }],
  });
  return Buffer.from(MetricsData.encode(message).finish());
}
