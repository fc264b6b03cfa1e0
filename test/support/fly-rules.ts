/**
 * Fly.io's documented rules for a Machine's size (fly.io/docs/machines/guides-examples/machine-sizing and the Machines
 * API's `guest` object): memory is a multiple of 256 MB; a shared CPU takes 256–2048 MB, a performance CPU 2048–8192 MB.
 */
const MEMORY_PER_CPU: Readonly<Record<string, { readonly min: number; readonly max: number }>> = {
  shared: { min: 256, max: 2048 },
  performance: { min: 2048, max: 8192 }
}

/** fly.toml writes memory as "4gb", "4096mb" or a number of megabytes; flags as megabytes. */
export const parseFlyMemoryMb = (value: unknown): number | undefined => {
  if (typeof value === "number") return value
  const match = /^(\d+)\s*(gb|mb)?$/i.exec(String(value).trim())
  if (match === null) return undefined
  return Number(match[1]) * (match[2]?.toLowerCase() === "gb" ? 1024 : 1)
}

/** Every rule a VM size breaks, in words; empty when Fly accepts it. */
export const flySizingProblems = (vm: {
  readonly cpu_kind?: unknown
  readonly cpus?: unknown
  readonly memory?: unknown
}): ReadonlyArray<string> => {
  const kind = String(vm.cpu_kind ?? "shared")
  const cpus = Number(vm.cpus ?? 1)
  const memory = parseFlyMemoryMb(vm.memory)
  const limits = MEMORY_PER_CPU[kind]
  if (limits === undefined) return [`cpu_kind must be shared or performance (got ${kind})`]
  if (!Number.isInteger(cpus) || cpus < 1) return [`cpus must be a positive integer (got ${String(vm.cpus)})`]
  if (memory === undefined) return [`memory is unreadable (got ${String(vm.memory)})`]
  const problems: Array<string> = []
  if (memory % 256 !== 0) problems.push(`memory must be a multiple of 256 MB (got ${memory})`)
  if (memory < limits.min * cpus) problems.push(`${cpus} ${kind} CPUs need at least ${limits.min * cpus} MB`)
  if (memory > limits.max * cpus) problems.push(`${cpus} ${kind} CPUs allow at most ${limits.max * cpus} MB`)
  return problems
}
