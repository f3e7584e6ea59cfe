/** Causeway keys: `cw_` plus 32 random bytes, base64url. Only the SHA-256 hash is stored. */
const KEY_PREFIX = "cw_";
const KEY_SHAPE = /^cw_[A-Za-z0-9_-]{20,100}$/;

export function newKey(random: Uint8Array): string {
  let binary = "";
  for (const byte of random) binary += String.fromCharCode(byte);
  return KEY_PREFIX + btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Whether a credential looks like a Causeway key (so only the `keys` method is asked about it). */
export function isKeyShaped(credential: string): boolean {
  return KEY_SHAPE.test(credential);
}

/**
 * SHA-256 hex of a key. Keys carry 256 bits of entropy, so a fast hash is enough (no rainbow
 * table can cover them) and the lookup by hash makes the comparison independent of the key.
 */
export async function hashKey(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  let hex = "";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** The short, non-secret prefix shown to operators to tell keys apart. */
export function keyHint(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}
