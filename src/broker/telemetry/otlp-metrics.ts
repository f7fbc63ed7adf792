// The metrics a client pushes (KIP-714): OpenTelemetry's MetricsData protobuf
// (opentelemetry/proto/metrics/v1/metrics.proto), decoded with protobufjs from the part of
// the OTLP schema a Kafka client sends (gauges, sums, histograms' counts and sums, with
// their attributes), and flattened to one value per metric and attribute set.
import protobuf from 'protobufjs';

const KEY_VALUE = { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } };
const ATTRS = { rule: 'repeated', type: 'KeyValue' };

const root = protobuf.Root.fromJSON({
  nested: {
    otlp: {
      nested: {
        MetricsData: { fields: { resourceMetrics: { rule: 'repeated', type: 'ResourceMetrics', id: 1 } } },
        ResourceMetrics: { fields: { resource: { type: 'Resource', id: 1 }, scopeMetrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 } } },
        Resource: { fields: { attributes: { ...ATTRS, id: 1 } } },
        ScopeMetrics: { fields: { metrics: { rule: 'repeated', type: 'Metric', id: 2 } } },
        Metric: {
          oneofs: { data: { oneof: ['gauge', 'sum', 'histogram'] } },
          fields: {
            name: { type: 'string', id: 1 }, unit: { type: 'string', id: 3 },
            gauge: { type: 'Gauge', id: 5 }, sum: { type: 'Sum', id: 7 }, histogram: { type: 'Histogram', id: 9 },
          },
        },
        Gauge: { fields: { dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 } } },
        Sum: { fields: { dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 }, isMonotonic: { type: 'bool', id: 3 } } },
        Histogram: { fields: { dataPoints: { rule: 'repeated', type: 'HistogramDataPoint', id: 1 } } },
        NumberDataPoint: {
          oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
          fields: { attributes: { ...ATTRS, id: 7 }, timeUnixNano: { type: 'fixed64', id: 3 }, asDouble: { type: 'double', id: 4 }, asInt: { type: 'sfixed64', id: 6 } },
        },
        HistogramDataPoint: {
          fields: { attributes: { ...ATTRS, id: 9 }, timeUnixNano: { type: 'fixed64', id: 3 }, count: { type: 'fixed64', id: 4 }, sum: { type: 'double', id: 5 } },
        },
        KeyValue: KEY_VALUE,
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue'] } },
          fields: { stringValue: { type: 'string', id: 1 }, boolValue: { type: 'bool', id: 2 }, intValue: { type: 'int64', id: 3 }, doubleValue: { type: 'double', id: 4 } },
        },
      },
    },
  },
});

/** The MetricsData message type (tests build clients' pushes with it). */
export const MetricsData = root.lookupType('otlp.MetricsData');

/** One value a client reported: the metric (a histogram as `<name>.count` and `<name>.sum`), its attributes, its value. */
export interface MetricPoint {
  name: string;
  /** `key=value` pairs, sorted, comma-separated: the resource's and the point's. */
  attributes: string;
  value: number;
}

interface KeyValue { key: string; value?: { stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number } }
interface NumberPoint { attributes?: KeyValue[]; asDouble?: number; asInt?: number | string }
interface HistogramPoint { attributes?: KeyValue[]; count?: number | string; sum?: number }
interface Decoded {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: Array<{ metrics?: Array<{ name: string; gauge?: { dataPoints?: NumberPoint[] }; sum?: { dataPoints?: NumberPoint[] }; histogram?: { dataPoints?: HistogramPoint[] } }> }>;
  }>;
}

const attrText = (kvs: readonly KeyValue[]): string =>
  kvs.map((kv) => `${kv.key}=${kv.value?.stringValue ?? kv.value?.intValue ?? kv.value?.doubleValue ?? kv.value?.boolValue ?? ''}`).sort().join(',');

/** Decodes a MetricsData message; throws on bytes that are not one. */
export function decodeMetrics(bytes: Buffer): MetricPoint[] {
  const data = MetricsData.toObject(MetricsData.decode(bytes), { longs: Number, defaults: false }) as Decoded;
  const out: MetricPoint[] = [];
  for (const rm of data.resourceMetrics ?? []) {
    const resource = rm.resource?.attributes ?? [];
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        for (const p of [...(m.gauge?.dataPoints ?? []), ...(m.sum?.dataPoints ?? [])]) {
          out.push({ name: m.name, attributes: attrText([...resource, ...(p.attributes ?? [])]), value: Number(p.asDouble ?? p.asInt ?? 0) });
        }
        for (const p of m.histogram?.dataPoints ?? []) {
          const attributes = attrText([...resource, ...(p.attributes ?? [])]);
          out.push({ name: `${m.name}.count`, attributes, value: Number(p.count ?? 0) }, { name: `${m.name}.sum`, attributes, value: p.sum ?? 0 });
        }
      }
    }
  }
  return out;
}
