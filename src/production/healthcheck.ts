/**
 * The dead-man's switch (issue 13): when `HEALTHCHECK_URL` is set, the job pings it at start, on success and on failure,
 * in the Healthchecks.io convention that Cronitor and others accept too: `<url>/start`, `<url>` (success) and
 * `<url>/fail`, each a POST whose body is the job's summary line. A night on which an organization did not run at all
 * then raises the monitor's own alert, without any of our code running.
 *
 * A ping never changes the job's outcome: it is tried three times within about ten seconds, and a ping that still fails
 * is logged as a warning.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Config, Duration, Effect, Option, Schedule } from "effect"
import { ConfigError } from "./errors.js"

export type PingKind = "start" | "success" | "fail"

export interface Healthcheck {
  /** `quick`: one try of two seconds, for the few seconds a stopping machine has left (SIGTERM). */
  readonly ping: (kind: PingKind, body: string, options?: { readonly quick: boolean }) => Effect.Effect<void>
}

/** No URL: nothing is sent, and nothing costs anything. */
const silent: Healthcheck = { ping: () => Effect.void }

const PING_TIMEOUT = Duration.seconds(4)
const PING_RETRIES = Schedule.exponential(Duration.millis(250))
const QUICK_TIMEOUT = Duration.seconds(2)

/** `https://hc-ping.com/<uuid>` + `/start` | `` | `/fail` (a trailing slash on the URL is not doubled). */
export const pingUrl = (base: URL, kind: PingKind): string => {
  const root = base.href.replace(/\/+$/, "")
  return kind === "success" ? root : `${root}/${kind}`
}

const pinging = (base: URL): Healthcheck => ({
  ping: (kind, body, options) =>
    HttpClient.HttpClient.pipe(
      Effect.flatMap((client) =>
        client.execute(HttpClientRequest.post(pingUrl(base, kind)).pipe(HttpClientRequest.bodyText(body)))
      ),
      Effect.flatMap((response) =>
        response.status >= 200 && response.status < 300
          ? Effect.void
          : Effect.fail(new Error(`the monitor answered HTTP ${response.status}`))
      ),
      Effect.scoped,
      Effect.timeout(options?.quick === true ? QUICK_TIMEOUT : PING_TIMEOUT),
      Effect.retry({ schedule: PING_RETRIES, times: options?.quick === true ? 0 : 2 }),
      Effect.provide(FetchHttpClient.layer),
      Effect.catchAll((error) =>
        Effect.logWarning("health check ping failed").pipe(
          Effect.annotateLogs({ ping: kind, url: `${base.origin}/…`, reason: String(error.message) })
        )
      )
    )
})

/** `HEALTHCHECK_URL`: unset means no pings; anything but an http(s) URL is a configuration error (exit 2). */
export const healthcheckFromEnvironment: Effect.Effect<Healthcheck, ConfigError> = Config.option(
  Config.string("HEALTHCHECK_URL")
).pipe(
  Effect.mapError(() => new ConfigError({ problems: ["HEALTHCHECK_URL could not be read"] })),
  Effect.flatMap(
    Option.match({
      onNone: () => Effect.succeed(silent),
      onSome: (text) => {
        const trimmed = text.trim()
        if (trimmed === "") return Effect.succeed(silent)
        const url = URL.canParse(trimmed) ? new URL(trimmed) : undefined
        return url !== undefined && (url.protocol === "https:" || url.protocol === "http:")
          ? Effect.succeed(pinging(url))
          : Effect.fail(
              new ConfigError({
                problems: [`HEALTHCHECK_URL must be an http(s) URL such as https://hc-ping.com/<uuid>`]
              })
            )
      }
    })
  )
)
