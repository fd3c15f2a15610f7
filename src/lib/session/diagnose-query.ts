// The diagnose link's query parameters, from a URL anyone can write: ?ticket=…&lang=…&packs=…&watch=…
// Each is checked against what it may be and limited in length; a value that does not fit is
// ignored and reported with a safe, shortened copy of what was there (for the page to show as
// plain text, never as markup). Pure.

import type { ReportLocale } from '$lib/report';

export const TICKET_MAX = 32;
/** Letters, digits and the separators ticket systems use. */
const TICKET_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._#/:-]*$/u;
export const WATCH_MIN_S = 10;
export const WATCH_MAX_S = 600;
export const WATCH_DEFAULT_S = 120;
export const PACKS_MAX = 16;
/** Longest copy of a refused value shown back to the person. */
const SHOWN_MAX = 60;

export type QueryField = 'ticket' | 'lang' | 'packs' | 'watch';

export interface QueryProblem {
  field: QueryField;
  /** What was in the link, made safe to show: shortened, with invisible and direction-changing characters spelled out. */
  shown: string;
}

export interface DiagnoseQuery {
  ticket: string | null;
  language: ReportLocale | null;
  expectedPacks: number | null;
  watch_s: number;
  problems: QueryProblem[];
}

/** Control, format (bidi overrides, zero-width) and line/paragraph separator characters. */
const INVISIBLE_RE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * A value as it may be shown back: at most SHOWN_MAX characters (whole code points), every
 * invisible or direction-changing character written out as "U+202E".
 */
export function visible(value: string): string {
  const points = [...value];
  const cut = points.length > SHOWN_MAX ? `${points.slice(0, SHOWN_MAX).join('')}…` : value;
  return cut.replace(INVISIBLE_RE, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

function language(v: string): ReportLocale | null {
  const k = v.trim().toLowerCase();
  if (k === 'en' || k.startsWith('en-')) return 'en';
  if (k === 'zh' || k === 'zh-cn' || k === 'zh-hans' || k === 'zh-hans-cn' || k === 'zh_cn') return 'zh-CN';
  return null;
}

function wholeNumber(v: string, min: number, max: number): number | null {
  if (!/^\s*\d{1,4}\s*$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}

export function parseDiagnoseQuery(params: URLSearchParams): DiagnoseQuery {
  const q: DiagnoseQuery = { ticket: null, language: null, expectedPacks: null, watch_s: WATCH_DEFAULT_S, problems: [] };
  const bad = (field: QueryField, value: string) => q.problems.push({ field, shown: visible(value) });

  const ticket = params.get('ticket');
  if (ticket !== null && ticket.trim() !== '') {
    const t = ticket.trim();
    // The pattern admits no control, format or bidi character.
    if ([...t].length <= TICKET_MAX && TICKET_RE.test(t)) q.ticket = t;
    else bad('ticket', ticket);
  }
  const lang = params.get('lang');
  if (lang !== null && lang.trim() !== '') {
    q.language = language(lang);
    if (!q.language) bad('lang', lang);
  }
  const packs = params.get('packs');
  if (packs !== null && packs.trim() !== '') {
    q.expectedPacks = wholeNumber(packs, 1, PACKS_MAX);
    if (q.expectedPacks === null) bad('packs', packs);
  }
  const watch = params.get('watch');
  if (watch !== null && watch.trim() !== '') {
    const w = wholeNumber(watch, WATCH_MIN_S, WATCH_MAX_S);
    if (w === null) bad('watch', watch);
    else q.watch_s = w;
  }
  return q;
}
