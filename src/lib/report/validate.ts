// Opening a report file: text in, a checked DiagnoseReport out, or the reason it is refused with
// the field named. A file from a newer schema is refused (an old app would misread it); a file
// cut short, one that is not JSON, or one whose fields are wrong is refused as such. What is
// returned is rebuilt from the known fields only (check.ts), so the pages never see anything the
// schema does not describe.

import type { PackHealth } from '../protocol/bank-types';
import type { AlarmLevel, PackAnalog, PackStatus, StatusFlag } from '../protocol/types';
import { arr, bool, FieldProblem, jsonEndsEarly, nullable, num, obj, oneOf, optional, record, shown, str, tagged, type Check } from './check';
import {
  REPORT_FORMAT,
  REPORT_LOCALES,
  REPORT_SCHEMA,
  type DiagnoseReport,
  type Finding,
  type ReportClock,
  type ReportHistory,
  type ReportPack,
  type ReportParamGroup,
  type ReportParams,
  type ReportSample,
  type ReportTrafficEntry
} from './types';

/** Larger files are refused before parsing: a 16-pack report with every frame is a few MB. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export type ReportRefusal =
  | { kind: 'empty' }
  | { kind: 'too-large'; size_B: number; max_B: number }
  /** The text stops before the JSON is complete (a download or copy cut short). */
  | { kind: 'truncated' }
  | { kind: 'not-json'; message: string }
  /** JSON, but not a diagnose report (no or another `format`). */
  | { kind: 'not-report'; found: string }
  | { kind: 'newer'; schema: number; supported: number }
  | { kind: 'invalid'; field: string; message: string };

export type ReportOpen = { ok: true; report: DiagnoseReport } | { ok: false; refusal: ReportRefusal };

const ms = num({ min: 0, max: 8.64e15 });
const count = num({ min: 0, max: 1e12, int: true });
const address = num({ min: 0, max: 255, int: true });
const text = (max: number) => str({ max });
const anyNumber = num();
const alarmLevel: Check<AlarmLevel> = oneOf(['normal', 'low', 'high', 'user', 'other'] as const);

const analog: Check<PackAnalog> = (v, path) => {
  const a = obj({
    cells_mV: arr(num({ min: 0, max: 10_000 }), { max: 64 }),
    temps_C: arr(nullable(num({ min: -100, max: 300 })), { max: 32 }),
    tempLabels: arr(text(64), { max: 32 }),
    current_A: anyNumber,
    voltage_V: anyNumber,
    remaining_Ah: anyNumber,
    full_Ah: anyNumber,
    design_Ah: nullable(anyNumber),
    cycles: anyNumber,
    soc_pct: nullable(anyNumber),
    soh_pct: nullable(anyNumber),
    socSource: nullable(oneOf(['reported', 'computed'] as const)),
    userDefinedCount: anyNumber,
    tail: optional(record(anyOf(anyNumber, record(nullable(anyNumber), { max: 16 })), { max: 32 })),
    empty: bool,
    extraBytes: optional(arr(num({ min: 0, max: 255, int: true }), { max: 4096 })),
    unitNotes: optional(
      arr(
        obj({
          field: oneOf(['voltage', 'current', 'remaining', 'full', 'design'] as const),
          factor: anyNumber,
          unit: text(32),
          message: text(500)
        }),
        { max: 16 }
      )
    )
  })(v, path);
  if (a.temps_C.length !== a.tempLabels.length)
    throw new FieldProblem(`${path}.tempLabels`, `should name each of the ${a.temps_C.length} temperatures`);
  return a as PackAnalog;
};

function anyOf<A, B>(a: Check<A>, b: Check<B>): Check<A | B> {
  return (v, path) => {
    try {
      return a(v, path);
    } catch (e) {
      if (!(e instanceof FieldProblem)) throw e;
      return b(v, path);
    }
  };
}

const flag: Check<StatusFlag> = obj({
  id: text(80),
  source: text(40),
  bit: num({ min: 0, max: 31, int: true }),
  severity: oneOf(['protection', 'warning', 'fault', 'state'] as const),
  label: text(200),
  advice: text(1000)
});

