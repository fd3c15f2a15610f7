// The session is scoped to the component tree through context, not a module singleton: the root
// layout creates one and every page asks for it. Tests mount with their own.

import { createContext } from 'svelte';
import type { DeviceSession } from './session.svelte';

const [getSessionContext, setSessionContext] = createContext<DeviceSession>();

/** The live session, from any component under the root layout. */
export function getSession(): DeviceSession {
  return getSessionContext();
}

export function setSession(session: DeviceSession): DeviceSession {
  return setSessionContext(session);
}

/**
 * Test and diagnostic hook: the root layout puts the session on `window.__packservice` so that
 * Playwright tests and the UI benchmark can read its state (`session.phase`, `session.packs`)
 * and drive it. Nothing in the app reads it; it is not an API for pages.
 */
export interface PackServiceHook {
  session: DeviceSession;
}

declare global {
  interface Window {
    __packservice?: PackServiceHook;
  }
}
