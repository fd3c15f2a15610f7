// The site navigation as data. Later pages add one entry here; Nav.svelte only renders the list.

export interface NavContext {
  /** Address of the first pack of the connected bank, or null when nothing is connected. */
  firstPackAddress: number | null;
}

export interface NavItem {
  /** Link text, as installers know it from the vendor tool where one exists. */
  label: string;
  /** Target; a function when it depends on the connected bank. */
  href: string | ((ctx: NavContext) => string);
  /** The item is "current" for every path starting with this prefix. */
  activePrefix: string;
  /** One line for the menu on a phone, where there is room to explain. */
  hint?: string;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { label: 'Connect', href: '/connect', activePrefix: '/connect', hint: 'USB cable, Bluetooth or the demo bank' },
  { label: 'Overview', href: '/overview', activePrefix: '/overview', hint: 'Bank totals and every pack' },
  {
    label: 'Packs',
    href: (ctx) => `/pack/${ctx.firstPackAddress ?? 1}`,
    activePrefix: '/pack',
    hint: 'Cells, temperatures and alarms of one pack'
  },
  { label: 'Diagnose', href: '/diagnose', activePrefix: '/diagnose', hint: 'Check the bank and make a report for support' },
  { label: 'Debug', href: '/debug', activePrefix: '/debug', hint: 'Raw frames on the wire, frame decoder' },
  { label: 'Settings', href: '/settings', activePrefix: '/settings', hint: 'Baud rate, protocol, theme' }
];

export function navHref(item: NavItem, ctx: NavContext): string {
  return typeof item.href === 'function' ? item.href(ctx) : item.href;
}

/** Whether `pathname` belongs to `item` ("/pack/3" belongs to Packs, "/packsx" does not). */
export function isActive(item: NavItem, pathname: string): boolean {
  const p = item.activePrefix;
  return pathname === p || pathname.startsWith(p.endsWith('/') ? p : p + '/');
}
