/**
 * The part of the Fly Machines REST API the fleet dispatcher uses (https://fly.io/docs/machines/api/): create a
 * one-shot machine, wait for it to stop, read its exit code from its events, list machines by name, destroy one.
 * A 429 answer is a typed `RateLimited` carrying the server's `retry-after`, so the caller can wait exactly that long.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Data, Duration, Effect, Option, Schema } from "effect"

export class RateLimited extends Data.TaggedError("RateLimited")<{ readonly retryAfter: Duration.Duration }> {
  override get message(): string {
    return `the Machines API asked to slow down (retry after ${Duration.format(this.retryAfter)})`
  }
}

export class MachinesApiError extends Data.TaggedError("MachinesApiError")<{
  readonly operation: string
  readonly status: number | undefined
  readonly detail: string
}> {
  override get message(): string {
    return `Fly Machines API: ${this.operation} failed${this.status === undefined ? "" : ` (HTTP ${this.status})`}: ${this.detail}`
  }
}

const ExitEvent = Schema.Struct({
  type: Schema.String,
  timestamp: Schema.optional(Schema.Number),
  request: Schema.optional(
    Schema.Struct({
      exit_event: Schema.optional(Schema.Struct({ exit_code: Schema.optional(Schema.Number) }))
    })
  )
})

const MachineJson = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  state: Schema.String,
  region: Schema.optional(Schema.String),
  instance_id: Schema.optional(Schema.String),
  events: Schema.optional(Schema.Array(ExitEvent))
})

export interface Machine {
  readonly id: string
  readonly name: string
  readonly state: string
  /** The exit code of the machine's last exit event, when it has exited. */
  readonly exitCode: number | undefined
}

const toMachine = (json: typeof MachineJson.Type): Machine => {
  const exits = (json.events ?? []).filter((event) => event.type === "exit")
  const last = exits.reduce<(typeof exits)[number] | undefined>(
    (latest, event) => (latest === undefined || (event.timestamp ?? 0) >= (latest.timestamp ?? 0) ? event : latest),
    undefined
  )
  return { id: json.id, name: json.name, state: json.state, exitCode: last?.request?.exit_event?.exit_code }
}

export interface MachineSpec {
  /** Unique in the app: `sched-<org>-<night>-<attempt>` makes a create that was cut short findable again. */
  readonly name: string
  readonly image: string
  readonly env: Readonly<Record<string, string>>
  readonly region: string | undefined
  readonly rootfsSizeGb: number
  readonly cpuKind: string
  readonly cpus: number
  readonly memoryMb: number
}

export interface MachinesApiSettings {
  readonly baseUrl: string
  readonly token: string
  readonly app: string
}

const retryAfterOf = (response: HttpClientResponse.HttpClientResponse): Duration.Duration => {
  const header = Number(response.headers["retry-after"] ?? "1")
  return Duration.seconds(Number.isFinite(header) && header > 0 ? header : 1)
}

export const machinesApi = (settings: MachinesApiSettings) =>
  Effect.gen(function* () {
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest(
        HttpClientRequest.prependUrl(`${settings.baseUrl.replace(/\/+$/, "")}/v1/apps/${settings.app}`)
      ),
      HttpClient.mapRequest(HttpClientRequest.bearerToken(settings.token))
    )

    const call = <A, I>(
      operation: string,
      request: HttpClientRequest.HttpClientRequest,
      schema: Schema.Schema<A, I>
    ): Effect.Effect<A, RateLimited | MachinesApiError> =>
      client.execute(request).pipe(
        Effect.mapError((error) => new MachinesApiError({ operation, status: undefined, detail: error.message })),
        Effect.flatMap((response): Effect.Effect<A, RateLimited | MachinesApiError> => {
          if (response.status === 429) return Effect.fail(new RateLimited({ retryAfter: retryAfterOf(response) }))
          if (response.status >= 300) {
            return Effect.flatMap(
              Effect.orElseSucceed(response.text, () => ""),
              (text) =>
                Effect.fail(new MachinesApiError({ operation, status: response.status, detail: text.slice(0, 300) }))
            )
          }
          return response.json.pipe(
            Effect.flatMap(Schema.decodeUnknown(schema)),
            Effect.mapError(
              (error) => new MachinesApiError({ operation, status: response.status, detail: error.message })
            )
          )
        }),
        Effect.scoped
      )

    return {
      create: (spec: MachineSpec) =>
        call(
          "create machine",
          HttpClientRequest.post("/machines").pipe(
            HttpClientRequest.setBody(
              HttpBody.unsafeJson({
                name: spec.name,
                ...(spec.region === undefined ? {} : { region: spec.region }),
                config: {
                  image: spec.image,
                  env: spec.env,
                  auto_destroy: true,
                  restart: { policy: "no" },
                  guest: {
                    cpu_kind: spec.cpuKind,
                    cpus: spec.cpus,
                    memory_mb: spec.memoryMb,
                    rootfs_size_gb: spec.rootfsSizeGb
                  }
                }
              })
            )
          ),
          MachineJson
        ).pipe(Effect.map(toMachine)),

      /** true when the machine reached `stopped` within `timeoutSeconds` (at most 60), false on the API's 408. */
      waitStopped: (id: string, timeoutSeconds: number) =>
        call(
          "wait for machine",
          HttpClientRequest.get(`/machines/${id}/wait`).pipe(
            HttpClientRequest.setUrlParams({ state: "stopped", timeout: String(timeoutSeconds) })
          ),
          Schema.Struct({ ok: Schema.optional(Schema.Boolean) })
        ).pipe(
          Effect.as(true),
          Effect.catchIf(
            (error) => error._tag === "MachinesApiError" && error.status === 408,
            () => Effect.succeed(false)
          )
        ),

      get: (id: string) =>
        call("get machine", HttpClientRequest.get(`/machines/${id}`), MachineJson).pipe(Effect.map(toMachine)),

      /** The machine of that name, if the app has or had one (a create whose answer was lost; it may be gone since). */
      findByName: (name: string) =>
        call(
          "list machines",
          HttpClientRequest.get("/machines").pipe(HttpClientRequest.setUrlParams({ include_deleted: "true" })),
          Schema.Array(MachineJson)
        ).pipe(
          Effect.map((machines) => Option.map(Option.fromNullable(machines.find((m) => m.name === name)), toMachine))
        ),

      destroy: (id: string) =>
        call(
          "destroy machine",
          HttpClientRequest.del(`/machines/${id}`).pipe(HttpClientRequest.setUrlParams({ force: "true" })),
          Schema.Unknown
        ).pipe(Effect.asVoid)
    }
  })

export type MachinesApi = Effect.Effect.Success<ReturnType<typeof machinesApi>>
