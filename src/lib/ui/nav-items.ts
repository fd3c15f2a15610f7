// The site navigation as data: a page is ONE line in NAV_ITEMS (group, label, hint, target).
// Nav.svelte only renders the list. Labels and hints are message functions (messages/nav/), so
// the navigation reads in the app's language and switches with it; a plain string cannot slip in.
//
// Adding a page: its label and hint are already in messages/nav/ for the planned pages
// (m.nav_firmware, m.nav_firmware_hint, ...); otherwise add `nav_<page>` and `nav_<page>_hint` to
// both messages/nav/en.json and zh-CN.json. Then one line here, in the order it should appear:
//   { group: 'service', label: m.nav_firmware, hint: m.nav_firmware_hint, href: '/firmware' },

import { m } from '$lib/paraglide/messages';

/** Text in the app's language, worded when rendered (so a language switch re-words it). */
export type Words = (inputs?: Record<string, never>, options?: { locale?: 'en' | 'zh-CN' }) => string;

export interface NavContext {
  /** Address of the first pack of the connected bank, or null when nothing is connected. */
  firstPackAddress: number | null;
}

/**
 * Where a page sits. 'start' and 'end' have no heading (Connect first, Settings last); the
 * others are headed groups, in the order installers work: watch the bank (Overview, Packs),
 * change it (Parameters, Calibration, Control, Firmware), look back (History, Logs, Statistics),
 * get help (Diagnose, Debug).
 */
export type NavGroupId = 'start' | 'monitor' | 'service' | 'records' | 'support' | 'end';

export interface NavGroup {
  id: NavGroupId;
  /** Heading over the group's links; null for the unheaded ends. */
  label: Words | null;
}

export const NAV_GROUPS: readonly NavGroup[] = [
  { id: 'start', label: null },
  { id: 'monitor', label: m.nav_group_monitor },
  { id: 'service', label: m.nav_group_service },
  { id: 'records', label: m.nav_group_records },
  { id: 'support', label: m.nav_group_support },
  { id: 'end', label: null }
];

export interface NavItem {
  group: NavGroupId;
  /** Link text, as installers know it from the vendor tool where one exists. */
  label: Words;
  /** One line for the menu on a phone, where there is room to explain. */
  hint: Words;
  /** Target; a function when it depends on the connected bank. */
  href: string | ((ctx: NavContext) => string);
  /** The item is "current" for every path starting with this prefix. Default: `href` when it is a string. */
  activePrefix?: string;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { group: 'start', label: m.nav_connect, hint: m.nav_connect_hint, href: '/connect' },
  { group: 'monitor', label: m.nav_overview, hint: m.nav_overview_hint, href: '/overview' },
  { group: 'monitor', label: m.nav_packs, hint: m.nav_packs_hint, href: (ctx) => `/pack/${ctx.firstPackAddress ?? 1}`, activePrefix: '/pack' },
  { group: 'service', label: m.nav_parameters, hint: m.nav_parameters_hint, href: '/parameters' },
  {
    group: 'service',
    label: m.nav_calibration,
    hint: m.nav_calibration_hint,
    href: (ctx) => `/calibration/${ctx.firstPackAddress ?? 1}`,
    activePrefix: '/calibration'
  },
  {
    group: 'service',
    label: m.nav_control,
    hint: m.nav_control_hint,
    href: (ctx) => `/control/${ctx.firstPackAddress ?? 1}`,
    activePrefix: '/control'
  },
  { group: 'service', label: m.nav_firmware, hint: m.nav_firmware_hint, href: '/firmware' },
  { group: 'records', label: m.nav_history, hint: m.nav_history_hint, href: '/history' },
  { group: 'records', label: m.nav_logs, hint: m.nav_logs_hint, href: '/logs' },
  { group: 'records', label: m.nav_statistics, hint: m.nav_statistics_hint, href: '/statistics' },
  { group: 'support', label: m.nav_diagnose, hint: m.nav_diagnose_hint, href: '/diagnose' },
  { group: 'support', label: m.nav_debug, hint: m.nav_debug_hint, href: '/debug' },
  { group: 'end', label: m.nav_settings, hint: m.nav_settings_hint, href: '/settings' }
];

export function navHref(item: NavItem, ctx: NavContext): string {
  return typeof item.href === 'function' ? item.href(ctx) : item.href;
}

/** The path prefix that marks `item` current. */
export function navPrefix(item: NavItem): string {
  if (item.activePrefix) return item.activePrefix;
  if (typeof item.href === 'string') return item.href;
  throw new Error('a nav item whose href depends on the bank needs an activePrefix');
}

/** Whether `pathname` belongs to `item` ("/pack/3" belongs to Packs, "/packsx" does not). */
export function isActive(item: NavItem, pathname: string): boolean {
  const p = navPrefix(item);
  return pathname === p || pathname.startsWith(p.endsWith('/') ? p : p + '/');
}

export interface NavSection {
  group: NavGroup;
  items: readonly NavItem[];
}

/** The items by group, in NAV_GROUPS order, empty groups left out. */
export function navSections(items: readonly NavItem[] = NAV_ITEMS): NavSection[] {
  return NAV_GROUPS.map((group) => ({ group, items: items.filter((i) => i.group === group.id) })).filter((s) => s.items.length > 0);
}
