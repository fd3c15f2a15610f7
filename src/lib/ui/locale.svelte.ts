// The app's language as reactive state. Paraglide's message functions ask `getLocale()` each time
// they run; pointing it at a rune here makes every message on screen (in templates and in
// $derived) follow a switch at once, without the page reload Paraglide does by default: a reload
// would drop the link to the bank in the middle of work.
//
// Order of choice (the project's strategy): the switch, remembered in localStorage; else the
// browser's languages; else English. Only an explicit choice is stored, so a browser set to
// Chinese keeps getting Chinese until the person picks otherwise.

import {
  baseLocale,
  extractLocaleFromNavigator,
  locales,
  localStorageKey,
  overwriteGetLocale,
  overwriteSetLocale,
  toLocale
} from '$lib/paraglide/runtime';

export type Locale = (typeof locales)[number];

export const LOCALES: readonly Locale[] = locales;

function stored(): Locale | undefined {
  try {
    return toLocale(globalThis.localStorage?.getItem(localStorageKey) ?? undefined);
  } catch {
    // Storage blocked (privacy mode, sandboxed frame): fall through to the browser's languages.
    return undefined;
  }
}

function fromBrowser(): Locale | undefined {
  return typeof navigator === 'undefined' ? undefined : extractLocaleFromNavigator();
}

function applyToDocument(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

class AppLocale {
  #current = $state<Locale>(stored() ?? fromBrowser() ?? baseLocale);

  get current(): Locale {
    return this.#current;
  }

  /** Switch and remember the choice. */
  set(locale: Locale): void {
    this.#current = locale;
    try {
      globalThis.localStorage?.setItem(localStorageKey, locale);
    } catch {
      // Not remembered, but the switch still applies to this visit.
    }
    applyToDocument(locale);
  }
}

export const appLocale = new AppLocale();

overwriteGetLocale(() => appLocale.current);
// Anyone calling Paraglide's setLocale (other pages, tests) gets the same switch, never a reload.
overwriteSetLocale((locale) => appLocale.set(locale));
applyToDocument(appLocale.current);

/** The current language, for Intl formatters. Reactive where it is read. */
export function currentLocale(): Locale {
  return appLocale.current;
}

/**
 * Each language's name written in itself, for the switch: a person who cannot read the current
 * language must still find their own.
 */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', 'zh-CN': '简体中文' };
