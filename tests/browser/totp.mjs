// TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) for the browser tests, with node:crypto
// only. Also a tiny CLI for scripts/browser-test:
//
//   node totp.mjs secret 'otpauth://totp/…?secret=BASE32…'   → prints the base32 secret
//   node totp.mjs code BASE32 [MIN_STEP]                      → prints "STEP CODE" for the first
//                                                               step ≥ MIN_STEP (waits for it)
//
// The server refuses a code whose time step was already used (replay protection), so callers
// that log in twice keep the last step they used and ask for a later one.
import { createHmac } from 'node:crypto';

export const STEP_SECONDS = 30;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 (RFC 4648, no padding needed; spaces, hyphens and case ignored) to bytes. */
export function base32Decode(text) {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The `secret` parameter of an `otpauth://totp/…` URI. */
export function secretFromUri(uri) {
  const u = new URL(uri);
  if (u.protocol !== 'otpauth:') throw new Error(`not an otpauth URI: ${uri.slice(0, 16)}…`);
  const secret = u.searchParams.get('secret');
  if (!secret) throw new Error('otpauth URI without a secret');
  const algorithm = (u.searchParams.get('algorithm') || 'SHA1').toUpperCase();
  const digits = Number(u.searchParams.get('digits') || 6);
  const period = Number(u.searchParams.get('period') || STEP_SECONDS);
  if (algorithm !== 'SHA1' || digits !== 6 || period !== STEP_SECONDS) {
    throw new Error(`unexpected TOTP parameters ${algorithm}/${digits}/${period}`);
  }
  return secret;
}

/** The HOTP value of `counter` (RFC 4226 dynamic truncation). */
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export function currentStep(nowMs = Date.now()) {
  return Math.floor(nowMs / 1000 / STEP_SECONDS);
}

/** The code of `step` for a base32 secret. */
export function totpAt(secretBase32, step) {
  return hotp(base32Decode(secretBase32), step);
}

/**
 * A code for the current step, waiting until the step is > `lastUsedStep` (so the server's
 * replay protection never sees a step twice). Returns {step, code}.
 */
export async function freshTotp(secretBase32, lastUsedStep = -1) {
  for (;;) {
    const step = currentStep();
    if (step > lastUsedStep) {
      // Too close to the end of a step: the code might expire in flight; take the next one.
      const msLeft = (step + 1) * STEP_SECONDS * 1000 - Date.now();
      if (msLeft > 3000) return { step, code: totpAt(secretBase32, step) };
    }
    const wait = (currentStep() + 1) * STEP_SECONDS * 1000 - Date.now() + 200;
    await new Promise((r) => setTimeout(r, Math.max(wait, 200)));
  }
}

// RFC 6238 appendix B, SHA-1 (8 digits there; the same truncation modulo 10^6 gives the low 6).
export function selfTest() {
  const key = Buffer.from('12345678901234567890', 'ascii');
  const vectors = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [t, expected] of vectors) {
    const got = hotp(key, Math.floor(t / STEP_SECONDS), 8);
    if (got !== expected) throw new Error(`TOTP self-test failed at T=${t}: ${got} != ${expected}`);
  }
  const b32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of the same key
  if (!base32Decode(b32).equals(key)) throw new Error('base32 self-test failed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, arg, minStep] = process.argv.slice(2);
  selfTest();
  if (cmd === 'secret') {
    console.log(secretFromUri(arg));
  } else if (cmd === 'code') {
    const { step, code } = await freshTotp(arg, minStep === undefined ? -1 : Number(minStep) - 1);
    console.log(`${step} ${code}`);
  } else {
    console.error('usage: node totp.mjs secret OTPAUTH_URI | code BASE32 [MIN_STEP]');
    process.exit(2);
  }
}
