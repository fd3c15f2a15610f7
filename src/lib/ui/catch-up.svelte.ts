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
    const io = new IntersectionObserver(
      (entries) => {
        const last = entries.at(-1);
        if (last) this.#catchUp.setNear(last.isIntersecting);
      },
      { rootMargin: this.#margin }
    );
    io.observe(element);
    return () => {
      io.disconnect();
      this.#catchUp.setNear(true);
    };
  };
}
