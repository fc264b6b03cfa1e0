import { toDayNumber } from "../domain/dates.js"

/**
 * A fingerprint of a contact's stored rows as the write pass re-reads them (id, type, date, status, in id order):
 * pass 1 records it, and pass 2 plans a contact again only when the sender changed its rows in between.
 */
export const storedRowsHash = () => {
  let h1 = 0x9e3779b9
  let h2 = 0x85ebca6b
  const mix = (value: number) => {
    h1 = Math.imul(h1 ^ value, 2654435761)
    h2 = Math.imul(h2 ^ value, 1597334677)
  }
  const text = (value: string) => {
    for (let i = 0; i < value.length; i++) mix(value.charCodeAt(i))
    mix(value.length)
  }
  return {
    add: (id: number, emailType: string, date: string, status: string) => {
      mix(id | 0)
      mix(Math.floor(id / 2 ** 32))
      text(emailType)
      if (/^\d{4}-\d{2}-\d{2}$/.test(date)) mix(toDayNumber(date))
      else text(date)
      text(status)
    },
    value: (): number => (h2 >>> 0) * 2 ** 21 + (h1 >>> 11)
  }
}

/** The key of spec §2.4 within one contact: email type and date. */
export const dayKey = (emailType: string, date: string): string => `${emailType}|${date}`
