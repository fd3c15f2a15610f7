// Node module hooks that let the fault matrix run the app's engines outside Vite: `$lib/...`
// resolves to src/lib, and `*.svelte.ts` modules (the session's runes classes) are compiled by
// Svelte after tsx has stripped their types, exactly as Vitest's SSR transform does.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
