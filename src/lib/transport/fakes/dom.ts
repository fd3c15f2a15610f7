// Small pieces the browser doubles share. Everything under fakes/ must run both in Node (vitest)
// and inside a page (injected by tests/fixtures), so it uses only what both have: EventTarget,
// Event, DOMException and the WHATWG streams.

/** A DOMException the way the browser throws it: `name` carries the meaning, not the message. */
export function domError(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

/**
 * Dispatch `type` at `target` and then at `parent`, the way a bubbling event travels from a
 * SerialPort to navigator.serial: listeners on the parent see `event.target === target`.
 * Plain EventTargets have no parent chain, so the parent gets its own event whose `target` is
 * pinned to the original target.
 */
export function dispatchBubbling(target: EventTarget, parent: EventTarget | null, type: string): void {
  target.dispatchEvent(new Event(type, { bubbles: true }));
  callHandler(target, type);
  if (!parent) return;
  const ev = new Event(type, { bubbles: true });
  Object.defineProperty(ev, 'target', { value: target, configurable: true });
  parent.dispatchEvent(ev);
  callHandler(parent, type, ev);
}

/** Run an `on<type>` handler property, as the browser does for event handler attributes. */
export function callHandler(target: EventTarget, type: string, ev: Event = new Event(type)): void {
  const handler = (target as unknown as Record<string, unknown>)['on' + type];
  if (typeof handler === 'function') (handler as (this: EventTarget, e: Event) => void).call(target, ev);
}

/** The page's transient user activation, where there is a page. */
export function pageHasUserActivation(): boolean {
  const nav = (globalThis as { navigator?: { userActivation?: { isActive?: boolean } } }).navigator;
  return nav?.userActivation?.isActive === true;
}

/**
 * Gate for the permission prompts (requestPort, requestDevice): real browsers refuse them outside a
 * click. In a page the real activation counts; in Node a test calls `grant()` to stand in for the
 * click, and the next prompt consumes it.
 */
export class UserActivationGate {
  #pending = false;
  readonly #source: () => boolean;

  constructor(source: () => boolean = pageHasUserActivation) {
    this.#source = source;
  }

  grant(): void {
    this.#pending = true;
  }

  /** True when a prompt may open now; consumes a granted gesture. */
  consume(): boolean {
    if (this.#pending) {
      this.#pending = false;
      return true;
    }
    return this.#source();
  }
}

/** A copy of the bytes of any BufferSource, so later changes by the caller cannot leak in. */
export function copyBytes(data: ArrayBufferView | ArrayBuffer | ArrayLike<number>): Uint8Array {
  if (data instanceof Uint8Array) return data.slice();
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (typeof (data as ArrayLike<number>).length === 'number') return Uint8Array.from(data as ArrayLike<number>);
  throw new TypeError('expected a BufferSource');
}

/** Let the caller's promise continuations run, as a round trip to the browser process would. */
export async function yieldToCaller(hops = 2): Promise<void> {
  for (let i = 0; i < hops; i++) await Promise.resolve();
}
