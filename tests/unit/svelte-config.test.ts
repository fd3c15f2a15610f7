// svelte.config.js is loaded more than once in one build; the version name must not change
// between loads, or the prerendered pages and the client code disagree and the app stays blank.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '@sveltejs/kit';

/** A fresh evaluation of svelte.config.js, as a second load in the same build would do. */
async function loadConfig(instance: number): Promise<Config> {
  const url = `../../svelte.config.js?load=${instance}`;
  return ((await import(/* @vite-ignore */ url)) as { default: Config }).default;
}

describe('svelte.config.js version name', () => {
  const saved = process.env.BUILD_VERSION;
  afterEach(() => {
    vi.useRealTimers();
    if (saved === undefined) delete process.env.BUILD_VERSION;
    else process.env.BUILD_VERSION = saved;
  });

  it('stays the same when a build crosses a minute boundary between two loads', async () => {
    delete process.env.BUILD_VERSION;
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-25T10:41:59.900Z'));
    const first = (await loadConfig(1)).kit?.version?.name;
    vi.setSystemTime(new Date('2026-11-25T10:42:00.100Z'));
    const second = (await loadConfig(2)).kit?.version?.name;
    expect(first).toBe('202611251041');
    expect(second).toBe(first);
  });
});
