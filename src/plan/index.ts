/**
 * plan/: the pure planner, one contact at a time (spec §3–§9). Given a contact, its history and the plan context, it
 * says which emails the contact gets, on which ideal day, and why each other one is skipped. No I/O, and nothing here
 * imports balance/ or run/.
 */
export { campaignSetup } from "./campaigns.js"
export { type ContactCensus, makeCensus, withMalformedContacts } from "./contact-census.js"
export { buildHistory, type ContactHistory, storedEventDate, storedEventDay } from "./history.js"
export { earlierDay } from "./horizon.js"
export { DAILY_CAP, ED_SMOOTHING, HELD, stepNames } from "./move-steps.js"
export type { CandidateTrace, PlannedEmail, PlanStatus } from "./plan.js"
export { type ContactPlan, type PlanContext, planContact, planContext } from "./plan-contact.js"
export { makePlanSummary, type PlanSummary } from "./plan-summary.js"
export type { PostWindowTrace } from "./post-window.js"
export { type PlanRecord, sendTime, toRecord } from "./records.js"
export { dayKey } from "./stored-keys.js"
