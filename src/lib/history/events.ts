// What a history record says happened, in ids a page turns into words (words.ts): the record's
// kind (power-on, fault, protection, warning, fully charged, normal) and every set bit of its
// status bytes, read through the same flag tables as the live 44H status (status-flags.ts).
// PbmsTools shows a "type" per record derived the same way, from the status bytes.

import { decodeFlags, type FlagSource } from '../protocol/commands/status-flags';
import { isPowerOnRecord, type HistoryRecord, type HistoryStatusBytes } from '../protocol/commands/history';
import type { StatusFlag } from '../protocol/types';

export type HistoryEventKind =
  /** The BMS wrote the record as it started (status record bit 0). */
  | 'power-on'
  | 'fault'
  | 'protection'
  | 'warning'
  /** Nothing wrong; "fully charged" set. */
  | 'full'
  /** No flag but the normal running states (a flag cleared, or a timed record). */
  | 'normal';

/** Most severe first: the order a kind is chosen in, and a filter's natural order. */
export const HISTORY_EVENT_KINDS: readonly HistoryEventKind[] = ['power-on', 'fault', 'protection', 'warning', 'full', 'normal'];

export interface HistoryFlag {
  /** Stable id from the status-flag tables, e.g. "cellOverVoltageProtect"; "<source>Bit<n>" for bits no table names. */
  id: string;
  source: FlagSource;
  bit: number;
  severity: StatusFlag['severity'];
}

export interface HistoryEvent {
  kind: HistoryEventKind;
  powerOn: boolean;
  /** Every set bit of the stored status bytes (running states such as "charge MOSFET on" included). */
  flags: HistoryFlag[];
  /** Status bytes this firmware does not record (FF): their flags are unknown, not clear. */
  unsupported: FlagSource[];
}

/** The record's status bytes in wire order, with the flag table each is read with. */
const SOURCES: readonly (keyof HistoryStatusBytes & FlagSource)[] = [
  'protection1',
  'protection2',
  'fault',
  'warning1',
  'warning2',
  'indication',
  'fault8',
  'fault10'
];

/** Flags that are an event in themselves; the other 'state' flags (MOSFETs on, charger present) are the normal run. */
const NOTABLE_STATES: ReadonlySet<string> = new Set(['fullyCharged']);

/** True for flags worth listing as what happened (every alarm, protection and fault, and "fully charged"). */
export function isNotable(flag: Pick<HistoryFlag, 'id' | 'severity'>): boolean {
  return flag.severity !== 'state' || NOTABLE_STATES.has(flag.id);
}

export function describeRecord(record: HistoryRecord): HistoryEvent {
  const flags: HistoryFlag[] = [];
  const unsupported: FlagSource[] = [];
  for (const source of SOURCES) {
    const value = record.status[source];
    if (value === null) {
      unsupported.push(source);
      continue;
    }
    // The control byte is not stored in a record, so its polarity option never matters here.
    for (const f of decodeFlags(source, value, { controlPolarity: 'doc' })) flags.push({ id: f.id, source, bit: f.bit, severity: f.severity });
  }
  const powerOn = isPowerOnRecord(record);
  return { kind: kindOf(powerOn, flags), powerOn, flags, unsupported };
}

function kindOf(powerOn: boolean, flags: readonly HistoryFlag[]): HistoryEventKind {
  if (powerOn) return 'power-on';
  if (flags.some((f) => f.severity === 'fault')) return 'fault';
  if (flags.some((f) => f.severity === 'protection')) return 'protection';
  if (flags.some((f) => f.severity === 'warning')) return 'warning';
  if (flags.some((f) => f.id === 'fullyCharged')) return 'full';
  return 'normal';
}

export interface HistoryChange {
  /** Notable flags set in this record and not in the one before. */
  raised: string[];
  /** Notable flags set in the one before and not in this record. */
  cleared: string[];
}

/**
 * What changed from the pack's previous record (`older`, null for the oldest one known): the
 * firmware writes a record when a status byte changes, so this is the event itself. A byte the
 * firmware does not record in either record is left out, not reported as cleared.
 */
export function changesSince(older: HistoryEvent | null, newer: HistoryEvent): HistoryChange {
  const notable = (e: HistoryEvent, skip: ReadonlySet<FlagSource>) =>
    new Set(e.flags.filter((f) => isNotable(f) && !skip.has(f.source)).map((f) => f.id));
  if (older === null) return { raised: [...notable(newer, new Set())], cleared: [] };
  const skip = new Set<FlagSource>([...older.unsupported, ...newer.unsupported]);
  const before = notable(older, skip);
  const after = notable(newer, skip);
  return { raised: [...after].filter((id) => !before.has(id)), cleared: [...before].filter((id) => !after.has(id)) };
}
