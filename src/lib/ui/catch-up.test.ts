import { describe, expect, it } from 'vitest';
import { CatchUp, batchedIdle, type IdleScheduler } from './catch-up';

/** An idle scheduler the test runs by hand. */
function manualIdle() {
  const queue: { callback: () => void; timeout_ms: number; cancelled: boolean }[] = [];
  const idle: IdleScheduler = (callback, timeout_ms) => {
    const entry = { callback, timeout_ms, cancelled: false };
    queue.push(entry);
    return () => (entry.cancelled = true);
  };
  const runIdle = () => {
    for (const e of queue.splice(0)) if (!e.cancelled) e.callback();
  };
  return { idle, queue, runIdle, live: () => queue.filter((e) => !e.cancelled).length };
}

describe('CatchUp', () => {
  it('applies at once while near the screen', () => {
    const seen: number[] = [];
    const { idle, live } = manualIdle();
    const c = new CatchUp<number>((v) => seen.push(v), { idle });
    c.offer(1);
    c.offer(2);
    expect(seen).toEqual([1, 2]);
    expect(live()).toBe(0);
  });

  it('off screen, applies only the newest value, once, in idle time, with the lag bound as timeout', () => {
    const seen: number[] = [];
    const { idle, queue, runIdle, live } = manualIdle();
    const c = new CatchUp<number>((v) => seen.push(v), { idle, maxLag_ms: 300 });
    c.setNear(false);
    c.offer(1);
    c.offer(2);
    c.offer(3);
    expect(seen).toEqual([]);
    expect(c.behind).toBe(true);
    expect(live()).toBe(1);
    expect(queue[0].timeout_ms).toBe(300);
    runIdle();
    expect(seen).toEqual([3]);
    expect(c.behind).toBe(false);
    runIdle();
    expect(seen).toEqual([3]);
  });

  it('coming near the viewport applies the waiting value at once and cancels the idle run', () => {
    const seen: string[] = [];
    const { idle, runIdle, live } = manualIdle();
    const c = new CatchUp<string>((v) => seen.push(v), { idle });
    c.setNear(false);
    c.offer('a');
    c.setNear(true);
    expect(seen).toEqual(['a']);
    expect(live()).toBe(0);
    runIdle();
    expect(seen).toEqual(['a']);
  });

  it('flush (before printing) applies the waiting value; with nothing waiting it applies nothing', () => {
    const seen: number[] = [];
    const { idle } = manualIdle();
    const c = new CatchUp<number>((v) => seen.push(v), { idle });
    c.flush();
    expect(seen).toEqual([]);
    c.setNear(false);
    c.offer(7);
    c.flush();
    expect(seen).toEqual([7]);
  });

  it('a value offered near the screen overtakes one waiting from before', () => {
    const seen: number[] = [];
    const { idle, runIdle } = manualIdle();
    const c = new CatchUp<number>((v) => seen.push(v), { idle });
    c.setNear(false);
    c.offer(1);
    // setNear(true) flushes 1; then 2 is applied at once
    c.setNear(true);
    c.offer(2);
    runIdle();
    expect(seen).toEqual([1, 2]);
  });

  it('dispose drops a waiting value', () => {
    const seen: number[] = [];
    const { idle, runIdle } = manualIdle();
    const c = new CatchUp<number>((v) => seen.push(v), { idle });
    c.setNear(false);
    c.offer(1);
    c.dispose();
    runIdle();
    expect(seen).toEqual([]);
  });
});

describe('batchedIdle', () => {
  it('shares one base request among callbacks with the same timeout and runs them in order', () => {
    const base = manualIdle();
    const idle = batchedIdle(base.idle);
    const ran: string[] = [];
    idle(() => ran.push('a'), 500);
    idle(() => ran.push('b'), 500);
    idle(() => ran.push('c'), 200);
    expect(base.live()).toBe(2);
    base.runIdle();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('cancelling one callback leaves the others; cancelling the last one cancels the base request', () => {
    const base = manualIdle();
    const idle = batchedIdle(base.idle);
    const ran: string[] = [];
    const cancelA = idle(() => ran.push('a'), 500);
    const cancelB = idle(() => ran.push('b'), 500);
    cancelA();
    expect(base.live()).toBe(1);
    cancelB();
    expect(base.live()).toBe(0);
    // A new callback after that opens a new batch.
    idle(() => ran.push('c'), 500);
    expect(base.live()).toBe(1);
    base.runIdle();
    expect(ran).toEqual(['c']);
  });

  it('a callback scheduled while a batch runs waits for the next idle time', () => {
    const base = manualIdle();
    const idle = batchedIdle(base.idle);
    const ran: string[] = [];
    idle(() => {
      ran.push('first');
      idle(() => ran.push('second'), 500);
    }, 500);
    base.runIdle();
    expect(ran).toEqual(['first']);
    expect(base.live()).toBe(1);
    base.runIdle();
    expect(ran).toEqual(['first', 'second']);
  });

  it('many CatchUps off screen make one request per refresh and all catch up in it', () => {
    const base = manualIdle();
    const idle = batchedIdle(base.idle);
    const seen: number[] = [];
    const cards = Array.from({ length: 16 }, (_, i) => {
      const c = new CatchUp<number>((v) => (seen[i] = v), { idle });
      c.setNear(false);
      return c;
    });
    for (const [i, c] of cards.entries()) c.offer(100 + i);
    expect(base.queue.length).toBe(1);
    base.runIdle();
    expect(seen).toEqual(Array.from({ length: 16 }, (_, i) => 100 + i));
    expect(cards.some((c) => c.behind)).toBe(false);
  });
});
