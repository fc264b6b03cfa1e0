/**
 * The email rule of spec §3.2: after trimming, a local part of `[A-Za-z0-9._%+-]+`, one `@`, a domain of two or more
 * labels of `[A-Za-z0-9-]+` separated by single dots, and a last label of two or more letters.
 */
const EMAIL = /^[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$/

export const isValidEmail = (email: string): boolean => EMAIL.test(email.trim())
