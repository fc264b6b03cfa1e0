import { closeSync, openSync, readSync, statSync } from "node:fs"
import { endianness } from "node:os"

/** The wal-index header's version (SQLite's file format, "WAL-index format"). */
const WAL_INDEX_VERSION = 3007000
const HEADER_BYTES = 48
/** A WAL file's own header, before its first frame. */
const WAL_HEADER_BYTES = 32
/** Each frame's header, before its page. */
const FRAME_HEADER_BYTES = 24

/** What a log holds now: its committed frames (undefined when unknown) and the bytes they take. */
export interface LogUse {
  readonly frames: number | undefined
  readonly bytes: number
}

/**
 * How much of a database's write-ahead log is in use: the frames committed since the log last started from its
 * beginning. SQL says so only through a checkpoint (`PRAGMA wal_checkpoint`), which copies pages as it answers; this
 * reads the count where every connection reads it, the wal-index header at the start of the `-shm` file (SQLite's
 * file format, "WAL-index format": the version 3007000 at byte 0, an initialised flag at byte 12, the page size at
 * byte 14, the last committed frame `mxFrame` at byte 16, in the machine's byte order). Without such a header (no
 * `-shm`, not initialised yet) it answers the log file's size. `close` gives the file back.
 */
export const openLogMeter = (databasePath: string) => {
  let fd: number | undefined
  try {
    fd = openSync(`${databasePath}-shm`, "r")
  } catch {
    fd = undefined
  }
  const header = Buffer.alloc(HEADER_BYTES)
  const little = endianness() === "LE"
  const fileBytes = () => {
    try {
      return statSync(`${databasePath}-wal`, { throwIfNoEntry: false })?.size ?? 0
    } catch {
      return 0
    }
  }
  const fromHeader = (): LogUse | undefined => {
    if (fd === undefined || readSync(fd, header, 0, HEADER_BYTES, 0) < HEADER_BYTES) return undefined
    const version = little ? header.readUInt32LE(0) : header.readUInt32BE(0)
    if (version !== WAL_INDEX_VERSION || header[12] !== 1) return undefined
    const frames = little ? header.readUInt32LE(16) : header.readUInt32BE(16)
    const size = little ? header.readUInt16LE(14) : header.readUInt16BE(14)
    const pageBytes = size === 1 ? 65536 : size
    return { frames, bytes: frames === 0 ? 0 : WAL_HEADER_BYTES + frames * (FRAME_HEADER_BYTES + pageBytes) }
  }
  return {
    read: (): LogUse => fromHeader() ?? { frames: undefined, bytes: fileBytes() },
    close: () => {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    }
  }
}
