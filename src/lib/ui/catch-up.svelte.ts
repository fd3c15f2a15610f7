// The rune side of catch-up.ts: a value that follows its source at once while an element is on
// screen, and in idle time while it is not.

import { untrack } from 'svelte';
import type { Attachment } from 'svelte/attachments';
import { CatchUp, type CatchUpOptions } from './catch-up';

/**
 * `current` is `source()`, lagging in idle time while the observed element is off screen.
 * Create it while a component initialises (it owns effects) and attach `observe` to the element
 * whose position decides: `<div {@attach shown.observe}>`.
 */
export class CatchUpValue<T> {
  current: T = $state.raw() as T;
  readonly #catchUp: CatchUp<T>;

  constructor(source: () => T, options: CatchUpOptions = {}) {
    this.current = untrack(source);
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
    const stop = watchNear(element, (near) => this.#catchUp.setNear(near));
    return () => {
      stop();
      this.#catchUp.setNear(true);
    };
  };
}

/**
 * One IntersectionObserver for every watched element (sixteen cards need not cost sixteen
 * observers on every frame). No margin: an element counts as near only while it intersects the
 * viewport, so the lower cards of a laptop screen stay out of the refresh's frame; one scrolled in
 * catches up right after the first frame that shows it.
 */
// Observer bookkeeping, never read by a template.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const listeners = new Map<Element, (near: boolean) => void>();
let observer: IntersectionObserver | null = null;

function watchNear(element: Element, listener: (near: boolean) => void): () => void {
  observer ??= new IntersectionObserver((records) => {
    for (const r of records) listeners.get(r.target)?.(r.isIntersecting);
  });
  listeners.set(element, listener);
  observer.observe(element);
  return () => {
    observer?.unobserve(element);
    listeners.delete(element);
  };
}
