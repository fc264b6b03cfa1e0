/** Ends `text` with one full stop: a message built from another message never ends "..". */
export const sentence = (text: string): string => {
  const trimmed = text.trimEnd()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}
