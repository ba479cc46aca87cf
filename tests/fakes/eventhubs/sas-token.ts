import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks a Shared Access Signature the way the service does: `SharedAccessSignature sr=<url-encoded
 * resource>&sig=<url-encoded base64 HMAC-SHA256 of "sr\nse">&se=<expiry seconds>&skn=<key name>`, signed with
 * the named key, not expired, and (when an audience is given) issued for a resource that covers it.
 */
export function verifySasToken(
  token: string,
  audience: string | undefined,
  keys: { keyName: string; key: string; nowMs: number },
): { ok: true } | { ok: false; reason: string } {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix))
    return { ok: false, reason: 'InvalidToken: the token is not a shared access signature.' };
  const fields = new Map<string, string>();
  for (const part of token.slice(prefix.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (!sr || !sig || !se || !skn)
    return { ok: false, reason: 'InvalidToken: sr, sig, se and skn are required.' };
  if (decodeURIComponent(skn) !== keys.keyName) {
    return {
      ok: false,
      reason: `InvalidSignature: the key name '${decodeURIComponent(skn)}' is not authorized.`,
    };
  }
  const expected = createHmac('sha256', keys.key).update(`${sr}\n${se}`).digest('base64');
  const given = Buffer.from(decodeURIComponent(sig));
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { ok: false, reason: 'InvalidSignature: The token has an invalid signature.' };
  }
  if (Number(se) * 1000 < keys.nowMs) return { ok: false, reason: 'ExpiredToken: The token is expired.' };
  if (audience !== undefined) {
    const resource = decodeURIComponent(sr).replace(/\/$/, '');
    const wantedResource = audience.replace(/\/$/, '');
    if (wantedResource !== resource && !wantedResource.startsWith(`${resource}/`)) {
      return {
        ok: false,
        reason: `InvalidAudience: the token is for '${resource}', not '${wantedResource}'.`,
      };
    }
  }
  return { ok: true };
}
