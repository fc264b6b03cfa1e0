import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { CampaignInstanceRow, CampaignTypeRow } from "../../src/domain/campaign.js"
import { validateContact } from "../../src/domain/contact.js"
import { campaignCandidates } from "../../src/plan/campaign-emails.js"
import { campaignSetup } from "../../src/plan/campaigns.js"
import { Horizon } from "../../src/plan/horizon.js"
import { resolveSettings } from "../../src/settings/resolve.js"
import { contactRow } from "../support/examples.js"

const TODAY = "2026-12-02"

const type = (fields: Partial<CampaignTypeRow> = {}) =>
  CampaignTypeRow.make({
    id: 1,
    name: "promo",
    respect_exclusion_windows: true,
    enable_followups: false,
    days_before_event: 0,
    target_all_contacts: true,
    priority: 30,
    active: true,
    spread_evenly: false,
    skip_failed_underwriting: false,
    ...fields
  })

const instance = (id: number, start: string | null, end: string | null) =>
  CampaignInstanceRow.make({
    id,
    campaign_type: "promo",
    instance_name: `promo ${id}`,
    email_template: null,
    sms_template: null,
    active_start_date: start,
    active_end_date: end,
    spread_start_date: null,
    spread_end_date: null,
    target_states: null,
    target_carriers: null
  })

describe("plan horizon (the first day the same data may plan differently)", () => {
  it("records the day each test against today changes its answer", () => {
    const horizon = new Horizon(TODAY)
    assert.isUndefined(horizon.first, "nothing recorded: no date changes the plan")
    assert.isTrue(horizon.notBefore("2027-03-01"))
    assert.strictEqual(horizon.first, "2027-03-02")
    assert.isFalse(horizon.notBefore("2026-12-01"), "a past date stays past and records nothing")
    assert.isTrue(horizon.after("2027-01-10"))
    assert.strictEqual(horizon.first, "2027-01-10")
    assert.isFalse(horizon.after(TODAY))
    horizon.lastsThrough("2027-01-05")
    assert.strictEqual(horizon.first, "2027-01-06")
    horizon.usesToday()
    assert.strictEqual(horizon.first, "2026-12-03")
  })

  it("text that is not a calendar date (a stored row may hold anything) changes tomorrow", () => {
    const horizon = new Horizon(TODAY)
    assert.isTrue(horizon.notBefore("2026-13-45"))
    assert.strictEqual(horizon.first, "2026-12-03")
  })

  it("campaigns: the first day an instance starts or stops running changes every contact's plan", () => {
    const setup = campaignSetup(
      [type()],
      [
        instance(1, "2026-11-01", "2027-02-28"),
        instance(2, "2027-01-15", null),
        instance(3, null, "2026-12-20"),
        instance(4, "2026-01-01", "2026-06-30")
      ],
      TODAY
    )
    assert.deepStrictEqual(
      setup.instances.map((i) => i.id),
      [1, 3]
    )
    assert.strictEqual(setup.changesOn, "2026-12-21", "instance 3 stops after 2026-12-20")
    assert.isUndefined(campaignSetup([type({ active: false })], [instance(2, "2027-01-15", null)], TODAY).changesOn)
  })

  it("a campaign without a start date is dated from today itself: its plan changes tomorrow", () => {
    const settings = Either.getOrThrow(
      resolveSettings({ flags: {}, env: {}, organization: {}, stateBuffers: [] })
    ).settings
    const contact = validateContact(contactRow({ id: 7, state: "TX", birth: null, effective: null }))
    const started = campaignSetup([type()], [instance(1, "2026-11-01", null)], TODAY)
    const horizon = new Horizon(TODAY)
    campaignCandidates(contact, [], started, settings, TODAY, horizon)
    assert.isUndefined(horizon.first, "dated from its start date: nothing changes by the calendar")
    const open = campaignSetup([type()], [instance(1, null, null)], TODAY)
    campaignCandidates(contact, [], open, settings, TODAY, horizon)
    assert.strictEqual(horizon.first, "2026-12-03")
  })
})
