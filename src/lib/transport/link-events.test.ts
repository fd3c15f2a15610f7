import { afterEach, describe, expect, it, vi } from 'vitest';
import { Listeners, StatusCell } from './link-events';
import type { TransportStatus } from './types';

describe('Listeners', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a throwing listener neither stops the others nor reaches the emitter; the error is reported', () => {
    const reported: unknown[] = [];
    vi.stubGlobal('queueMicrotask', (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        reported.push(e);
      }
    });
    const l = new Listeners<number>();
    const got: number[] = [];
    l.add(() => {
      throw new Error('bad listener');
    });
    l.add((v) => got.push(v));
    expect(() => l.emit(7)).not.toThrow();
    expect(got).toEqual([7]);
    expect(reported).toHaveLength(1);
  });

  it('the same function added twice is two subscriptions, each removed on its own', () => {
    const l = new Listeners<number>();
    const got: number[] = [];
    const fn = (v: number) => got.push(v);
    const a = l.add(fn);
    l.add(fn);
    l.emit(1);
    a();
    l.emit(2);
    expect(got).toEqual([1, 1, 2]);
  });
});

describe('StatusCell', () => {
  it('drops a status equal to the current one and freezes what it hands out', () => {
    const cell = new StatusCell();
    const seen: TransportStatus[] = [];
    cell.subscribe((s) => seen.push(s));
    cell.set({ state: 'closed' });
    cell.set({ state: 'opening' });
    cell.set({ state: 'opening', reconnecting: false });
    cell.set({ state: 'lost', reason: 'unplugged', reconnecting: true });
    cell.set({ state: 'lost', reason: 'unplugged', reconnecting: true });
    cell.set({ state: 'lost', reason: 'unplugged', message: 'm', reconnecting: true });
    expect(seen).toEqual([
      { state: 'opening' },
      { state: 'lost', reason: 'unplugged', reconnecting: true },
      { state: 'lost', reason: 'unplugged', message: 'm', reconnecting: true }
    ]);
    expect(Object.isFrozen(cell.current)).toBe(true);
  });
});
