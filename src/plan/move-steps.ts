/**
 * The steps load balancing can take with a row, as bits (spec §14.2 `moved.steps`): part of the plan's explanation
 * vocabulary, so the planner (holds of earlier runs) and the balancer share it without the planner importing the balancer.
 */
export const ED_SMOOTHING = 1
export const DAILY_CAP = 2
/** The row ends on the day an earlier run stored it on (docs/business-rules.md §10.5): it keeps that explanation. */
export const HELD = 4

export const stepNames = (steps: number): Array<"ed_smoothing" | "daily_cap"> => [
  ...(steps & ED_SMOOTHING ? (["ed_smoothing"] as const) : []),
  ...(steps & DAILY_CAP ? (["daily_cap"] as const) : [])
]
