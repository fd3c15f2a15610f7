// Plain JSON values: what parameter snapshots, write-log entries, catalogs, reports and key/value
// settings hold. Stored as structured clones, exported as JSON text, so they must survive both.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Null when `value` is plain JSON (finite numbers, no undefined, no class instances, no cycles),
 * else the path of the first offending part ("values.cellOv[2]: not a finite number").
 */
export function jsonProblem(value: unknown, path = 'value', seen: Set<object> = new Set()): string | null {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path}: ${value} is not a finite number`;
  if (typeof value !== 'object') return `${path}: a ${typeof value} is not JSON`;
  if (seen.has(value)) return `${path}: refers to itself`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const p = jsonProblem(value[i], `${path}[${i}]`, seen);
        if (p) return p;
      }
      return null;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return `${path}: a ${value.constructor?.name ?? 'class instance'} is not plain JSON`;
    for (const [k, v] of Object.entries(value)) {
      const p = jsonProblem(v, `${path}.${k}`, seen);
      if (p) return p;
    }
    return null;
  } finally {
    seen.delete(value);
  }
}

export function isJsonValue(value: unknown): value is JsonValue {
  return jsonProblem(value) === null;
}
