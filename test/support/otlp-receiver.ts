import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody } from "./http.js"

interface KeyValue {
  readonly key: string
  readonly value: { readonly stringValue?: string; readonly intValue?: string | number; readonly doubleValue?: number }
}
export interface ReceivedSpan {
  readonly name: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly attributes: Readonly<Record<string, string>>
  readonly resource: Readonly<Record<string, string>>
}
export interface ReceivedPoint {
  readonly metric: string
  readonly attributes: Readonly<Record<string, string>>
  readonly value: number | undefined
  readonly count: number | undefined
}

const flat = (attributes: ReadonlyArray<KeyValue> | undefined): Record<string, string> =>
  Object.fromEntries(
    (attributes ?? []).map(({ key, value }) => [
      key,
      String(value.stringValue ?? value.intValue ?? value.doubleValue ?? JSON.stringify(value))
    ])
  )

/**
 * An OTLP/HTTP receiver over real HTTP, for the JSON encoding the exporter sends: it keeps every export request of
 * `/v1/traces`, `/v1/metrics` and `/v1/logs` with its headers, and flattens spans and metric points for assertions.
 */
export const startOtlpReceiver = async () => {
  const requests: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: unknown }> = []
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const text = body.toString("utf8")
      requests.push({ path: req.url ?? "", headers: req.headers, body: text === "" ? undefined : JSON.parse(text) })
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  type Body = {
    resourceSpans?: Array<{
      resource?: { attributes?: Array<KeyValue> }
      scopeSpans?: Array<{ spans?: Array<ReceivedSpan & { attributes?: Array<KeyValue> }> }>
    }>
    resourceMetrics?: Array<{
      scopeMetrics?: Array<{
        metrics?: Array<{
          name: string
          [kind: string]: unknown
        }>
      }>
    }>
  }
  const bodies = (path: string) => requests.filter((r) => r.path === path).map((r) => r.body as Body)
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    spans: (): ReadonlyArray<ReceivedSpan> =>
      bodies("/v1/traces").flatMap((body) =>
        (body.resourceSpans ?? []).flatMap((resourceSpan) =>
          (resourceSpan.scopeSpans ?? []).flatMap((scope) =>
            (scope.spans ?? []).map((span) => ({
              name: span.name,
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              attributes: flat(span.attributes as unknown as ReadonlyArray<KeyValue>),
              resource: flat(resourceSpan.resource?.attributes)
            }))
          )
        )
      ),
    points: (): ReadonlyArray<ReceivedPoint> =>
      bodies("/v1/metrics").flatMap((body) =>
        (body.resourceMetrics ?? []).flatMap((resourceMetric) =>
          (resourceMetric.scopeMetrics ?? []).flatMap((scope) =>
            (scope.metrics ?? []).flatMap((metric) => {
              const data = (metric.sum ?? metric.gauge ?? metric.histogram) as
                | {
                    dataPoints?: Array<{
                      attributes?: Array<KeyValue>
                      asInt?: string | number
                      asDouble?: number
                      count?: string | number
                    }>
                  }
                | undefined
              return (data?.dataPoints ?? []).map((point) => ({
                metric: metric.name,
                attributes: flat(point.attributes),
                value: point.asDouble ?? (point.asInt === undefined ? undefined : Number(point.asInt)),
                count: point.count === undefined ? undefined : Number(point.count)
              }))
            })
          )
        )
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
