// The rune side of catch-up.ts: a value that follows its source at once while an element is on
// or near the screen, and in idle time while it is not.

import { untrack } from 'svelte';
import type { Attachment } from 'svelte/attachments';
import { CatchUp, type CatchUpOptions } from './catch-up';

export interface CatchUpValueOptions extends CatchUpOptions {
  /**
   * How far beyond the viewport an element still counts as near (IntersectionObserver
   * rootMargin): it catches up before it scrolls in.
   */
  margin?: string;
}

/**
 * `current` is `source()`, lagging in idle time while the observed element is off screen.
 * Create it while a component initialises (it owns effects) and attach `observe` to the element
 * whose position decides: `<div {@attach shown.observe}>`.
 */
export class CatchUpValue<T> {
  current: T = $state.raw() as T;
  readonly #catchUp: CatchUp<T>;
  readonly #margin: string;

  constructor(source: () => T, options: CatchUpValueOptions = {}) {
    this.current = untrack(source);
    this.#margin = options.margin ?? '0px';
    this.#catchUp = new CatchUp((value) => (this.current = value), options);
    $effect.pre(() => {
      const next = source();
      untrack(() => this.#catchUp.offer(next));
    });
    $effect(() => {
      // A printout shows every section, so none may be behind.
      const print = () => this.#catchUp.flush();
      addEventListener('beforeprint', print);
      return () => {
        removeEventListener('beforeprint', print);
        this.#catchUp.dispose();
      };
    });
  }

  readonly observe: Attachment<Element> = (element) => {
    const stop = watchNear(element, this.#margin, (near) => this.#catchUp.setNear(near));
    return () => {
      stop();
      this.#catchUp.setNear(true);
    };
  };
}

/**
 * One IntersectionObserver per margin for every watched element (sixteen cards need not cost
 * sixteen observers on every frame).
 */
const observers = new Map<string, { io: IntersectionObserver; listeners: Map<Element, (near: boolean) => void> }>();

function watchNear(element: Element, margin: string, listener: (near: boolean) => void): () => void {
  let entry = observers.get(margin);
  if (!entry) {
    const listeners = new Map<Element, (near: boolean) => void>();
    const io = new IntersectionObserver(
      (records) => {
        for (const r of records) listeners.get(r.target)?.(r.isIntersecting);
      },
      { rootMargin: margin }
    );
    entry = { io, listeners };
    observers.set(margin, entry);
  }
  const { io, listeners } = entry;
  listeners.set(element, listener);
  io.observe(element);
  return () => {
    io.unobserve(element);
    listeners.delete(element);
  };
}
