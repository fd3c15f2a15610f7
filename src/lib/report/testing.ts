// A small, valid report for tests (two packs, a few samples and frames), built through buildReport
// so it is judged and summarised as a real one is. Not used by the app.

import type { PackAnalog, PackStatus } from '../protocol/types';
import { buildReport } from './build';
import type { DiagnoseReport, ReportPack, ReportSample } from './types';

const T0 = Date.UTC(2026, 2, 12, 13, 0, 0);

function analog(address: number): PackAnalog {
  return {
    cells_mV: Array.from({ length: 16 }, (_, c) => 3300 + ((c * 7 + address) % 5)),
    temps_C: [24.5, 24.8, 25.1, 24.9, 27.2, 23.9],
    tempLabels: ['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'MOSFET', 'Ambient'],
    current_A: -12.34,
    voltage_V: 52.81,
    remaining_Ah: 61.2,
    full_Ah: 98.7,
    design_Ah: 100,
    cycles: 87,
    soc_pct: 62,
    soh_pct: 99,
    socSource: 'computed',
    userDefinedCount: 3,
    empty: false
  };
}

function status(): PackStatus {
  return {
    cellAlarms: Array.from({ length: 16 }, () => 'normal' as const),
    tempAlarms: Array.from({ length: 6 }, () => 'normal' as const),
    chargeCurrentAlarm: 'normal',
    packVoltageAlarm: 'normal',
    dischargeCurrentAlarm: 'normal',
    bytes: { protection1: 0, protection2: 0, indication: 6, control: 6, fault: 0 },
    balancingCells: [],
    flags: [{ id: 'dischargeMosOn', source: 'indication', bit: 2, severity: 'state', label: 'Discharge MOSFET on', advice: '' }],
    chargeMosOn: true,
    dischargeMosOn: true,
    heaterOn: false,
    empty: false
  };
}

function samples(address: number): ReportSample[] {
  const a = analog(address);
  return Array.from({ length: 6 }, (_, i) => ({
    t_ms: T0 + 30_000 + i * 2000,
    current_A: a.current_A,
    voltage_V: a.voltage_V - i * 0.01,
    soc_pct: a.soc_pct,
    cells_mV: a.cells_mV,
    temps_C: a.temps_C
  }));
}

function pack(address: number): ReportPack {
  return {
    address,
    isMaster: address === 1,
    identity: { softwareVersion: 'P16S100A-1812-1.00', bluetoothName: null, bmsSerial: `P1812A0000${address}`, packSerial: `PK000000000${address}` },
    analog: analog(address),
    status: status(),
    statusUnsupported: false,
    health: {
      address,
      state: 'ok',
      lastGood_ms: T0 + 40_000,
      freshUntil_ms: T0 + 42_500,
      noReplyCount: 0,
      badReplyCount: 0,
      consecutiveFailures: 0,
      nextProbe_ms: null,
      lastError: null
    },
    received_ms: T0 + 40_000,
    clock: { status: 'ok', read_ms: T0 + 5000, pack: '2026-03-12 14:00:07', valid: true, drift_s: 2 },
    params: { reachable: true, problem: null, groups: { cellOverVoltage: { status: 'ok' } }, values: { 'cellOverVoltage.protect_mV': 3700 } },
    history: {
      stop: 'cap',
      problem: null,
      records: [{ packTime: '2026-03-10 08:00:00', timeValid: true, kind: 'power-on', flags: [], raw_hex: '1A030A080000' }]
    },
    samples: samples(address),
    polls: { answered: 6, missed: 0 }
  };
}

export function sampleReport(o: { ticket?: string | null; language?: 'en' | 'zh-CN' } = {}): DiagnoseReport {
  return buildReport({
    started_ms: T0,
    created_ms: T0 + 45_000,
    app: { version: '0.1.0+test', userAgent: 'test' },
    request: { ticket: o.ticket === undefined ? 'T-42' : o.ticket, expectedPacks: 2, watch_s: 10, language: o.language ?? 'en' },
    link: {
      kind: 'serial',
      label: 'USB CP210x (10c4:ea60)',
      baud: 9600,
      profile: 'pace',
      ver: 0x25,
      cid1: 0x46,
      masterAddress: 1,
      addressing: 'relay',
      broadcast: true
    },
    packs: [pack(1), pack(2)],
    stats: { requests: 12, timeouts: 0, badFrames: 0, echoes: 0, retries: 0 },
    traffic: {
      entries: [
        { t_ms: T0 + 100, dir: 'tx', text: '~250146900000FDA5\\r' },
        { t_ms: T0 + 160, dir: 'rx', text: '~25014600E00202FD33\\r' },
        { t_ms: T0 + 900, dir: 'error', text: '', error: 'No reply to 42H within 325 ms. Retrying.' }
      ],
      dropped: 0
    }
  });
}
