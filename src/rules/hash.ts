/**
 * The 30-bit string hash H of spec §10.3 (the predecessor's 32-bit mix, MurmurHash3-style, reproduced exactly) and
 * the symmetric jitter built on it. All arithmetic is on unsigned 32-bit values.
 */
const encoder = new TextEncoder()

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0

const mix = (h: number, word: number): number => {
  let w = Math.imul(word, 0xcc9e2d51) >>> 0
  w = rotl(w, 15)
  w = Math.imul(w, 0x1b873593) >>> 0
  let next = (h ^ w) >>> 0
  next = rotl(next, 13)
  return (Math.imul(next, 5) + 0xe6546b64) >>> 0
}

let scratch = new Uint8Array(64)

/**
 * The UTF-8 bytes of `input` and their count. An ASCII string's bytes are its code units, copied into a reused buffer:
 * balancing hashes millions of such keys, and encoding each one cost more than the hash (issue 11).
 */
const utf8Of = (input: string): { readonly bytes: Uint8Array; readonly length: number } => {
  if (scratch.length < input.length) scratch = new Uint8Array(input.length * 2)
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i)
    if (code > 0x7f) {
      const bytes = encoder.encode(input)
      return { bytes, length: bytes.length }
    }
    scratch[i] = code
  }
  return { bytes: scratch, length: input.length }
}

export const hash30 = (input: string): number => {
  const { bytes, length: n } = utf8Of(input)
  let h = 0
  const whole = n - (n % 4)
  for (let i = 0; i < whole; i += 4) {
    h = mix(h, (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0)
  }
  if (n % 4 !== 0) {
    let tail = 0
    for (let i = n - 1; i >= whole; i--) tail = (tail << 8) | bytes[i]!
    h = mix(h, tail >>> 0)
  }
  h = (h ^ n) >>> 0
  h = (h ^ (h >>> 16)) >>> 0
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h = (h ^ (h >>> 13)) >>> 0
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h = (h ^ (h >>> 16)) >>> 0
  return h & 0x3fffffff
}

/** jitter(s, W) = (H(s) mod (2k + 1)) − k with k = floor(W / 2): always in [−k, +k]. */
export const jitter = (input: string, window: number): number => {
  const k = Math.floor(window / 2)
  return (hash30(input) % (2 * k + 1)) - k
}
