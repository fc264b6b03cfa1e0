/**
 * The Node and C-library settings the scheduler is measured and shipped with: the Dockerfile's ENTRYPOINT and
 * `npm run bench` pass the same ones (keep the three in step).
 *
 * - A 1 GiB heap cap: without it V8 lets garbage pile up to several GB before collecting.
 * - 8 MB semi-spaces: Node 24's default young generation is several times larger. It added peak memory and, in the
 *   planning thread, time: a 1 M-contact night started with plain `node` peaked at 930 MB and planned in 73 s, against
 *   519 MB and 48 s under these (BENCHMARKS.md, session 14).
 * - glibc's mmap threshold at 4 MB and one malloc arena (`GLIBC_TUNABLES`, read only when a process starts; other C
 *   libraries ignore it).
 */
export const HEAP_FLAGS: ReadonlyArray<string> = ["--max-old-space-size=1024", "--max-semi-space-size=8"]
export const MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=4194304:glibc.malloc.arena_max=1"

/** Flags that size V8's heap: the caller who passes one of them chose its own. */
const HEAP_FLAG_NAMES = ["--max-old-space-size", "--max-old-space-size-percentage", "--max-semi-space-size"]

/** V8 reads `_` in a flag's name as `-` (`--max_old_space_size`). */
const flagName = (option: string): string => option.split("=", 1)[0]!.replaceAll("_", "-")

const setsHeap = (options: ReadonlyArray<string>): boolean =>
  options.some((option) => HEAP_FLAG_NAMES.includes(flagName(option)))

/** The command line and environment to start the CLI again with, or undefined when it already runs with them. */
export interface Relaunch {
  readonly argv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string | undefined>>
}

/**
 * How to start this CLI again with `HEAP_FLAGS`: undefined when Node already has heap flags (the caller's own, or
 * those of an earlier start, which also ends the loop), from its command line or from NODE_OPTIONS. A caller's own
 * GLIBC_TUNABLES is kept.
 */
export const relaunchWithSettings = (process: {
  readonly execPath: string
  readonly execArgv: ReadonlyArray<string>
  readonly argv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string | undefined>>
}): Relaunch | undefined => {
  const fromEnvironment = (process.env.NODE_OPTIONS ?? "").split(/\s+/).filter((option) => option !== "")
  if (setsHeap(process.execArgv) || setsHeap(fromEnvironment)) return undefined
  return {
    argv: [process.execPath, ...HEAP_FLAGS, ...process.execArgv, ...process.argv.slice(1)],
    env: { ...process.env, GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? MALLOC_TUNABLES }
  }
}