const status: Check<PackStatus> = (v, path) =>
  obj({
    cellAlarms: arr(alarmLevel, { max: 64 }),
    tempAlarms: arr(alarmLevel, { max: 32 }),
    chargeCurrentAlarm: alarmLevel,
    packVoltageAlarm: alarmLevel,
    dischargeCurrentAlarm: alarmLevel,
    bytes: record(num({ min: 0, max: 0xffff, int: true }), { max: 32, key: /^[A-Za-z0-9]{1,32}$/ }),
    balancingCells: arr(num({ min: 1, max: 64, int: true }), { max: 64 }),
    flags: arr(flag, { max: 256 }),
    chargeMosOn: bool,
    dischargeMosOn: bool,
    heaterOn: nullable(bool),
    empty: bool,
    alarmCodes: optional(
      obj({
        cells: arr(num({ min: 0, max: 255, int: true }), { max: 64 }),
        temps: arr(num({ min: 0, max: 255, int: true }), { max: 32 }),
        chargeCurrent: num({ min: 0, max: 255, int: true }),
        packVoltage: num({ min: 0, max: 255, int: true }),
        dischargeCurrent: num({ min: 0, max: 255, int: true })
      })
    ),
    extraBytes: optional(arr(num({ min: 0, max: 255, int: true }), { max: 4096 }))
  })(v, path) as PackStatus;

const health: Check<PackHealth> = obj({
  address,
  state: oneOf(['ok', 'stale', 'offline'] as const),
  lastGood_ms: nullable(ms),
  freshUntil_ms: nullable(ms),
  noReplyCount: count,
  badReplyCount: count,
  consecutiveFailures: count,
  nextProbe_ms: nullable(ms),
  lastError: nullable(text(2000))
});

const clock: Check<ReportClock> = tagged<ReportClock>('status', {
  ok: obj({ status: oneOf(['ok'] as const), read_ms: ms, pack: text(40), valid: bool, drift_s: nullable(anyNumber) }),
  unread: obj({ status: oneOf(['unread'] as const), reason: text(2000) })
});

const paramGroup: Check<ReportParamGroup> = tagged<ReportParamGroup>('status', {
  ok: obj({ status: oneOf(['ok'] as const) }),
  unsupported: obj({ status: oneOf(['unsupported'] as const), message: text(2000) }),
  failed: obj({ status: oneOf(['failed'] as const), message: text(2000) }),
  skipped: obj({ status: oneOf(['skipped'] as const), message: text(2000) })
});

const params: Check<ReportParams> = obj({
  reachable: bool,
  problem: nullable(text(2000)),
  groups: record(paramGroup, { max: 64, key: /^[A-Za-z0-9]{1,64}$/ }),
  values: record(anyOf<number | boolean, string>(anyOf<number, boolean>(anyNumber, bool), text(64)), { max: 500, key: /^[A-Za-z0-9_.]{1,80}$/ })
});

const historyCheck: Check<ReportHistory> = obj({
  stop: text(20),
  records: arr(obj({ packTime: text(40), timeValid: bool, kind: text(20), flags: arr(text(80), { max: 64 }), raw_hex: text(512) }), { max: 2000 }),
  problem: nullable(text(2000))
});

const sample: Check<ReportSample> = obj({
  t_ms: ms,
  current_A: anyNumber,
  voltage_V: anyNumber,
  soc_pct: nullable(anyNumber),
  cells_mV: arr(num({ min: 0, max: 10_000 }), { max: 64 }),
  temps_C: arr(nullable(num({ min: -100, max: 300 })), { max: 32 })
});

const pack: Check<ReportPack> = obj({
  address,
  isMaster: bool,
  identity: nullable(
    obj({
      softwareVersion: nullable(text(200)),
      bluetoothName: nullable(text(200)),
      bmsSerial: nullable(text(200)),
      packSerial: nullable(text(200))
    })
  ),
  analog: nullable(analog),
  status: nullable(status),
  statusUnsupported: bool,
  health,
  received_ms: nullable(ms),
  clock,
  params: nullable(params),
  history: nullable(historyCheck),
  samples: arr(sample, { max: 100_000 }),
  polls: obj({ answered: count, missed: count })
});

const traffic: Check<ReportTrafficEntry> = obj({
  t_ms: ms,
  dir: oneOf(['tx', 'rx', 'error'] as const),
  text: text(1 << 16),
  error: optional(text(4000))
});

