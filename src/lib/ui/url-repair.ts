// A path with broken percent-encoding ("/pack/%E0%A4%A", a mistyped or mangled link) makes the
// router's decodeURI throw: the page stayed on the old route with an uncaught "URI malformed". The
// reroute hook (src/hooks.ts) hands the router this repaired path instead: in each segment that
// cannot be decoded, every "%" is taken literally (%25), so the page receives the text as typed
// and says what is wrong with it.

/**
 * Whether the text percent-decodes. The decoded text is used (its length compared), because the
 * build's minifier drops a call to decodeURIComponent whose result is ignored, and with it the throw.
 */
function decodes(text: string): boolean {
  try {
    return decodeURIComponent(text).length >= 0;
  } catch {
    return false;
  }
}

/** The same path with undecodable segments made literal, or null when every segment decodes. */
export function repairPathname(pathname: string): string | null {
  if (decodes(pathname)) return null;
  return pathname
    .split('/')
    .map((segment) => (decodes(segment) ? segment : segment.replace(/%/g, '%25')))
    .join('/');
}
