// Settings as reactive state, persisted in localStorage and kept in step across tabs.

import { createSubscriber } from 'svelte/reactivity';
import { applySettings, parseStoredSettings, type AppSettings, type SettingsProblem } from './settings';
import { browserStorage, readKey, writeKey, type KeyValueStorage } from './storage';

export const SETTINGS_KEY = 'packservice.settings.v1';

export class SettingsStore {
  #value = $state.raw<AppSettings>(parseStoredSettings(null).settings);
  #loadProblems = $state.raw<SettingsProblem[]>([]);
  #saveError = $state<string | null>(null);
  readonly #storage: KeyValueStorage | null;
  readonly #key: string;
  readonly #subscribe: () => void;

  constructor(storage: KeyValueStorage | null = browserStorage(), key = SETTINGS_KEY) {
    this.#storage = storage;
    this.#key = key;
    this.#reload();
    // Another tab saved settings: follow it, so two open tabs never fight over the baud rate.
    this.#subscribe = createSubscriber((update) => {
      if (typeof window === 'undefined') return;
      const onStorage = (e: StorageEvent) => {
        if (e.key !== this.#key) return;
        this.#reload();
        update();
      };
      window.addEventListener('storage', onStorage);
      return () => window.removeEventListener('storage', onStorage);
    });
  }

  get current(): AppSettings {
    this.#subscribe();
    return this.#value;
  }

  /** Problems found in what was stored (each bad field fell back to its default). */
  get loadProblems(): readonly SettingsProblem[] {
    return this.#loadProblems;
  }

  /** Why the last save failed, or null. */
  get saveError(): string | null {
    return this.#saveError;
  }

  /**
   * Validate and apply a patch. Valid fields are applied and saved even when others are rejected;
   * the rejected ones are returned with a message for the form.
   */
  update(patch: Partial<Record<keyof AppSettings, unknown>>): SettingsProblem[] {
    const { settings, problems } = applySettings(this.#value, patch);
    this.#value = settings;
    this.#saveError = writeKey(this.#storage, this.#key, JSON.stringify(settings));
    return problems;
  }

  reset(): void {
    this.#value = parseStoredSettings(null).settings;
    this.#saveError = writeKey(this.#storage, this.#key, null);
  }

  #reload(): void {
    const { settings, problems } = parseStoredSettings(readKey(this.#storage, this.#key));
    this.#value = settings;
    this.#loadProblems = problems;
  }
}
