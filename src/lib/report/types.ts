// The diagnose report file, schema 1: everything the diagnose wizard read, the raw frames it was
// read from (so support can decode them again with a better decoder), the health findings, and a
// readable summary in the customer's language. One JSON file; `validate.ts` checks one on open.
//
// All times are Unix epoch milliseconds (the file outlives the page and its clock). Values are the
// protocol layer's typed values as plain JSON (PackAnalog, PackStatus), so the app shows an opened
// report in its normal pages.

import type { PackHealth } from '../protocol/bank-types';
import type { PackAnalog, PackStatus } from '../protocol/types';

export const REPORT_FORMAT = 'packservice-diagnose-report';
/** Bump when a reader of the old schema could misread a new file; add fields freely otherwise. */
export const REPORT_SCHEMA = 1;

export type ReportLocale = 'en' | 'zh-CN';
export const REPORT_LOCALES: readonly ReportLocale[] = ['en', 'zh-CN'];

export type LinkKind = 'serial' | 'ble' | 'sim';

export interface ReportLink {
  kind: LinkKind;
  /** The transport's own label ("USB CP210x (10c4:ea60)", "Demo bank (16 packs)"). */
  label: string;
  /** Serial baud; null for Bluetooth and the demo bank's own pace. */
  baud: number | null;
  profile: string;
  ver: number;
  cid1: number;
  masterAddress: number;
  addressing: 'relay' | 'direct';
  /** Whether one 42H/44H with COMMAND FF answered for the whole bank. */
  broadcast: boolean | null;
}

export interface ReportIdentity {
  softwareVersion: string | null;
  bluetoothName: string | null;
  bmsSerial: string | null;
  packSerial: string | null;
}

/** The pack's clock (B1H) against the computer's. */
export type ReportClock =
  | {
      status: 'ok';
      /** When it was read (computer time). */
      read_ms: number;
      /** The pack's clock face, "YYYY-MM-DD hh:mm:ss" (it has no time zone). */
      pack: string;
      /** False when the fields are not a calendar time (an unset clock). */
      valid: boolean;
      /** Pack time minus computer local time (s), null when not valid. */
      drift_s: number | null;
    }
  /** Not read, with why (no answer, another pack answered over RS232, refused). */
  | { status: 'unread'; reason: string };

export type ReportParamGroup = { status: 'ok' } | { status: 'unsupported' | 'failed' | 'skipped'; message: string };

export interface ReportParams {
  /** False when the pack did not answer for itself (over RS232 only the pack on the cable does). */
  reachable: boolean;
  problem: string | null;
  groups: Record<string, ReportParamGroup>;
  /** Every value read, by param id ("cellOverVoltage.protect_mV"). */
  values: Record<string, number | boolean | string>;
}

export interface ReportHistoryRecord {
  /** The pack's clock face when it wrote the record, "YYYY-MM-DD hh:mm:ss". */
  packTime: string;
  timeValid: boolean;
  kind: string;
  /** Ids of the notable flags (alarms, protections, faults, "fully charged"). */
  flags: string[];
  /** The record's INFO as read, hex. */
  raw_hex: string;
}

export interface ReportHistory {
  /** Why the read ended: end, cap, overlap, repeating, cancelled, error. */
  stop: string;
  /** Records read (the newest first, up to the cap). */
  records: ReportHistoryRecord[];
  /** What went wrong, in words; null when nothing did. */
  problem: string | null;
}

/** One poll of one pack during the watch. */
export interface ReportSample {
  t_ms: number;
  current_A: number;
  voltage_V: number;
  soc_pct: number | null;
  cells_mV: number[];
  temps_C: (number | null)[];
}

export interface ReportPack {
  address: number;
  isMaster: boolean;
  identity: ReportIdentity | null;
  /** The newest values (null when the pack never answered). */
  analog: PackAnalog | null;
  status: PackStatus | null;
  statusUnsupported: boolean;
  /** The poller's view of the pack at the end (its times in epoch ms). */
  health: PackHealth;
  /** When the newest values arrived. */
  received_ms: number | null;
  clock: ReportClock;
  params: ReportParams | null;
  history: ReportHistory | null;
  samples: ReportSample[];
  /** Polls of this pack during the watch that got an answer, and that did not. */
  polls: { answered: number; missed: number };
}

export interface ReportTrafficEntry {
  t_ms: number;
  dir: 'tx' | 'rx' | 'error';
  /** The bytes as printable wire text (CR as \r), for frames; empty for errors without bytes. */
  text: string;
  /** What went wrong (dir 'error'). */
  error?: string;
}

export type Severity = 'ok' | 'note' | 'watch' | 'problem';
export type Verdict = 'good' | 'watch' | 'problem' | 'no-data';

export type FindingValue = number | string | null;

export interface Finding {
  /** What was found (health.ts FINDING_IDS); words come from report/words.ts. */
  id: string;
  severity: Severity;
  /** The pack it is about; null for the bank. */
  pack: number | null;
  /** The numbers and names the sentence needs. */
  values: Record<string, FindingValue>;
}

export interface PackVerdict {
  address: number;
  verdict: Verdict;
}

export interface DiagnoseReport {
  format: typeof REPORT_FORMAT;
  schema: number;
  /** When reading started and when the report was made. */
  started_ms: number;
  created_ms: number;
  app: { version: string; userAgent: string | null };
  request: {
    ticket: string | null;
    expectedPacks: number | null;
    watch_s: number;
    language: ReportLocale;
  };
  link: ReportLink;
  packs: ReportPack[];
  stats: { requests: number; timeouts: number; badFrames: number; echoes: number; retries: number };
  traffic: { entries: ReportTrafficEntry[]; dropped: number };
  findings: Finding[];
  verdicts: PackVerdict[];
  /** The readable summary, in `language`: what the customer saw on screen. */
  summary: { language: ReportLocale; text: string };
}
