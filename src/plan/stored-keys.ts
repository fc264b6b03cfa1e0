/** The key of spec §2.4 within one contact: email type and date. */
export const dayKey = (emailType: string, date: string): string => `${emailType}|${date}`
