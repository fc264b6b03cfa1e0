import type { IncomingMessage } from "node:http"
import { Effect } from "effect"

/** The whole body of a request. */
export const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

/** Runs `use` with a test server started by `start`, closed afterwards whatever happens. */
export const withServer = <S extends { readonly close: () => Promise<void> }, A, E>(
  start: () => Promise<S>,
  use: (server: S) => Effect.Effect<A, E>
) => Effect.acquireUseRelease(Effect.promise(start), use, (server) => Effect.promise(() => server.close()))
