// The last device the user connected, so a reload (or tomorrow's visit) can reconnect without a
// picker: the most requested feature of comparable tools (anchors §9.1).

import type { TransportKind } from '$lib/transport/types';
import { readKey, writeKey, type KeyValueStorage } from './storage';

export const LAST_DEVICE_KEY = 'packservice.lastDevice.v1';

export interface LastDevice {
  kind: TransportKind;
  /** Serial: the adapter's USB ids, to pick the right one among several granted ports. */
  usbVendorId?: number;
  usbProductId?: number;
  /** BLE: the device name, to pick among several granted devices. */
  bleName?: string;
  /** Baud the link last worked at (after auto-detection), so the next connect tries it first. */
  baud?: number;
  /** Human label shown on the reconnect button. */
  label?: string;
  /** False once the user disconnected on purpose: then a reload must not reconnect. */
  autoReconnect: boolean;
}

function optionalInt(v: unknown, max: number): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
}

function optionalText(v: unknown, maxLength: number): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, maxLength) : undefined;
}

/** Parse stored JSON; anything that is not a plausible record reads as "no last device". */
export function parseLastDevice(text: string | null): LastDevice | null {
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  if (r.kind !== 'serial' && r.kind !== 'ble' && r.kind !== 'sim') return null;
  const out: LastDevice = { kind: r.kind, autoReconnect: r.autoReconnect !== false };
  const vid = optionalInt(r.usbVendorId, 0xffff);
  const pid = optionalInt(r.usbProductId, 0xffff);
  const baud = optionalInt(r.baud, 4_000_000);
  const bleName = optionalText(r.bleName, 64);
  const label = optionalText(r.label, 120);
  if (vid !== undefined) out.usbVendorId = vid;
  if (pid !== undefined) out.usbProductId = pid;
  if (baud !== undefined && baud > 0) out.baud = baud;
  if (bleName !== undefined) out.bleName = bleName;
  if (label !== undefined) out.label = label;
  return out;
}

export function loadLastDevice(storage: KeyValueStorage | null): LastDevice | null {
  return parseLastDevice(readKey(storage, LAST_DEVICE_KEY));
}

/** Returns an error message when it could not be saved. */
export function saveLastDevice(storage: KeyValueStorage | null, device: LastDevice | null): string | null {
  return writeKey(storage, LAST_DEVICE_KEY, device === null ? null : JSON.stringify(device));
}

/**
 * Among granted candidates, the one that matches the last device best: same ids (or name), else
 * the only candidate, else none (guessing between two adapters could talk to the wrong bank).
 */
export function pickRemembered<T>(last: LastDevice, candidates: readonly T[], describe: (c: T) => Partial<LastDevice>): T | null {
  const exact = candidates.filter((c) => {
    const d = describe(c);
    if (last.kind === 'ble') return last.bleName !== undefined && d.bleName === last.bleName;
    return last.usbVendorId !== undefined && d.usbVendorId === last.usbVendorId && d.usbProductId === last.usbProductId;
  });
  if (exact.length >= 1) return exact[0];
  return candidates.length === 1 ? candidates[0] : null;
}
