const ALPHABET = /^[A-Za-z0-9_-]*$/;
const VALUE = new Int8Array(128).fill(-1);
for (const [index, char] of [
  ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
].entries()) {
  VALUE[char.charCodeAt(0)] = index;
}

/**
 * True when `text` is canonical unpadded base64url: only the alphabet, a possible length, and zero
 * bits in the unused tail of the last character. Decoders silently drop those tail bits, so without
 * this check two different strings would decode to the same signature.
 */
export function isCanonicalBase64url(text: string): boolean {
  if (!ALPHABET.test(text)) return false;
  const rest = text.length % 4;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const last = VALUE[text.charCodeAt(text.length - 1)] ?? -1;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/** Encodes bytes as unpadded base64url without relying on `Buffer`, for non-Node runtimes. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
