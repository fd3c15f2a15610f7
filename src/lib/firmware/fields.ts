// Field-by-field validation of JSON we did not write (catalogs from a server, manifests inside
// package files). Every failure names the path of the field ("releases[2].sha256"), what was
// found and what was expected, so a corrupt catalog says which line to fix.

import { FirmwareError } from './errors';

/** Which document is being read: decides the error kind. */
export type DocumentKind = 'catalog' | 'manifest';

export type JsonObject = { readonly [key: string]: unknown };

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const TITLE: Record<DocumentKind, string> = { catalog: 'The firmware catalog', manifest: 'The package manifest' };

export function fieldError(kind: DocumentKind, path: string, expected: string, found: unknown): FirmwareError {
  return new FirmwareError(kind, `${TITLE[kind]} is not valid: ${path} should be ${expected}, but is ${describe(found)}.`, {
    field: path,
    found: describe(found),
    expected
  });
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the fields of one JSON object, throwing a FirmwareError that names the path. */
export class FieldReader {
  readonly kind: DocumentKind;
  readonly path: string;
  readonly #object: JsonObject;

  constructor(kind: DocumentKind, path: string, value: unknown) {
    if (!isObject(value)) throw fieldError(kind, path || '(top level)', 'an object', value);
    this.kind = kind;
    this.path = path;
    this.#object = value;
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  raw(key: string): unknown {
    return this.#object[key];
  }

  /** A string, trimmed; `pattern` and `maxLength` checked. */
  string(key: string, options: { pattern?: RegExp; expected?: string; maxLength?: number } = {}): string {
    const value = this.#object[key];
    const expected = options.expected ?? 'a non-empty text';
    if (typeof value !== 'string' || value.trim() === '') throw fieldError(this.kind, this.at(key), expected, value);
    const text = value.trim();
    if (options.maxLength !== undefined && text.length > options.maxLength) {
      throw fieldError(this.kind, this.at(key), `${expected} of at most ${options.maxLength} characters`, value);
    }
    if (options.pattern && !options.pattern.test(text)) throw fieldError(this.kind, this.at(key), expected, value);
    return text;
  }

  optionalString(key: string, options: { pattern?: RegExp; expected?: string; maxLength?: number } = {}): string | null {
    const value = this.#object[key];
    if (value === undefined || value === null) return null;
    return this.string(key, options);
  }

  /** A whole number in [min, max]. */
  integer(key: string, min: number, max: number): number {
    const value = this.#object[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw fieldError(this.kind, this.at(key), `a whole number from ${min} to ${max}`, value);
    }
    return value;
  }

  array(key: string): unknown[] {
    const value = this.#object[key];
    if (!Array.isArray(value)) throw fieldError(this.kind, this.at(key), 'a list', value);
    return value;
  }
}

/** A calendar date "YYYY-MM-DD" that exists. */
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(text: string): boolean {
  if (!DATE_PATTERN.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}
