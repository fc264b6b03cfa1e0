/**
 * run/: one nightly run and its passes (spec §11–§12): read and plan every contact (pass 1, rows staged in a file),
 * balance, write batch by batch with the smart update, record the checkpoint; and `explain` of one contact.
 */

export { yieldToEventLoop } from "./event-loop.js"
export { type ContactExplanation, ContactNotFound, explainContact } from "./explain.js"
export { forEachContactPage, keysetPages } from "./keyset-pages.js"
export { makeRunId, type RunOptions, type RunReport, resolveRunSettings, runOnce } from "./run.js"
export { RunServicesLive } from "./services.js"
