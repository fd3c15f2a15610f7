// Small checkers for JSON read from a file: each takes an unknown value and the path it sits at,
// and returns a new, typed value built only from the fields it knows, or throws a FieldProblem
// that names the field ("packs[2].analog.cells_mV[5] should be a number, but is \"x\""). Unknown
// fields are dropped, so what a file carries beyond the schema never reaches the pages.

export class FieldProblem extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.name = 'FieldProblem';
    this.field = field;
  }
}

export type Check<T> = (value: unknown, path: string) => T;

/** How a value looks in a message: short, and never the whole of a long string. */
export function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function fail(path: string, expected: string, value: unknown): never {
  throw new FieldProblem(path, `should be ${expected}, but is ${shown(value)}`);
}

export function num(o: { min?: number; max?: number; int?: boolean } = {}): Check<number> {
  const min = o.min ?? -Number.MAX_VALUE;
  const max = o.max ?? Number.MAX_VALUE;
  const what = `${o.int ? 'a whole number' : 'a number'}${o.min !== undefined || o.max !== undefined ? ` from ${o.min ?? '−∞'} to ${o.max ?? '∞'}` : ''}`;
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (o.int && !Number.isInteger(v))) fail(path, what, v);
    return v;
  };
}

export function str(o: { max?: number; min?: number } = {}): Check<string> {
  const max = o.max ?? 10_000;
  const min = o.min ?? 0;
  return (v, path) => {
    if (typeof v !== 'string' || v.length > max || v.length < min) fail(path, `text of ${min} to ${max} characters`, v);
    return v;
  };
}

export const bool: Check<boolean> = (v, path) => {
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
  return v;
};

export function oneOf<const T extends string | number>(values: readonly T[]): Check<T> {
  return (v, path) => {
    if (!(values as readonly unknown[]).includes(v)) fail(path, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
    return v as T;
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, path) => (v === null ? null : check(v, path));
}

/** A field that may be absent (undefined stays undefined). */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (v, path) => (v === undefined ? undefined : check(v, path));
}

export function arr<T>(item: Check<T>, o: { max?: number; min?: number } = {}): Check<T[]> {
  const max = o.max ?? 100_000;
  const min = o.min ?? 0;
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, 'a list', v);
    if (v.length > max || v.length < min) fail(path, `a list of ${min} to ${max} items`, v);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A record of any keys (up to `max`), each value checked. */
export function record<T>(value: Check<T>, o: { max?: number; key?: RegExp } = {}): Check<Record<string, T>> {
  const max = o.max ?? 1000;
  return (v, path) => {
    if (!isPlainObject(v)) fail(path, 'an object', v);
    const entries = Object.entries(v);
    if (entries.length > max) fail(path, `an object of at most ${max} fields`, v);
    const out: Record<string, T> = {};
    for (const [k, x] of entries) {
      if (k === '__proto__' || (o.key && !o.key.test(k))) fail(`${path}.${k}`, 'a known kind of field', k);
      out[k] = value(x, `${path}.${k}`);
    }
    return out;
  };
}

type Shape = Record<string, Check<unknown>>;
type Built<S extends Shape> = { [K in keyof S as undefined extends ReturnType<S[K]> ? never : K]: ReturnType<S[K]> } & {
  [K in keyof S as undefined extends ReturnType<S[K]> ? K : never]?: Exclude<ReturnType<S[K]>, undefined>;
};

/** An object with these fields (absent optional ones are left out of the result). */
export function obj<S extends Shape>(shape: S): Check<Built<S>> {
  return (v, path) => {
    if (!isPlainObject(v)) fail(path, 'an object', v);
    const out: Record<string, unknown> = {};
    for (const [k, check] of Object.entries(shape)) {
      const x = check(Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined, path ? `${path}.${k}` : k);
      if (x !== undefined) out[k] = x;
    }
    return out as Built<S>;
  };
}

/** The first check whose `when` matches the value decides (a tagged union). */
export function tagged<T>(tag: string, cases: Record<string, Check<T>>): Check<T> {
  return (v, path) => {
    if (!isPlainObject(v)) fail(path, 'an object', v);
    const kind = v[tag];
    const check = typeof kind === 'string' && Object.prototype.hasOwnProperty.call(cases, kind) ? cases[kind] : undefined;
    if (!check) fail(`${path}.${tag}`, `one of ${Object.keys(cases).join(', ')}`, kind);
    return check(v, path);
  };
}

/**
 * Whether JSON text stops before its value is complete (a download cut short): an open string,
 * object or list at the end. Scans once; strings and escapes are respected.
 */
export function jsonEndsEarly(text: string): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      started = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return inString || (started && depth > 0);
}
