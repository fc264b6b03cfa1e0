import type { PlanRecord } from "../../src/plan/records.js"

/** A planned birthday row of contact 1 on 2026-12-10, with the given columns changed. */
export const planRecord = (overrides: Partial<PlanRecord>): PlanRecord => ({
  contactId: 1,
  emailType: "birthday",
  date: "2026-12-10",
  time: "08:30:00",
  status: "pre-scheduled",
  skipReason: null,
  priority: 10,
  campaignInstanceId: null,
  emailTemplate: null,
  smsTemplate: null,
  eventYear: 2026,
  eventMonth: 12,
  eventDay: 24,
  metadata: '{"v":1}',
  ...overrides
})
