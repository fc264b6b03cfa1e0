import { randomUUID } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { CRC32C } from "@google-cloud/storage"
import { readBody } from "./http.js"

export interface FakeGcsOptions {
  /** Flip one byte of every media download after computing its hash (how a test proves downloads are validated). */
  readonly corruptDownloads?: boolean
}

const crc32cOf = (body: Buffer): string => {
  const crc = new CRC32C()
  crc.update(body)
  return crc.toString()
}

/**
 * A small Google Cloud Storage JSON-API server for tests: object metadata, media download (optionally of one
 * generation) with its `x-goog-hash`, multipart upload and resumable upload sessions with `ifGenerationMatch` checked
 * when the session starts and when it is finalized, and the final chunk's `X-Goog-Hash` CRC32C verified, in memory.
 * No installable emulator enforces the upload preconditions the way GCS does, so this one implements exactly that
 * subset (and checks no credentials).
 */
export const startFakeGcs = async (options: FakeGcsOptions = {}) => {
  const objects = new Map<string, { readonly body: Buffer; readonly generation: number }>()
  const sessions = new Map<
    string,
    { readonly bucket: string; readonly name: string; readonly condition: string | null; chunks: Array<Buffer> }
  >()
  const seen: Array<string> = []
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
    size: String(object.body.length),
    crc32c: crc32cOf(object.body)
  })
  const conditionFails = (condition: string | null, existing: { readonly generation: number } | undefined) =>
    condition !== null && Number(condition) !== (existing?.generation ?? 0)
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
    const uploadType = url.searchParams.get("uploadType")
    seen.push(`${req.method} ${uploadType ?? url.searchParams.get("alt") ?? "metadata"}`)
    const listing = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname)
    if (req.method === "GET" && listing !== null) {
      const bucket = listing[1]!
      const prefix = `${bucket}/${url.searchParams.get("prefix") ?? ""}`
      const items = [...objects.entries()]
        .filter(([name]) => name.startsWith(prefix))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, object]) => metadata(bucket, name.slice(bucket.length + 1), object))
      return json(res, 200, { kind: "storage#objects", items })
    }
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
          "x-goog-generation": String(object.generation),
          "x-goog-hash": `crc32c=${crc32cOf(object.body)}`,
          "x-goog-stored-content-encoding": "identity"
        })
        if (options.corruptDownloads !== true || object.body.length === 0) return res.end(object.body)
        const damaged = Buffer.from(object.body)
        damaged[damaged.length >> 1] = damaged[damaged.length >> 1]! ^ 0xff
        return res.end(damaged)
      }
      return json(res, 200, metadata(bucket!, name, object))
    }
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname)
    if (req.method === "POST" && upload !== null && uploadType === "resumable") {
      const bucket = upload[1]!
      await readBody(req)
      const name = url.searchParams.get("name")
      if (name === null) return error(res, 400, "no object name")
      const condition = url.searchParams.get("ifGenerationMatch")
      if (conditionFails(condition, objects.get(`${bucket}/${name}`)))
        return error(res, 412, "At least one of the pre-conditions you specified did not hold.")
      const id = randomUUID()
      sessions.set(id, { bucket, name, condition, chunks: [] })
      res.writeHead(200, {
        location: `http://${req.headers.host}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&upload_id=${id}`
      })
      return res.end()
    }
    const sessionId = url.searchParams.get("upload_id")
    if (req.method === "PUT" && upload !== null && sessionId !== null) {
      const session = sessions.get(sessionId)
      if (session === undefined) return error(res, 404, "No such upload session")
      const body = await readBody(req)
      const received = session.chunks.reduce((sum, chunk) => sum + chunk.length, 0)
      const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(String(req.headers["content-range"] ?? ""))
      if (range === null) return error(res, 400, "bad Content-Range")
      if (range[2] !== undefined && Number(range[2]) !== received) return error(res, 400, "chunk out of order")
      session.chunks.push(body)
      // A streamed single request (`bytes 0-*/*`, the SDK's way without chunkSize) ends the object with its body.
      const streamedWhole = range[3] === "*"
      const total = range[4] === "*" ? (streamedWhole ? received + body.length : undefined) : Number(range[4])
      const size = received + body.length
      if (total === undefined || size < total) {
        res.writeHead(308, size > 0 ? { range: `bytes=0-${size - 1}` } : {})
        return res.end()
      }
      const whole = Buffer.concat(session.chunks)
      const claimed = /crc32c=([^,]+)/.exec(String(req.headers["x-goog-hash"] ?? ""))?.[1]
      if (claimed !== undefined && claimed !== crc32cOf(whole))
        return error(res, 400, "Provided CRC32C does not match the data received")
      sessions.delete(sessionId)
      const key = `${session.bucket}/${session.name}`
      if (conditionFails(session.condition, objects.get(key)))
        return error(res, 412, "At least one of the pre-conditions you specified did not hold.")
      const object = { body: whole, generation: nextGeneration++ }
      objects.set(key, object)
      return json(res, 200, metadata(session.bucket, session.name, object))
    }
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
      if (conditionFails(url.searchParams.get("ifGenerationMatch"), existing)) {
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
    /** One line per request: method and upload type (or `media` / `metadata` for reads). */
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