const finding: Check<Finding> = obj({
  id: str({ min: 1, max: 60 }),
  severity: oneOf(['ok', 'note', 'watch', 'problem'] as const),
  pack: nullable(address),
  values: record(nullable(anyOf<number, string>(anyNumber, text(500))), { max: 32, key: /^[A-Za-z0-9_]{1,40}$/ })
});

const locale = oneOf(REPORT_LOCALES);

const reportCheck = obj({
  format: oneOf([REPORT_FORMAT] as const),
  schema: num({ min: 1, max: REPORT_SCHEMA, int: true }),
  started_ms: ms,
  created_ms: ms,
  app: obj({ version: text(100), userAgent: nullable(text(1000)) }),
  request: obj({
    ticket: nullable(text(64)),
    expectedPacks: nullable(num({ min: 1, max: 16, int: true })),
    watch_s: num({ min: 0, max: 86_400 }),
    language: locale
  }),
  link: obj({
    kind: oneOf(['serial', 'ble', 'sim'] as const),
    label: text(200),
    baud: nullable(num({ min: 1, max: 10_000_000, int: true })),
    profile: text(20),
    ver: num({ min: 0, max: 255, int: true }),
    cid1: num({ min: 0, max: 255, int: true }),
    masterAddress: address,
    addressing: oneOf(['relay', 'direct'] as const),
    broadcast: nullable(bool)
  }),
  packs: arr(pack, { max: 32 }),
  stats: obj({ requests: count, timeouts: count, badFrames: count, echoes: count, retries: count }),
  traffic: obj({ entries: arr(traffic, { max: 500_000 }), dropped: count }),
  findings: arr(finding, { max: 5000 }),
  verdicts: arr(obj({ address, verdict: oneOf(['good', 'watch', 'problem', 'no-data'] as const) }), { max: 32 }),
  summary: obj({ language: locale, text: text(1 << 20) })
});

/** Check a parsed JSON value. */
export function checkReport(value: unknown): ReportOpen {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, refusal: { kind: 'not-report', found: shown(value) } };
  const rec = value as Record<string, unknown>;
  if (rec.format !== REPORT_FORMAT) return { ok: false, refusal: { kind: 'not-report', found: shown(rec.format) } };
  // The schema first: a newer file may have changed any other field.
  if (typeof rec.schema === 'number' && Number.isInteger(rec.schema) && rec.schema > REPORT_SCHEMA) {
    return { ok: false, refusal: { kind: 'newer', schema: rec.schema, supported: REPORT_SCHEMA } };
  }
  try {
    const report = reportCheck(value, '') as DiagnoseReport;
    const seen = new Set<number>();
    report.packs.forEach((p, i) => {
      if (seen.has(p.address)) throw new FieldProblem(`packs[${i}].address`, `repeats address ${p.address}`);
      seen.add(p.address);
    });
    // A verdict or finding about a pack the file does not carry would show a pack that is not there.
    report.verdicts.forEach((v, i) => {
      if (!seen.has(v.address)) throw new FieldProblem(`verdicts[${i}].address`, `names pack ${v.address}, which the report does not carry`);
    });
    report.findings.forEach((f, i) => {
      if (f.pack !== null && !seen.has(f.pack))
        throw new FieldProblem(`findings[${i}].pack`, `names pack ${f.pack}, which the report does not carry`);
    });
    return { ok: true, report };
  } catch (e) {
    if (e instanceof FieldProblem) return { ok: false, refusal: { kind: 'invalid', field: e.field, message: e.message } };
    throw e;
  }
}

/** Check a report file's text. */
export function parseReport(textIn: string): ReportOpen {
  const size_B = textIn.length;
  if (size_B > MAX_REPORT_BYTES) return { ok: false, refusal: { kind: 'too-large', size_B, max_B: MAX_REPORT_BYTES } };
  const body = textIn.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { ok: false, refusal: { kind: 'empty' } };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    if (jsonEndsEarly(body)) return { ok: false, refusal: { kind: 'truncated' } };
    return { ok: false, refusal: { kind: 'not-json', message: e instanceof Error ? e.message : String(e) } };
  }
  return checkReport(value);
}
