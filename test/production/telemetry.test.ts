import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { parseKeyValues, telemetryFromEnvironment, telemetryLayer } from "../../src/production/telemetry.js"
import { useTempDir } from "../support/files.js"
import { withServer } from "../support/http.js"
import { directoryJob, runJob, seededStore } from "../support/job.js"
import { startOtlpReceiver } from "../support/otlp-receiver.js"

const dir = useTempDir("telemetry")

const seededJob = (name: string, extra: Record<string, string>) =>
  Effect.flatMap(seededStore(dir, name), (storeDir) => runJob(directoryJob(dir, storeDir, extra)))

describe("telemetry over OTLP/HTTP (issue 13; an in-repo receiver over real HTTP)", () => {
  it("reads the OTEL_* key=value lists, URL-decoded, and refuses malformed ones", () => {
    assert.deepStrictEqual(parseKeyValues("x-honeycomb-team=abc%3D%3D, x-dataset=nightly"), {
      "x-honeycomb-team": "abc==",
      "x-dataset": "nightly"
    })
    assert.deepStrictEqual(parseKeyValues(""), {})
    assert.isUndefined(parseKeyValues("no-equals-sign"))
  })

  it.effect("the job's span, its phases' spans and its metrics arrive, flushed before the process exits", () =>
    withServer(startOtlpReceiver, (receiver) =>
      Effect.gen(function* () {
        const result = yield* seededJob("traced", {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=k%20ey",
          OTEL_SERVICE_NAME: "scheduler-test",
          OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test"
        })
        assert.strictEqual(result.code, 0, result.stdout)
        assert.isTrue(
          receiver.requests.every((request) => request.headers["x-api-key"] === "k ey"),
          "the headers go with every export"
        )
        const spans = receiver.spans()
        const root = spans.find((span) => span.name === "email-scheduler job")
        assert.isDefined(root, spans.map((span) => span.name).join(", "))
        assert.strictEqual(root!.attributes.org, "acme")
        assert.match(root!.attributes.runId ?? "", /^run_/)
        assert.strictEqual(root!.attributes.exitCode, "0")
        assert.strictEqual(root!.resource["service.name"], "scheduler-test")
        assert.strictEqual(root!.resource["deployment.environment"], "test")
        const phases = spans.filter((span) => span.name.startsWith("phase ")).map((span) => span.attributes.phase)
        assert.includeMembers(phases, ["pull", "schedule", "snapshot", "push"])
        for (const span of spans.filter((span) => span.name.startsWith("phase "))) {
          assert.strictEqual(span.traceId, root!.traceId, "one trace per job")
        }
        assert.isTrue(
          spans.some((span) => span.name === "Scheduler.runOnce" && span.traceId === root!.traceId),
          "the run's own spans are in the job's trace"
        )
        const points = receiver.points()
        const metric = (name: string) => points.filter((point) => point.metric === name)
        assert.includeMembers(
          metric("email_scheduler.phase.duration").map((point) => point.attributes.phase),
          ["pull", "schedule", "push"]
        )
        assert.strictEqual(metric("email_scheduler.contacts").at(-1)?.value, 300)
        assert.isAbove(
          metric("email_scheduler.rows").find((point) => point.attributes.change === "inserted")?.value ?? 0,
          0
        )
        assert.strictEqual(metric("email_scheduler.exit_code").at(-1)?.value, 0)
      })
    )
  )

  it.effect("a failing job's exit code is in its span and its metric", () =>
    withServer(startOtlpReceiver, (receiver) =>
      Effect.gen(function* () {
        const result = yield* runJob(
          directoryJob(dir, join(dir, "store-missing"), { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint })
        )
        assert.strictEqual(result.code, 4, result.stdout)
        const root = receiver.spans().find((span) => span.name === "email-scheduler job")
        assert.strictEqual(root?.attributes.exitCode, "4")
        assert.strictEqual(root?.attributes.error, "SyncError")
        assert.strictEqual(
          receiver
            .points()
            .filter((point) => point.metric === "email_scheduler.exit_code")
            .at(-1)?.value,
          4
        )
      })
    )
  )

  it.effect("an OTLP endpoint that is down changes nothing: the job succeeds, the final flush gives up in 5 s", () =>
    Effect.gen(function* () {
      const started = Date.now()
      // Port 9 (discard) is closed here: every export is refused.
      const result = yield* seededJob("endpoint-down", { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" })
      assert.strictEqual(result.code, 0, result.stdout)
      assert.include(result.stdout, "run succeeded")
      assert.isBelow(Date.now() - started, 30_000)
    })
  )

  it.effect("with OTEL_EXPORTER_OTLP_ENDPOINT unset there is no exporter at all, whatever else is set", () =>
    Effect.gen(function* () {
      const settings = yield* telemetryFromEnvironment.pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([
              ["OTEL_SERVICE_NAME", "x"],
              ["OTEL_EXPORTER_OTLP_HEADERS", "a=b"]
            ])
          )
        )
      )
      assert.isUndefined(settings)
      assert.strictEqual(telemetryLayer(settings), Layer.empty)
      const wrong = yield* Effect.flip(
        telemetryFromEnvironment.pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"]]))
          )
        )
      )
      assert.include(wrong.message, "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL")
    })
  )
})
