import { closeSync, openSync, readSync, writeSync } from "node:fs"
import { join } from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { Data, Effect } from "effect"

/** The run's staging file could not be written or read (a full disk, most likely). */
export class StagingError extends Data.TaggedError("StagingError")<{ readonly path: string; readonly cause: unknown }> {
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `the run's staging file ${this.path} could not be used: ${reason}`
  }
}

/** A growable little-endian byte buffer: one batch of staged plan rows is encoded into it, then appended to disk. */
export class ByteWriter {
  private buffer = Buffer.allocUnsafe(1 << 20)
  length = 0

  private ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes))
    this.buffer.copy(bigger, 0, 0, this.length)
    freeNow(this.buffer)
    this.buffer = bigger
  }
  u8(value: number): void {
    this.ensure(1)
    this.buffer[this.length++] = value
  }
  u16(value: number): void {
    this.ensure(2)
    this.length = this.buffer.writeUInt16LE(value, this.length)
  }
  i32(value: number): void {
    this.ensure(4)
    this.length = this.buffer.writeInt32LE(value, this.length)
  }
  f64(value: number): void {
    this.ensure(8)
    this.length = this.buffer.writeDoubleLE(value, this.length)
  }
  /** UTF-8 with a 32-bit length prefix. */
  text(value: string): void {
    this.ensure(4 + value.length * 3)
    const bytes = this.buffer.write(value, this.length + 4, "utf8")
    this.buffer.writeUInt32LE(bytes, this.length)
    this.length += 4 + bytes
  }
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length)
  }
  reset(): void {
    this.length = 0
  }
  /** Gives the memory back at once (a batch's worth, tens of MB): pass 1 ends where the run's memory peaks. */
  release(): void {
    freeNow(this.buffer)
    this.buffer = Buffer.alloc(0)
    this.length = 0
  }
}

/**
 * Frees a buffer's memory now instead of when the collector gets to it, by transferring its ArrayBuffer away (which
 * detaches it). Only a buffer that owns its whole ArrayBuffer: small ones share Node's pool.
 */
const freeNow = (buffer: Buffer): void => {
  const whole = buffer.buffer
  if (whole instanceof ArrayBuffer && buffer.byteOffset === 0 && buffer.byteLength === whole.byteLength) {
    whole.transfer(0)
  }
}

export class ByteReader {
  constructor(
    private readonly buffer: Buffer,
    public offset = 0
  ) {}
  get done(): boolean {
    return this.offset >= this.buffer.length
  }
  u8(): number {
    return this.buffer[this.offset++]!
  }
  u16(): number {
    const value = this.buffer.readUInt16LE(this.offset)
    this.offset += 2
    return value
  }
  i32(): number {
    const value = this.buffer.readInt32LE(this.offset)
    this.offset += 4
    return value
  }
  /** The next 32-bit integer, without moving past it. */
  peekI32(): number {
    return this.buffer.readInt32LE(this.offset)
  }
  f64(): number {
    const value = this.buffer.readDoubleLE(this.offset)
    this.offset += 8
    return value
  }
  text(): string {
    const bytes = this.buffer.readUInt32LE(this.offset)
    const value = this.buffer.toString("utf8", this.offset + 4, this.offset + 4 + bytes)
    this.offset += 4 + bytes
    return value
  }
}

/** Where a batch's bytes lie: in the run's staging file (`file` 0) or in the planning thread's (1). */
export interface StagedExtent {
  readonly file: 0 | 1
  readonly offset: number
  readonly length: number
}

/**
 * Stages one batch a page of contacts at a time: after each page its rows go to disk (`flushPage`) and the writer is
 * emptied, so a batch's rows (tens of MB at 25,000 contacts) never sit in memory whole, in either planning thread.
 * The pages of a batch are appended one after the other, so the batch's rows are one extent (`extent`, after a last
 * flush).
 */
