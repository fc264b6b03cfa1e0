/**
 * Traces and metrics of the production job over OTLP/HTTP (issue 13), with `@effect/opentelemetry`'s own exporter:
 * the job's span and one span per phase (plus the `Effect.fn` spans of the run inside them), and the metrics of
 * metrics.ts.
 * Configured by the standard OpenTelemetry variables; with `OTEL_EXPORTER_OTLP_ENDPOINT` unset nothing is set up and
 * nothing is sent. The exporter's scope closes before the process exits, which flushes what is buffered.
 */

import * as OtlpMetrics from "@effect/opentelemetry/OtlpMetrics"
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Config, Duration, Effect, Layer, Option } from "effect"
import { ConfigError } from "./errors.js"

export interface TelemetrySettings {
  readonly endpoint: string
  readonly serviceName: string
  readonly headers: Readonly<Record<string, string>>
  readonly attributes: Readonly<Record<string, string>>
}

/** `key1=value1,key2=value2` with URL-encoded values (the OTEL_EXPORTER_OTLP_HEADERS / OTEL_RESOURCE_ATTRIBUTES form). */
export const parseKeyValues = (text: string): Readonly<Record<string, string>> | undefined => {
  const result: Record<string, string> = {}
  for (const pair of text.split(",")) {
    if (pair.trim() === "") continue
    const at = pair.indexOf("=")
    if (at <= 0) return undefined
    try {
      result[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim())
    } catch {
      return undefined
    }
  }
  return result
}

const optionalText = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map(Option.flatMap((text) => (text.trim() === "" ? Option.none() : Option.some(text.trim()))))
  )

/** The standard variables; `undefined` when `OTEL_EXPORTER_OTLP_ENDPOINT` is unset (telemetry off). */
export const telemetryFromEnvironment: Effect.Effect<TelemetrySettings | undefined, ConfigError> = Effect.gen(
  function* () {
    const read = Config.all({
      endpoint: optionalText("OTEL_EXPORTER_OTLP_ENDPOINT"),
      serviceName: optionalText("OTEL_SERVICE_NAME"),
      headers: optionalText("OTEL_EXPORTER_OTLP_HEADERS"),
      attributes: optionalText("OTEL_RESOURCE_ATTRIBUTES")
    })
    const values = yield* Effect.mapError(read, () => new ConfigError({ problems: ["OTEL_* could not be read"] }))
    if (Option.isNone(values.endpoint)) return undefined
    const problems: Array<string> = []
    const endpoint = values.endpoint.value.replace(/\/+$/, "")
    if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
      problems.push("OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as https://api.honeycomb.io")
    }
    const pairs = (name: string, value: Option.Option<string>) => {
      const parsed = Option.match(value, { onNone: () => ({}), onSome: parseKeyValues })
      if (parsed === undefined) problems.push(`${name} must be key=value pairs separated by commas`)
      return parsed ?? {}
    }
    const headers = pairs("OTEL_EXPORTER_OTLP_HEADERS", values.headers)
    const attributes = pairs("OTEL_RESOURCE_ATTRIBUTES", values.attributes)
    if (problems.length > 0) return yield* new ConfigError({ problems })
    return {
      endpoint,
      serviceName: Option.getOrElse(values.serviceName, () => "email-scheduler"),
      headers,
      attributes
    }
  }
)

/** The OTLP/HTTP (JSON) exporters of traces and metrics (logs stay JSON lines on stdout), or nothing at all. */
export const telemetryLayer = (settings: TelemetrySettings | undefined): Layer.Layer<never> => {
  if (settings === undefined) return Layer.empty
  const common = {
    resource: { serviceName: settings.serviceName, attributes: settings.attributes },
    headers: settings.headers,
    // A short job: give the final flush a few seconds at most.
    shutdownTimeout: Duration.seconds(5)
  }
  return Layer.mergeAll(
    OtlpTracer.layer({ ...common, url: `${settings.endpoint}/v1/traces`, exportInterval: Duration.seconds(2) }),
    OtlpMetrics.layer({ ...common, url: `${settings.endpoint}/v1/metrics`, exportInterval: Duration.seconds(5) })
  ).pipe(Layer.provide(Layer.merge(FetchHttpClient.layer, OtlpSerialization.layerJson)))
}
