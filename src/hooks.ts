// Universal hooks (run in the browser; the app has no server).
import type { Reroute } from '@sveltejs/kit';
import { repairPathname } from '$lib/ui/url-repair';

/** A link with broken percent-encoding reaches its page as literal text, instead of an uncaught URIError. */
export const reroute: Reroute = ({ url }) => repairPathname(url.pathname) ?? undefined;
