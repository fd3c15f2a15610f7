// What the pages read from the live session. Plain data; the session class (session.svelte.ts)
// keeps these in runes state and replaces them whole when they change.

import type { PackHealth } from '$lib/protocol/bank-types';
import type { PackAnalog, PackStatus } from '$lib/protocol/types';
import type { TransportKind } from '$lib/transport/types';
import type { DemoScenario } from './demo-scenarios';

// ---- Types of the layers below, re-exported for ui/ and routes/ ---------------------------------
// Pages and components import these from here, never from protocol/ or transport/ (design.md's
// arrows point down one layer at a time). Add a type here when a page needs one.
export type { AlarmLevel, PackAnalog, PackStatus, StatusFlag } from '$lib/protocol/types';
export type { TransportInfo, TransportKind } from '$lib/transport/types';
// ---- end of re-exports ---------------------------------------------------------------------------

export type SessionPhase =
  /** Nothing connected; the connect page is showing. */
  | 'idle'
  | 'connecting'
  /** Open; finding out who is on the bus. */
  | 'discovering'
  /** Polling. */
  | 'live'
  /** The link went away; values are kept but shown as stale. */
  | 'lost'
  /** The transport is trying to get the link back by itself. */
  | 'reconnecting'
  | 'error'
  /** Nothing connected: an opened diagnose report is shown in the pages instead (report-source.ts). */
  | 'report';

/** Identity read once per pack (C1H / C2H); null fields where the pack did not answer. */
export interface PackIdentity {
  softwareVersion: string | null;
  bluetoothName: string | null;
  bmsSerial: string | null;
  packSerial: string | null;
}

export interface PackView {
  address: number;
  isMaster: boolean;
  analog: PackAnalog | null;
  status: PackStatus | null;
  /** The pack refused the status read (44H, RTN 04): `status` stays null, and that is no fault. */
  statusUnsupported: boolean;
  health: PackHealth;
  /** Clock time (ms) the newest values arrived, null if never. */
  received_ms: number | null;
  /**
   * True only while the link is up, the pack answered its last poll, and its newest values are
   * younger than one refresh interval plus one reply deadline (health.freshUntil_ms). Turns false
   * by itself when they get older.
   */
  fresh: boolean;
  identity: PackIdentity | null;
  /** Values of an opened diagnose report (report mode): as read then, never live now (`fresh` is false). */
  fromReport?: true;
}

/** Bank totals as the vendor tool's parallel page shows them. */
export interface BankTotals {
  /** Sum of the live packs' currents, + charging (stale packs are not added: see freshPacks). */
  busCurrent_A: number;
  /** Mean of the fresh packs' voltages. */
  systemVoltage_V: number;
  /** Capacity-weighted SOC of the fresh packs. */
  soc_pct: number | null;
  /** Sum of the live packs' power. */
  power_W: number;
  state: 'standby' | 'charging' | 'discharging';
  /** Packs counted in the sums and means: the live ones. */
  freshPacks: number;
  totalPacks: number;
}

export interface LinkHealth {
  phase: SessionPhase;
  /** Clock time (ms) of the last good reply from any pack. */
  lastReply_ms: number | null;
  timeouts: number;
  badFrames: number;
  reconnects: number;
  message: string | null;
}

export interface ConnectOptions {
  kind: TransportKind;
  /** Serial: 9600 (default), 19200 or 115200; 'auto' tries each. */
  baud?: number | 'auto';
  /** Demo bank size, 1..16 (default 16). */
  simPacks?: number;
  /** What the demo bank is doing: the household day (default) or one with faults to find. */
  demoScenario?: DemoScenario;
}

/** One trend sample of one pack (the Trend component reads columns of these). */
export interface TrendSample {
  t_ms: number;
  voltage_V: number;
  current_A: number;
  soc_pct: number | null;
  cellSpread_mV: number;
  maxTemp_C: number | null;
  minTemp_C: number | null;
}
