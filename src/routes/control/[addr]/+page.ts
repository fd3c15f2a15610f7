import type { PageLoad } from './$types';
import { parseAddress } from '$lib/ui/pack-detail';

// Addresses are whatever the bank has; there is nothing to prerender. The SPA fallback serves it.
export const prerender = false;

export const load: PageLoad = ({ params }) => ({ param: params.addr, address: parseAddress(params.addr) });
