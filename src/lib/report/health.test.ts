// The health rules on hand-made packs: each threshold on both sides, so a rule that stops firing
// (or fires on a healthy pack) fails here, not in front of a customer.

import { describe, expect, it } from 'vitest';
import type { PackAnalog, PackStatus, StatusFlag } from '../protocol/types';
import { judgeHealth, notable, type HealthPack } from './health';
import { HEALTH_RULES } from './rules';
import type { Finding, ReportSample } from './types';

const LABELS = ['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'MOSFET', 'Ambient'];

function analog(o: Partial<PackAnalog> = {}): PackAnalog {
  return {
    cells_mV: Array.from({ length: 16 }, () => 3300),
    temps_C: [25, 25, 25, 25, 27, 24],
    tempLabels: LABELS,
    current_A: -20,
    voltage_V: 52.8,
    remaining_Ah: 60,
    full_Ah: 100,
    design_Ah: 100,
    cycles: 120,
    soc_pct: 60,
    soh_pct: 100,
    socSource: 'computed',
    userDefinedCount: 3,
    empty: false,
    ...o
  };
}

function status(flags: StatusFlag[] = [], o: Partial<PackStatus> = {}): PackStatus {
  return {
    cellAlarms: Array.from({ length: 16 }, () => 'normal' as const),
    tempAlarms: Array.from({ length: 6 }, () => 'normal' as const),
    chargeCurrentAlarm: 'normal',
    packVoltageAlarm: 'normal',
    dischargeCurrentAlarm: 'normal',
    bytes: {},
    balancingCells: [],
    flags,
    chargeMosOn: true,
    dischargeMosOn: true,
    heaterOn: false,
    empty: false,
    ...o
  };
}

/** `n` samples a second apart; `cells(i)` gives sample i's cells. */
function samples(n: number, cells: (i: number) => number[], current_A = -20, temps: (number | null)[] = [25, 25, 25, 25, 27, 24]): ReportSample[] {
  return Array.from({ length: n }, (_, i) => ({
    t_ms: 1_000_000 + i * 1000,
    current_A,
    voltage_V: 52.8,
    soc_pct: 60,
    cells_mV: cells(i),
    temps_C: temps
  }));
}

const flat = () => Array.from({ length: 16 }, (_, c) => 3300 + (c % 3));

function pack(address: number, o: Partial<HealthPack> = {}): HealthPack {
  return {
    address,
    identity: { softwareVersion: 'P16S100A-1812-1.00', bluetoothName: null, bmsSerial: `P1812X${address}`, packSerial: null },
    analog: analog(),
    status: status(),
    health: { state: 'ok', lastGood_ms: 1, lastError: null },
    clock: { status: 'ok', read_ms: 0, pack: '2026-03-12 14:00:00', valid: true, drift_s: 4 },
    params: null,
    samples: samples(20, flat),
    polls: { answered: 20, missed: 0 },
    ...o
  };
}

const of = (findings: Finding[], id: string, address: number | null) => findings.filter((f) => f.id === id && f.pack === address);

describe('health: a healthy bank', () => {
  it('is good, pack by pack, and says what it checked', () => {
    const r = judgeHealth({ packs: [pack(1), pack(2), pack(3)], expectedPacks: 3 });
    expect(r.verdicts).toEqual([
      { address: 1, verdict: 'good' },
      { address: 2, verdict: 'good' },
      { address: 3, verdict: 'good' }
    ]);
    expect(notable(r.findings)).toEqual([]);
    for (const id of ['cell-spread', 'weak-cell', 'capacity']) expect(of(r.findings, id, 2)[0]?.severity).toBe('ok');
    expect(of(r.findings, 'pack-count', null)[0]).toMatchObject({ severity: 'ok', values: { expected: 3, found: 3 } });
    expect(of(r.findings, 'firmware-same', null)[0]?.severity).toBe('ok');
    expect(of(r.findings, 'soc-gap', null)[0]?.severity).toBe('ok');
    expect(of(r.findings, 'clock-drift', null)[0]?.severity).toBe('ok');
  });
});

describe('health: cells', () => {
  const spread = (mV: number) => () => Array.from({ length: 16 }, (_, c) => (c === 3 ? 3300 - mV : 3300));

  it('judges the spread against 50 / 150 mV on the plateau', () => {
    const at = (mV: number) =>
      of(judgeHealth({ packs: [pack(1, { samples: samples(10, spread(mV), 0) })], expectedPacks: null }).findings, 'cell-spread', 1)[0];
    expect(at(49).severity).toBe('ok');
    expect(at(50).severity).toBe('watch');
    expect(at(149).severity).toBe('watch');
    expect(at(150)).toMatchObject({ severity: 'problem', values: { spread_mV: 150, limit_mV: 150 } });
  });

  it('allows twice the spread near full, where the curve is steep', () => {
    const high = () => Array.from({ length: 16 }, (_, c) => (c === 3 ? 3520 : 3600));
    const f = of(judgeHealth({ packs: [pack(1, { samples: samples(10, high, 0) })], expectedPacks: null }).findings, 'cell-spread', 1)[0];
    expect(f).toMatchObject({ severity: 'ok', values: { spread_mV: 80, plateau: 0 } });
  });

  it('one odd reading does not decide the spread: the middle of the watch does', () => {
    const r = judgeHealth({ packs: [pack(1, { samples: samples(9, (i) => (i === 4 ? spread(200)() : flat()), 0) })], expectedPacks: null });
    expect(of(r.findings, 'cell-spread', 1)[0]).toMatchObject({ severity: 'ok', values: { largest_mV: 200 } });
  });

  it('finds a weak cell: the lowest under load, 10 mV below the middle, or falling away', () => {
    const weak = (gap: (i: number) => number) => (i: number) => flat().map((v, c) => (c === 6 ? 3300 - gap(i) : v));
    const judge = (s: ReportSample[]) => of(judgeHealth({ packs: [pack(1, { samples: s })], expectedPacks: null }).findings, 'weak-cell', 1)[0];
    // The middle cell reads 3301 mV: 8 mV below it is within reason, 13 mV is not.
    expect(
      judge(
        samples(
          20,
          weak(() => 7)
        )
      )
    ).toMatchObject({ severity: 'ok' });
    expect(
      judge(
        samples(
          20,
          weak(() => 12)
        )
      )
    ).toMatchObject({ severity: 'watch', values: { cell: 7, lowest_pct: 100, samples: 20 } });
    expect(
      judge(
        samples(
          20,
          weak(() => 60)
        )
      )
    ).toMatchObject({ severity: 'problem', values: { cell: 7 } });
    // Only 4 mV below, but falling 6 mV per minute (0.1 mV per 1 s sample) faster than the others.
    expect(
      judge(
        samples(
          60,
          weak((i) => 2 + i * 0.1)
        )
      ).severity
    ).toBe('watch');
  });

  it('a cell that is lowest only now and then is no weak cell', () => {
    const sometimes = (i: number) => flat().map((v, c) => (c === 6 ? (i % 2 === 0 ? 3280 : 3302) : v));
    expect(of(judgeHealth({ packs: [pack(1, { samples: samples(20, sometimes) })], expectedPacks: null }).findings, 'weak-cell', 1)[0].severity).toBe(
      'ok'
    );
  });

  it('does not look for a weak cell without load, and says so once for the bank', () => {
    const weakAtRest = () => flat().map((v, c) => (c === 6 ? 3240 : v));
    const r = judgeHealth({
      packs: [pack(1, { samples: samples(20, weakAtRest, -2) }), pack(2, { samples: samples(20, flat, 0) })],
      expectedPacks: null
    });
    expect(of(r.findings, 'weak-cell', 1)).toEqual([]);
    expect(of(r.findings, 'no-load', null)[0].severity).toBe('note');
    // 2 A on 100 Ah is below 0.05 C: not load.
    expect(HEALTH_RULES.loadCurrent_C * 100).toBe(5);
  });
});

describe('health: temperatures', () => {
  const temps = (t: (number | null)[], current_A = -20) =>
    pack(1, { analog: analog({ temps_C: t, current_A }), samples: samples(5, flat, current_A, t) });

  it('hot cells: watch from 45 °C, a problem from 55 °C or the pack’s own alarm', () => {
    const judge = (p: HealthPack) => of(judgeHealth({ packs: [p], expectedPacks: null }).findings, 'temp-high', 1);
    expect(judge(temps([44.9, 30, 30, 30, 40, 30]))).toEqual([]);
    expect(judge(temps([30, 45, 30, 30, 40, 30]))[0]).toMatchObject({
      severity: 'watch',
      values: { kind: 'cell', sensor: 2, temp_C: 45, limit_C: 45 }
    });
    expect(judge(temps([30, 30, 55, 30, 40, 30]))[0]).toMatchObject({ severity: 'problem', values: { sensor: 3, limit_C: 55 } });
    const own = { reachable: true, problem: null, groups: {}, values: { 'cellHighTemperature.dischargeAlarm_C': 50 } };
    expect(judge({ ...temps([30, 30, 51, 30, 40, 30]), params: own })[0]).toMatchObject({ severity: 'problem', values: { limit_C: 50 } });
  });

  it('MOSFET: watch from 80 °C, a problem at 90 °C', () => {
    const judge = (p: HealthPack) => of(judgeHealth({ packs: [p], expectedPacks: null }).findings, 'temp-high', 1);
    expect(judge(temps([30, 30, 30, 30, 79, 30]))).toEqual([]);
    expect(judge(temps([30, 30, 30, 30, 80, 30]))[0]).toMatchObject({ severity: 'watch', values: { kind: 'mos' } });
    expect(judge(temps([30, 30, 30, 30, 91, 30]))[0]).toMatchObject({ severity: 'problem', values: { kind: 'mos' } });
  });

  it('charging below 0 °C is a problem; merely cold is a note', () => {
    const r1 = judgeHealth({ packs: [temps([-2, 3, 3, 3, 5, 0], 10)], expectedPacks: null });
    expect(of(r1.findings, 'charging-cold', 1)[0]).toMatchObject({ severity: 'problem', values: { temp_C: -2 } });
    expect(r1.verdicts[0].verdict).toBe('problem');
    const r2 = judgeHealth({ packs: [temps([-2, 3, 3, 3, 5, 0], -10)], expectedPacks: null });
    expect(of(r2.findings, 'charging-cold', 1)).toEqual([]);
    expect(of(r2.findings, 'temp-cold', 1)[0].severity).toBe('note');
    expect(r2.verdicts[0].verdict).toBe('good');
  });

  it('a reading no battery reaches is a broken sensor, not a temperature', () => {
    const r = judgeHealth({ packs: [temps([25, -50, 25, 25, 27, 24])], expectedPacks: null });
    expect(of(r.findings, 'temp-implausible', 1)[0]).toMatchObject({ severity: 'watch', values: { kind: 'cell', sensor: 2, temp_C: -50 } });
    expect(of(r.findings, 'temp-cold', 1)).toEqual([]);
  });

  it('a pack 8 °C warmer than the middle of the others is watched, 15 °C a problem', () => {
    const at = (t: number) => pack(4, { analog: analog({ temps_C: [t, t, t, t, 30, 25] }), samples: [] });
    const judge = (t: number) => of(judgeHealth({ packs: [pack(1), pack(2), pack(3), at(t)], expectedPacks: null }).findings, 'pack-hotter', 4)[0];
    expect(judge(32.9)).toBeUndefined();
    expect(judge(33)).toMatchObject({ severity: 'watch', values: { delta_C: 8, others_C: 25 } });
    expect(judge(40)).toMatchObject({ severity: 'problem' });
    // Two packs are not enough to say which one is odd.
    expect(of(judgeHealth({ packs: [pack(1), at(40)], expectedPacks: null }).findings, 'pack-hotter', 4)).toEqual([]);
  });
});

describe('health: alarms, capacity, link', () => {
  const flag = (id: string, severity: StatusFlag['severity']): StatusFlag => ({ id, source: 'protection1', bit: 0, severity, label: id, advice: '' });

  it('protections and faults are problems, warnings are watched, running states are nothing', () => {
    const s = status([
      flag('cellUnderVoltageProtect', 'protection'),
      flag('ntcFault', 'fault'),
      flag('lowSocWarning', 'warning'),
      flag('chargeMosOn', 'state')
    ]);
    const r = judgeHealth({
      packs: [pack(1, { status: { ...s, cellAlarms: s.cellAlarms.map((l, i) => (i === 6 ? 'low' : l)) } })],
      expectedPacks: null
    });
    expect(of(r.findings, 'alarm', 1).map((f) => [f.values.flag, f.severity])).toEqual([
      ['cellUnderVoltageProtect', 'problem'],
      ['ntcFault', 'problem'],
      ['lowSocWarning', 'watch']
    ]);
    expect(of(r.findings, 'cell-alarm', 1)[0]).toMatchObject({ severity: 'watch', values: { cell: 7, level: 'low' } });
    expect(r.verdicts[0].verdict).toBe('problem');
  });

  it('capacity: a note below 90 %, watched below 80 %, a problem below 70 %; nothing without a design capacity', () => {
    const at = (full_Ah: number, design_Ah: number | null = 100) =>
      of(judgeHealth({ packs: [pack(1, { analog: analog({ full_Ah, design_Ah }) })], expectedPacks: null }).findings, 'capacity', 1)[0];
    expect(at(90).severity).toBe('ok');
    expect(at(89.9).severity).toBe('note');
    expect(at(79.9)).toMatchObject({ severity: 'watch', values: { soh_pct: 79.9 } });
    expect(at(69).severity).toBe('problem');
    expect(at(80, null)).toBeUndefined();
  });

  it('a pack that never answered has no data; one that went silent or misses polls is said so', () => {
    const never = pack(2, {
      analog: null,
      status: null,
      samples: [],
      polls: { answered: 0, missed: 30 },
      health: { state: 'offline', lastGood_ms: null, lastError: 'No reply' }
    });
    const silent = pack(3, { health: { state: 'offline', lastGood_ms: 1, lastError: 'No reply' } });
    const flaky = pack(4, { polls: { answered: 18, missed: 2 } });
    // One reply lost in a ten-poll watch is 10 % but says nothing about the link.
    const once = pack(5, { polls: { answered: 9, missed: 1 } });
    const r = judgeHealth({ packs: [pack(1), never, silent, flaky, once], expectedPacks: 6 });
    expect(r.verdicts.map((v) => v.verdict)).toEqual(['good', 'no-data', 'problem', 'watch', 'good']);
    expect(of(r.findings, 'missed-polls', 5)).toEqual([]);
    expect(of(r.findings, 'no-answer', 2)[0].severity).toBe('problem');
    expect(of(r.findings, 'went-silent', 3)[0].severity).toBe('problem');
    expect(of(r.findings, 'missed-polls', 4)[0]).toMatchObject({ severity: 'watch', values: { missed: 2, polls: 20 } });
    expect(of(r.findings, 'pack-count', null)[0]).toMatchObject({ severity: 'problem', values: { expected: 6, found: 5 } });
  });
});

describe('health: the bank', () => {
  const soc = (address: number, soc_pct: number) => pack(address, { analog: analog({ soc_pct }) });

  it('SOC disagreement between parallel packs: watched from 15 points, a problem from 30', () => {
    const gap = (b: number) => of(judgeHealth({ packs: [soc(1, 60), soc(2, b), soc(3, 62)], expectedPacks: null }).findings, 'soc-gap', null)[0];
    expect(gap(74).severity).toBe('ok');
    expect(gap(75)).toMatchObject({ severity: 'watch', values: { low_pack: 1, high_pack: 2, gap_pct: 15 } });
    expect(gap(90).severity).toBe('problem');
  });

  it('different firmware within the bank is watched, with each version and its packs', () => {
    const v = (address: number, softwareVersion: string | null) =>
      pack(address, { identity: { softwareVersion, bluetoothName: null, bmsSerial: null, packSerial: null } });
    const r = judgeHealth({ packs: [v(1, 'P16S100A-1812-1.00'), v(2, 'P16S100A-1812-1.06'), v(3, 'P16S100A-1812-1.00')], expectedPacks: null });
    expect(of(r.findings, 'firmware-mixed', null)[0]).toMatchObject({
      severity: 'watch',
      values: { versions: 'P16S100A-1812-1.00 (1, 3); P16S100A-1812-1.06 (2)', count: 2 }
    });
    // Over RS232 only the master says: no mismatch can be claimed, and that is a note.
    const partly = judgeHealth({ packs: [v(1, 'P16S100A-1812-1.00'), v(2, null), v(3, null)], expectedPacks: null });
    expect(of(partly.findings, 'firmware-same', null)[0]).toMatchObject({ severity: 'note', values: { unknown: 2 } });
  });

  it('clock drift: one note for a bank set together, per pack otherwise; never worse than a note', () => {
    const at = (address: number, drift_s: number | null, valid = true) =>
      pack(address, { clock: { status: 'ok', read_ms: 0, pack: '2025-06-01 08:00:00', valid, drift_s } });
    const together = judgeHealth({ packs: [at(1, -86_400 * 200), at(2, -86_400 * 200 + 30)], expectedPacks: null });
    expect(of(together.findings, 'clock-drift', null)[0]).toMatchObject({ severity: 'note', values: { packs: 2 } });
    expect(together.findings.filter((f) => f.id === 'clock-drift' && f.pack !== null)).toEqual([]);
    expect(together.verdicts.every((v) => v.verdict === 'good')).toBe(true);
    const apart = judgeHealth({ packs: [at(1, 10), at(2, 900), at(3, null, false)], expectedPacks: null });
    expect(of(apart.findings, 'clock-drift', 1)[0].severity).toBe('ok');
    expect(of(apart.findings, 'clock-drift', 2)[0]).toMatchObject({ severity: 'note', values: { drift_s: 900 } });
    expect(of(apart.findings, 'clock-invalid', 3)[0].severity).toBe('note');
  });
});