export const pageStager = <E>(writer: ByteWriter, append: (bytes: Uint8Array) => Effect.Effect<StagedExtent, E>) => {
  // A batch starts from an empty writer, whatever an earlier batch that failed left in it.
  writer.reset()
  let extent: StagedExtent | undefined
  const flushPage = Effect.suspend(() => append(writer.bytes())).pipe(
    Effect.tap((appended) =>
      Effect.sync(() => {
        writer.reset()
        extent = extent === undefined ? appended : { ...extent, length: extent.length + appended.length }
      })
    ),
    Effect.asVoid
  )
  return {
    writer,
    flushPage,
    /** The batch's extent, once what is left in the writer is on disk too. */
    extent: Effect.flatMap(flushPage, () =>
      extent === undefined ? Effect.dieMessage("a flushed batch has an extent") : Effect.succeed(extent)
    )
  }
}

export type PageStager<E> = ReturnType<typeof pageStager<E>>

/**
 * The planning thread's side of staging (run/plan-worker.ts): it appends the batches it plans to a file of its own
 * in the run's staging directory, so their bytes never cross to the run's thread (a batch's bytes are tens of MB, and
 * pass 1 ends where the run's memory peaks). The run opens and closes that file; a thread shares the process's file
 * descriptors, so the thread writes through the run's.
 */
export const threadStagingAppender = (descriptor: number) => {
  let size = 0
  return (bytes: Uint8Array): StagedExtent => {
    let written = 0
    while (written < bytes.length)
      written += writeSync(descriptor, bytes, written, bytes.length - written, size + written)
    const extent: StagedExtent = { file: 1, offset: size, length: bytes.length }
    size += bytes.length
    return extent
  }
}

/**
 * The run's staging file, in a private temporary directory removed when the scope closes (success, failure or
 * interruption): pass 1 appends each batch's planned rows, pass 2 reads them back. It holds about 300 bytes per
 * planned row, so the plan never has to fit in memory nor be planned twice. Needs a `FileSystem` (a host application
 * provides its platform's; the command line and the production job provide Node's).
 */
export const stagingFile = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const directory = yield* fs
    .makeTempDirectoryScoped({ prefix: "email-scheduler-" })
    .pipe(Effect.mapError((cause) => new StagingError({ path: "a new temporary directory", cause })))
  const path = join(directory, "plan.stage")
  const threadPath = join(directory, "plan-thread.stage")
  const fail = (cause: unknown) => new StagingError({ path, cause })
  const file = yield* fs.open(path, { flag: "w+", mode: 0o600 }).pipe(Effect.mapError(fail))
  const threadDescriptor = yield* Effect.acquireRelease(
    Effect.try({
      try: () => openSync(threadPath, "w+", 0o600),
      catch: (cause) => new StagingError({ path: threadPath, cause })
    }),
    (descriptor) => Effect.sync(() => closeSync(descriptor))
  )
  let size = 0
  let readBuffer = Buffer.allocUnsafe(0)
  return {
    /** The file the planning thread stages its batches in (`threadStagingAppender`). */
    threadDescriptor,
    append: (bytes: Uint8Array) =>
      Effect.gen(function* () {
        if (bytes.length > 0) {
          yield* file.seek(size, "start")
          yield* file.writeAll(bytes)
        }
        const extent: StagedExtent = { file: 0, offset: size, length: bytes.length }
        size += bytes.length
        return extent
      }).pipe(Effect.mapError(fail)),
    /** The bytes of one extent; the buffer is reused by the next read. */
    read: (extent: StagedExtent) =>
      Effect.gen(function* () {
        if (readBuffer.length < extent.length) readBuffer = Buffer.allocUnsafe(Math.max(extent.length, 1 << 20))
        if (extent.file === 0) yield* file.seek(extent.offset, "start")
        let read = 0
        while (read < extent.length) {
          const got =
            extent.file === 1
              ? yield* Effect.try({
                  try: () => readSync(threadDescriptor, readBuffer, read, extent.length - read, extent.offset + read),
                  catch: fail
                })
              : Number(yield* file.read(readBuffer.subarray(read, extent.length)))
          if (got === 0) return yield* Effect.fail(fail(new Error("the staging file is shorter than written")))
          read += got
        }
        return readBuffer.subarray(0, extent.length)
      }).pipe(Effect.mapError((error) => (error instanceof StagingError ? error : fail(error))))
  }
})

export type StagingFile = Effect.Effect.Success<typeof stagingFile>
