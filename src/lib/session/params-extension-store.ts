// The extension profile kept in the app's key-value store, so support's file is loaded once per
// computer. What is stored is checked again like a file when it is read: a profile damaged in
// storage reads as none, never as a half-valid one.

import { parseExtensionProfile, type ExtensionProblem, type ExtensionProfile } from '$lib/params';
import type { AppStorage, JsonValue } from '$lib/storage';

/** Where the extension profile is kept (storage/kv.ts names this key). */
export const EXTENSION_PROFILE_KEY = 'extensions.profiles';

export async function loadExtensionProfile(storage: AppStorage): Promise<ExtensionProfile | null> {
  const stored = await storage.kv.get(EXTENSION_PROFILE_KEY);
  if (stored === undefined) return null;
  const parsed = parseExtensionProfile(JSON.stringify(stored));
  return parsed.ok ? parsed.profile : null;
}

/** Check a file and keep it; the problems (nothing kept) or the profile. */
export async function saveExtensionProfile(
  storage: () => Promise<AppStorage>,
  text: string
): Promise<{ ok: true; profile: ExtensionProfile } | { ok: false; problems: ExtensionProblem[] }> {
  const parsed = parseExtensionProfile(text);
  if (!parsed.ok) return parsed;
  await (await storage()).kv.set(EXTENSION_PROFILE_KEY, JSON.parse(JSON.stringify(parsed.profile)) as JsonValue);
  return parsed;
}

export async function dropExtensionProfile(storage: AppStorage): Promise<void> {
  await storage.kv.delete(EXTENSION_PROFILE_KEY);
}
