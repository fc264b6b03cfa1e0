import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody } from "./http.js"

/**
 * A small Google Cloud Storage JSON-API server for tests: object metadata, media download (optionally of one
 * generation) and multipart upload with `ifGenerationMatch`, in memory. No installable emulator enforces the upload
 * preconditions the way GCS does, so this one implements exactly that subset (and checks no credentials).
 */
export const startFakeGcs = async () => {
  const objects = new Map<string, { readonly body: Buffer; readonly generation: number }>()
  let nextGeneration = 1_700_000_000_000_000
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" })
    res.end(JSON.stringify(body))
  }
  const error = (res: ServerResponse, status: number, message: string) =>
    json(res, status, {
      error: { code: status, message, errors: [{ message, reason: status === 412 ? "conditionNotMet" : "notFound" }] }
    })
  const metadata = (bucket: string, name: string, object: { body: Buffer; generation: number }) => ({
    kind: "storage#object",
    bucket,
    name,
    generation: String(object.generation),
    size: String(object.body.length)
  })
  /** The media part of a multipart/related upload: the second part, after its headers. */
  const mediaOf = (body: Buffer, contentType: string): Buffer => {
    const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1]
    if (boundary === undefined) return body
    const delimiter = Buffer.from(`--${boundary}`)
    const parts: Array<Buffer> = []
    let start = body.indexOf(delimiter)
    while (start >= 0) {
      const next = body.indexOf(delimiter, start + delimiter.length)
      if (next < 0) break
      parts.push(body.subarray(start + delimiter.length, next))
      start = next
    }
    const part = parts[1] ?? Buffer.alloc(0)
    const headerEnd = part.indexOf("\r\n\r\n")
    return part.subarray(headerEnd + 4, part.length - 2)
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const download = /^\/(?:download\/)?storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname)
    if (req.method === "GET" && download !== null) {
      const [, bucket, encoded] = download
      const name = decodeURIComponent(encoded!)
      const object = objects.get(`${bucket}/${name}`)
      const generation = url.searchParams.get("generation")
      if (object === undefined || (generation !== null && Number(generation) !== object.generation)) {
        return error(res, 404, `No such object: ${bucket}/${name}`)
      }
      if (url.searchParams.get("alt") === "media") {
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "x-goog-generation": String(object.generation)
        })
        return res.end(object.body)
      }
      return json(res, 200, metadata(bucket!, name, object))
    }
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname)
    if (req.method === "POST" && upload !== null) {
      const bucket = upload[1]!
      const body = await readBody(req)
      const contentType = req.headers["content-type"] ?? ""
      const media = mediaOf(body, contentType)
      const described = /"name"\s*:\s*"([^"]+)"/.exec(
        body.subarray(0, Math.min(body.length, 4096)).toString("utf8")
      )?.[1]
      const name = url.searchParams.get("name") ?? described
      if (name === undefined) return error(res, 400, "no object name")
      const existing = objects.get(`${bucket}/${name}`)
      const condition = url.searchParams.get("ifGenerationMatch")
      if (condition !== null && Number(condition) !== (existing?.generation ?? 0)) {
        return error(res, 412, "At least one of the pre-conditions you specified did not hold.")
      }
      const object = { body: media, generation: nextGeneration++ }
      objects.set(`${bucket}/${name}`, object)
      return json(res, 200, metadata(bucket, name, object))
    }
    return error(res, 404, `unsupported: ${req.method} ${url.pathname}`)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
