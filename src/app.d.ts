// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  /** package version + git revision, injected by vite.config.ts */
  const __BUILD_VERSION__: string;
  const __BUILD_TIME__: string;
  namespace App {}
}
export {};
