import { randomBytes } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody } from "./http.js"

/** What the n-th machine of an organization does: exit with a code after `runMs`, or never start. */
export type MachineBehaviour = { readonly exitCode: number; readonly runMs?: number } | { readonly neverStarts: true }

export interface FakeFlyOptions {
  readonly app: string
  readonly token: string
  /** The behaviour of the `attempt`-th machine (0-based) created for `org`; default: exit 0 after 50 ms. */
  readonly behaviour?: (org: string, attempt: number) => MachineBehaviour
  /** The create rate limit, a token bucket: `burst` tokens, refilled at `perSecond`; a 429 says `retry-after: 1`. */
  readonly createBurst?: number
  readonly createPerSecond?: number
  /** The longest a `/wait` call blocks here, whatever its `timeout` (keeps tests short); then 408. */
  readonly maxWaitMs?: number
  /** Called when a machine's process exits: what a test's stand-in for the job does at its end. */
  readonly onExit?: (env: Readonly<Record<string, string>>, exitCode: number) => Promise<void> | void
}

interface FakeMachine {
  readonly id: string
  readonly name: string
  readonly org: string
  readonly env: Readonly<Record<string, string>>
  readonly rootfsSizeGb: number | undefined
  state: string
  readonly events: Array<{ type: string; status: string; timestamp: number; request?: unknown }>
}

/**
 * A Fly Machines API server over real HTTP for the fleet tests, following the documented API for what the dispatcher
 * uses: create (unique names, the create rate limit answered with 429 and `retry-after`), get, list (with
 * `include_deleted`), wait (`state=stopped`, `timeout`, 408 when it elapses), destroy; machines with `auto_destroy`
 * go created → started → stopped (an `exit` event with the exit code) → destroyed, or stay `failed` if they never start.
 */
export const startFakeFlyMachines = async (options: FakeFlyOptions) => {
  const machines = new Map<string, FakeMachine>()
  const createsByOrg = new Map<string, number>()
  const stats = { creates: 0, rateLimited: 0, maxRunning: 0, unauthorized: 0 }
  const burst = options.createBurst ?? 3
  const perSecond = options.createPerSecond ?? 1
  let tokens = burst
  let refilledAt = Date.now()
  const takeToken = () => {
    const now = Date.now()
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * perSecond)
    refilledAt = now
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
  const running = () => [...machines.values()].filter((m) => m.state === "started").length
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers })
    res.end(JSON.stringify(body))
  }
  const view = (machine: FakeMachine) => ({
    id: machine.id,
    name: machine.name,
    state: machine.state,
    region: "iad",
    instance_id: `01${machine.id.toUpperCase()}`,
    events: [...machine.events].reverse()
  })

  const start = (machine: FakeMachine, behaviour: MachineBehaviour) => {
    if ("neverStarts" in behaviour) {
      machine.state = "failed"
      machine.events.push({ type: "launch", status: "failed", timestamp: Date.now() })
      return
    }
    machine.state = "started"
    machine.events.push({ type: "start", status: "started", timestamp: Date.now() })
    stats.maxRunning = Math.max(stats.maxRunning, running())
    setTimeout(async () => {
      // The process's last step (a job leaves its report) happens before the machine counts as stopped.
      await options.onExit?.(machine.env, behaviour.exitCode)
      machine.state = "stopped"
      machine.events.push({
        type: "exit",
        status: "stopped",
        timestamp: Date.now(),
        request: { exit_event: { exit_code: behaviour.exitCode, oom_killed: false, requested_stop: false } }
      })
      // auto_destroy: gone shortly after it stopped.
      setTimeout(() => {
        machine.state = "destroyed"
        machine.events.push({ type: "destroy", status: "destroyed", timestamp: Date.now() })
      }, 20)
    }, behaviour.runMs ?? 50)
  }

  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const url = new URL(req.url ?? "/", "http://fake")
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        stats.unauthorized++
        return json(res, 401, { error: "unauthorized" })
      }
      const prefix = `/v1/apps/${options.app}/machines`
      if (!url.pathname.startsWith(prefix)) return json(res, 404, { error: "app not found" })
      const rest = url.pathname
        .slice(prefix.length)
        .split("/")
        .filter((part) => part !== "")
      if (rest.length === 0 && req.method === "POST") {
        if (!takeToken()) {
          stats.rateLimited++
          return json(res, 429, { error: "rate limit exceeded" }, { "retry-after": "1" })
        }
        const request = JSON.parse(body.toString("utf8")) as {
          name: string
          config: {
            env: Record<string, string>
            auto_destroy: boolean
            restart: { policy: string }
            guest?: { rootfs_size_gb?: number }
          }
        }
        if ([...machines.values()].some((m) => m.name === request.name)) {
          return json(res, 409, { error: `a machine named ${request.name} already exists` })
        }
        if (request.config.auto_destroy !== true || request.config.restart.policy !== "no") {
          return json(res, 400, { error: "the fleet's machines must be one-shot (auto_destroy, restart no)" })
        }
        const org = request.config.env.ORG_ID ?? "?"
        const attempt = createsByOrg.get(org) ?? 0
        createsByOrg.set(org, attempt + 1)
        stats.creates++
        const machine: FakeMachine = {
          id: randomBytes(7).toString("hex"),
          name: request.name,
          org,
          env: request.config.env,
          rootfsSizeGb: request.config.guest?.rootfs_size_gb,
          state: "created",
          events: [{ type: "launch", status: "created", timestamp: Date.now() }]
        }
        machines.set(machine.id, machine)
        start(machine, options.behaviour?.(org, attempt) ?? { exitCode: 0 })
        return json(res, 200, view(machine))
      }
      if (rest.length === 0 && req.method === "GET") {
        const all = url.searchParams.get("include_deleted") === "true"
        return json(res, 200, [...machines.values()].filter((m) => all || m.state !== "destroyed").map(view))
      }
      const machine = machines.get(rest[0] ?? "")
      if (machine === undefined) return json(res, 404, { error: "machine not found" })
      if (rest.length === 1 && req.method === "GET") return json(res, 200, view(machine))
      if (rest.length === 1 && req.method === "DELETE") {
        machine.state = "destroyed"
        return json(res, 200, { ok: true })
      }
      if (rest[1] === "wait" && req.method === "GET") {
        const timeoutSeconds = Number(url.searchParams.get("timeout") ?? "60")
        if (url.searchParams.get("state") !== "stopped" || !(timeoutSeconds >= 1 && timeoutSeconds <= 60)) {
          return json(res, 400, { error: "this fake waits for state=stopped with a timeout of 1–60 s" })
        }
        const deadline = Date.now() + Math.min(timeoutSeconds * 1000, options.maxWaitMs ?? 500)
        while (Date.now() < deadline) {
          if (machine.state === "stopped" || machine.state === "destroyed") return json(res, 200, { ok: true })
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        return json(res, 408, { error: "deadline_exceeded: machine did not reach state stopped" })
      }
      return json(res, 404, { error: "no such route" })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    createsOf: (org: string) => createsByOrg.get(org) ?? 0,
    machines: () => [...machines.values()],
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
