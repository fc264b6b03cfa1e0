import type { PlannedEmail } from "./plan.js"

const campaignOrder = (a: PlannedEmail, b: PlannedEmail) =>
  a.priority - b.priority || (a.campaignInstanceId ?? 0) - (b.campaignInstanceId ?? 0)

/**
 * Spec §7.7: on each date with two or more pre-scheduled campaign rows of the contact, the lowest priority number wins
 * (ties: lowest instance id); the others become skipped `campaign_priority_conflict`. Other rows never take part.
 */
export const resolveCampaignConflicts = (rows: ReadonlyArray<PlannedEmail>): ReadonlyArray<PlannedEmail> => {
  const byDate = new Map<string, Array<PlannedEmail>>()
  for (const row of rows) {
    if (row.status !== "pre-scheduled" || !row.emailType.startsWith("campaign_")) continue
    const group = byDate.get(row.date) ?? []
    group.push(row)
    byDate.set(row.date, group)
  }
  const losers = new Map<PlannedEmail, PlannedEmail>()
  for (const group of byDate.values()) {
    if (group.length < 2) continue
    const [winner, ...others] = [...group].sort(campaignOrder)
    for (const loser of others) losers.set(loser, winner!)
  }
  if (losers.size === 0) return rows
  return rows.map((row) => {
    const winner = losers.get(row)
    if (winner === undefined) return row
    return {
      ...row,
      status: "skipped",
      skipReason: "campaign_priority_conflict",
      metadata: {
        ...row.metadata,
        reason_text: `Another campaign email on ${row.date} has priority: ${winner.emailType} (instance ${winner.campaignInstanceId}, priority ${winner.priority}).`,
        conflict: {
          winner_email_type: winner.emailType,
          winner_campaign_instance_id: winner.campaignInstanceId,
          winner_priority: winner.priority
        }
      }
    }
  })
}
