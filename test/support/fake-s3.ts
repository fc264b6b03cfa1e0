import { createHash, randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody } from "./http.js"

export interface FakeS3Options {
  /** S3 refuses a single PutObject above 5 GiB (EntityTooLarge); tests lower the limit to prove multipart is used. */
  readonly maxPutBytes?: number
  /** Every part but the last must be at least 5 MiB (EntityTooSmall); tests lower it. */
  readonly minPartBytes?: number
  /** Tigris: refuse reads and writes without `X-Tigris-Consistent: true` (how a test proves the header is sent). */
  readonly requireTigrisConsistent?: boolean
  /** Answer 500 to the first attempt of these part numbers (how a test proves a part is retried). */
  readonly failPartsOnce?: ReadonlyArray<number>
}

/** One request as the server saw it, for assertions on what the client sent. */
export interface SeenRequest {
  readonly method: string
  readonly operation: string
  readonly key: string
  readonly bytes: number
}

const KB = 1024

/**
 * A small S3 server for tests: path-style GetObject, PutObject and the multipart upload API, with the conditional
 * headers (`If-Match` / `If-None-Match`) on PutObject and CompleteMultipartUpload, S3's 5 GiB single-PUT limit and
 * 5 MiB minimum part size (both configurable lower), in memory. No installable S3 emulator here enforces the
 * conditional completion the way S3 does, so this one implements exactly that subset (and does not check signatures).
 */
export const startFakeS3 = async (options: FakeS3Options = {}) => {
  const maxPutBytes = options.maxPutBytes ?? 5 * KB * KB * KB
  const minPartBytes = options.minPartBytes ?? 5 * KB * KB
  const failOnce = new Set(options.failPartsOnce ?? [])
  const objects = new Map<string, { readonly body: Buffer; readonly etag: string }>()
  const uploads = new Map<string, { readonly key: string; readonly parts: Map<number, Buffer> }>()
  const seen: Array<SeenRequest> = []
  const xml = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/xml", ...headers })
    res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`)
  }
  const error = (res: ServerResponse, status: number, code: string) =>
    xml(res, status, `<Error><Code>${code}</Code><Message>${code}</Message></Error>`)
  const newEtag = (body: Buffer) => `"${createHash("md5").update(body).update(randomUUID()).digest("hex")}"`
  /** S3's write preconditions against the object as it is now; undefined when the write may proceed. */
  const preconditionFailure = (req: IncomingMessage, existing: { readonly etag: string } | undefined) => {
    const ifMatch = req.headers["if-match"]
    const ifNoneMatch = req.headers["if-none-match"]
    if (ifNoneMatch === "*" && existing !== undefined) return [412, "PreconditionFailed"] as const
    if (ifMatch !== undefined && existing === undefined) return [404, "NoSuchKey"] as const
    if (ifMatch !== undefined && existing !== undefined && ifMatch !== existing.etag)
      return [412, "PreconditionFailed"] as const
    return undefined
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const key = decodeURIComponent(url.pathname.slice(1))
    const uploadId = url.searchParams.get("uploadId")
    const partNumber = url.searchParams.get("partNumber")
    const body = await readBody(req)
    const operation =
      req.method === "GET" && url.searchParams.has("list-type")
        ? "ListObjectsV2"
        : req.method === "GET"
          ? "GetObject"
          : req.method === "POST" && url.searchParams.has("uploads")
            ? "CreateMultipartUpload"
            : req.method === "PUT" && partNumber !== null
              ? "UploadPart"
              : req.method === "POST" && uploadId !== null
                ? "CompleteMultipartUpload"
                : req.method === "DELETE" && uploadId !== null
                  ? "AbortMultipartUpload"
                  : req.method === "PUT"
                    ? "PutObject"
                    : "Unsupported"
    seen.push({ method: req.method ?? "", operation, key, bytes: body.length })
    if (options.requireTigrisConsistent === true && req.headers["x-tigris-consistent"] !== "true")
      return error(res, 400, "MissingTigrisConsistentHeader")
    const existing = objects.get(key)

    switch (operation) {
      case "ListObjectsV2": {
        const bucket = key.replace(/\/$/, "")
        const prefix = `${bucket}/${url.searchParams.get("prefix") ?? ""}`
        const listed = [...objects.keys()].filter((name) => name.startsWith(prefix)).sort()
        const contents = listed
          .map(
            (name) =>
              `<Contents><Key>${name.slice(bucket.length + 1)}</Key><Size>${objects.get(name)!.body.length}</Size></Contents>`
          )
          .join("")
        return xml(
          res,
          200,
          `<ListBucketResult><Name>${bucket}</Name><KeyCount>${listed.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`
        )
      }
      case "GetObject": {
        if (existing === undefined) return error(res, 404, "NoSuchKey")
        res.writeHead(200, { etag: existing.etag, "content-length": existing.body.length })
        return res.end(existing.body)
      }
      case "PutObject": {
        if (body.length > maxPutBytes) return error(res, 400, "EntityTooLarge")
        const refused = preconditionFailure(req, existing)
        if (refused !== undefined) return error(res, refused[0], refused[1])
        const etag = newEtag(body)
        objects.set(key, { body, etag })
        res.writeHead(200, { etag })
        return res.end()
      }
      case "CreateMultipartUpload": {
        const id = randomUUID()
        uploads.set(id, { key, parts: new Map() })
        return xml(
          res,
          200,
          `<InitiateMultipartUploadResult><Bucket>${key.split("/")[0]}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`
        )
      }
      case "UploadPart": {
        const upload = uploads.get(uploadId ?? "")
        if (upload === undefined) return error(res, 404, "NoSuchUpload")
        const number = Number(partNumber)
        if (failOnce.delete(number)) return error(res, 500, "InternalError")
        upload.parts.set(number, body)
        res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` })
        return res.end()
      }
      case "CompleteMultipartUpload": {
        const upload = uploads.get(uploadId ?? "")
        if (upload === undefined) return error(res, 404, "NoSuchUpload")
        const listed = [...body.toString("utf8").matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]))
        const parts = listed.map((n) => upload.parts.get(n))
        if (listed.length === 0 || parts.some((part) => part === undefined)) return error(res, 400, "InvalidPart")
        if (parts.slice(0, -1).some((part) => part!.length < minPartBytes)) return error(res, 400, "EntityTooSmall")
        const refused = preconditionFailure(req, existing)
        if (refused !== undefined) return error(res, refused[0], refused[1])
        const whole = Buffer.concat(parts as Array<Buffer>)
        const etag = newEtag(whole)
        objects.set(key, { body: whole, etag })
        uploads.delete(uploadId ?? "")
        return xml(
          res,
          200,
          `<CompleteMultipartUploadResult><Key>${key}</Key><ETag>${etag.replaceAll('"', "&quot;")}</ETag></CompleteMultipartUploadResult>`
        )
      }
      case "AbortMultipartUpload": {
        uploads.delete(uploadId ?? "")
        res.writeHead(204)
        return res.end()
      }
      default:
        return error(res, 405, "MethodNotAllowed")
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    /** Multipart uploads begun and neither completed nor aborted. */
    openUploads: () => uploads.size,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
