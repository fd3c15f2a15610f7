// Firmware version strings as packs and releases spell them: "1.00", "1.06", "1.10", "1.03A".
// Newest first needs numbers compared as numbers ("1.10" after "1.9"); "the same version" needs
// the exact text, because "1.06" and "1.6" may be different builds.

type Token = number | string;

function tokens(version: string): Token[] {
  const out: Token[] = [];
  for (const m of version.trim().matchAll(/(\d+)|([A-Za-z]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2].toUpperCase());
  return out;
}

/**
 * Order two versions: negative when `a` is older, positive when newer, 0 when equal part for part.
 * Numbers compare as numbers, letters as text, and a letter suffix counts as a later revision
 * ("1.03A" after "1.03"), which is how the vendor's strings use them.
 */
export function compareFirmwareVersions(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i];
    const y = tb[i];
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
    } else if (typeof x === 'number') {
      return 1;
    } else if (typeof y === 'number') {
      return -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return ta.length - tb.length;
}

/** The same version string, ignoring case and surrounding spaces. */
export function sameFirmwareVersion(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return false;
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}
