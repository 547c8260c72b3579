/**
 * base64 → bytes for log slices and events. Uses the native
 * `Uint8Array.fromBase64` where the engine has it (Chromium 140+), else atob.
 */
type FromBase64 = (text: string) => Uint8Array;

const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;

export function decodeBase64(text: string): Uint8Array {
  if (text.length === 0) return new Uint8Array(0);
  if (native !== undefined) return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
