import { createHash } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody } from "./http.js"

/**
 * A small S3 server for tests: path-style GetObject and PutObject with the conditional-write headers, in memory.
 * No installable S3 emulator here enforces `If-Match` / `If-None-Match` on PutObject the way S3 does, so this one
 * implements exactly that subset (and does not check request signatures).
 */
export const startFakeS3 = async () => {
  const objects = new Map<string, { readonly body: Buffer; readonly etag: string }>()
  const error = (res: ServerResponse, status: number, code: string) => {
    res.writeHead(status, { "content-type": "application/xml" })
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`)
  }
  const server = createServer(async (req, res) => {
    const key = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname.slice(1))
    const existing = objects.get(key)
    if (req.method === "GET") {
      if (existing === undefined) return error(res, 404, "NoSuchKey")
      res.writeHead(200, { etag: existing.etag, "content-length": existing.body.length })
      return res.end(existing.body)
    }
    if (req.method === "PUT") {
      const body = await readBody(req)
      const ifMatch = req.headers["if-match"]
      const ifNoneMatch = req.headers["if-none-match"]
      if (ifNoneMatch === "*" && existing !== undefined) return error(res, 412, "PreconditionFailed")
      if (ifMatch !== undefined && existing === undefined) return error(res, 404, "NoSuchKey")
      if (ifMatch !== undefined && existing !== undefined && ifMatch !== existing.etag)
        return error(res, 412, "PreconditionFailed")
      const etag = `"${createHash("md5")
        .update(body)
        .update(String(Date.now() + Math.random()))
        .digest("hex")}"`
      objects.set(key, { body, etag })
      res.writeHead(200, { etag })
      return res.end()
    }
    return error(res, 405, "MethodNotAllowed")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
