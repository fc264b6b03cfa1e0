import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody } from "./http.js"

export interface Ping {
  readonly method: string
  readonly path: string
  readonly body: string
}

/**
 * A health-check endpoint in the Healthchecks.io style, over real HTTP: it records every ping (method, path, body) and
 * answers 200, or `status` when a test wants a monitor that refuses.
 */
export const startHealthMonitor = async (status = 200) => {
  const pings: Array<Ping> = []
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      pings.push({ method: req.method ?? "", path: req.url ?? "", body: body.toString("utf8") })
      res.writeHead(status, { "content-type": "text/plain" })
      res.end("OK")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    pings,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
