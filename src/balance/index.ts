/**
 * balance/: load balancing over the whole plan (spec §10): ED smoothing, the daily cap, and the stability rule that
 * keeps a stored row on its day (docs/business-rules.md §10.5). Pure: typed columns in, days out. Imports plan/ only.
 */
export { balancePlan, NO_DAY } from "./apply-balance.js"
export type { BalanceParameters, BalanceResult } from "./balance.js"
export {
  BalanceContacts,
  BalanceItems,
  EmailTypeCodes,
  type ItemColumns,
  type ItemKeys,
  keyCode,
  NO_EVENT_YEAR,
  NO_HELD_DAY,
  NO_LATEST_DAY,
  type OwnerColumns
} from "./balance-items.js"
export { applyBalance } from "./replan-balance.js"
