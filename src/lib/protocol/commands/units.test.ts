// Real packs' unit quirks (issue 15): frames built from the reference's own examples (§5.3, §5.5,
// §11.1, §11.2, §11.3) with one field sent in another unit, checksummed and read back through the
// frame reader, then decoded. The decoder must pick the unit the block's other fields agree with,
// say so, and re-encode the exact bytes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrameText, parseFrameText } from '../frame';
import { hexToBytes } from '../hex';
import * as F from '../fixtures/telemetry-frames';
import { DEFAULT_DECODE_OPTIONS, type AnalogReply, type DecodeOptions, type PackAnalog, type ProtocolProfile } from '../types';
import { readAnalog } from './analog';
import { eg4ReadAnalog } from './pylon';
import { learnedUnits, reconcileUnits, wireFactor, DOCUMENTED_UNITS } from './units';

const opts = (profile: ProtocolProfile, extra: Partial<DecodeOptions> = {}): DecodeOptions => ({ ...DEFAULT_DECODE_OPTIONS, ...extra, profile });

/** The INFO of a fixture with u16 fields replaced (offsets are INFO byte offsets). */
function patched(f: F.FrameFixture, fields: Record<number, number>): { info: Uint8Array; text: string; adr: number; ver: number; cid1: number } {
  const frame = F.frameOf(f);
  const info = frame.info.slice();
  for (const [at, v] of Object.entries(fields)) {
    info[Number(at)] = (v >> 8) & 0xff;
    info[Number(at) + 1] = v & 0xff;
  }
  const text = encodeFrameText({ ...frame, info });
  return { info, text, adr: frame.adr, ver: frame.ver, cid1: frame.cid1 };
}

/** Through the frame reader (so the checksum is proven to verify), then the 42H decoder. */
function decodeText(text: string, options: DecodeOptions, command = 1): AnalogReply {
  const ev = parseFrameText(text);
  if (ev.type !== 'frame') throw new Error(ev.message);
  if (options.profile === 'eg4') return eg4ReadAnalog.decodeReply(ev.frame.info, { request: {}, options });
  return readAnalog.decodeReply(ev.frame.info, { request: { command }, options });
}

function roundTrips(reply: AnalogReply, info: Uint8Array, options: DecodeOptions, command = 1): void {
  const encoded = options.profile === 'eg4' ? eg4ReadAnalog.encodeReply(reply, {}, options) : readAnalog.encodeReply(reply, { command }, options);
  expect(Array.from(encoded)).toEqual(Array.from(info));
}

// INFO byte offsets of a 16-cell, 6-temperature PACE / Seplos / EG4 block after INFOFLAG + COMMAND.
const PACE = { current: 48, voltage: 50, remaining: 52, full: 55, design: 59 };
// §11.1 Pylontech example: 15 cells, 5 temperatures.
const PYLON = { current: 44, voltage: 46, remaining: 48, full: 51 };
// §11.2 Seplos: rated (design) capacity sits after SOC.
const SEPLOS = { voltage: 50, remaining: 52, full: 55, rated: 59 };

describe('the captured and documented frames read in their documented units, without notes', () => {
  const cases: [string, F.FrameFixture, ProtocolProfile][] = [
    ['§5.3 PbmsTools', F.ANALOG_PBMSTOOLS, 'pace'],
    ['§5.4 RS232 doc', F.ANALOG_DOC_ALL_ONE_PACK, 'pace'],
    ['§5.5 10-pack broadcast', F.ANALOG_BROADCAST_10_P9, 'pace'],
    ['§10.1 relay reply', F.ANALOG_RELAY_LONGER, 'pace'],
    ['§11.1 Pylontech', F.PYLON_ANALOG, 'pylon'],
    ['Pylontech P = 4', F.PYLON_ANALOG_P4, 'pylon'],
    ['Pylontech group of 3', F.PYLON_GROUP_US2000_3, 'pylon'],
    ['Pylontech group of 4', F.PYLON_GROUP_US3000_4, 'pylon'],
    ['§11.2 Seplos', F.SEPLOS_ANALOG, 'seplos'],
    ['§11.3 EG4', F.EG4_ANALOG, 'eg4']
  ];
  it.each(cases)('%s', (_name, f, profile) => {
    const frame = F.frameOf(f);
    const cmd = profile === 'eg4' ? eg4ReadAnalog : readAnalog;
    const reply = cmd.decodeReply(frame.info, { request: undefined, options: opts(profile) });
    for (const p of reply.packs) expect(p.unitNotes).toBeUndefined();
  });
});

describe('pack voltage against the sum of its cells', () => {
  it('PACE §5.3 with the voltage in 10 mV: read as 52.43 V, and says why', () => {
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.voltage]: 5243 });
    const reply = decodeText(q.text, opts('pace'));
    const p = reply.packs[0];
    expect(p.voltage_V).toBe(52.43);
    expect(p.unitNotes).toEqual([{ field: 'voltage', factor: 10, unit: '10 mV', message: 'voltage read in 10 mV units: cells sum to 52.33 V' }]);
    // Nothing else moved.
    expect([p.current_A, p.remaining_Ah, p.full_Ah, p.design_Ah, p.soc_pct, p.soh_pct]).toEqual([-2.25, 48.19, 103.46, 100, 46.6, 100]);
    roundTrips(reply, q.info, opts('pace'));
  });

  it('§5.4 (the RS232 doc example) with the voltage in 10 mV', () => {
    const q = patched(F.ANALOG_DOC_ALL_ONE_PACK, { [PACE.voltage]: 5359 });
    const reply = decodeText(q.text, opts('pace'), 0xff);
    expect(reply.packs[0].voltage_V).toBe(53.59);
    expect(reply.packs[0].unitNotes?.[0].message).toBe('voltage read in 10 mV units: cells sum to 53.61 V');
    roundTrips(reply, q.info, opts('pace'), 0xff);
  });

  it('Seplos §11.2 (documented 10 mV) sending mV: read as 52.80 V, port voltage likewise', () => {
    const q = patched(F.SEPLOS_ANALOG, { [SEPLOS.voltage]: 52800, 65: 52790 });
    const reply = decodeText(q.text, opts('seplos'), 0);
    const p = reply.packs[0];
    expect(p.voltage_V).toBe(52.8);
    expect(p.tail?.portVoltage_V).toBe(52.79);
    expect(p.unitNotes).toEqual([{ field: 'voltage', factor: 0.1, unit: '1 mV', message: 'voltage read in 1 mV units: cells sum to 52.81 V' }]);
    roundTrips(reply, q.info, opts('seplos'), 0);
  });

  it('EG4 §11.3 (documented 10 mV) sending mV', () => {
    const q = patched(F.EG4_ANALOG, { [PACE.voltage]: 53970 });
    const reply = decodeText(q.text, opts('eg4'));
    expect(reply.packs[0].voltage_V).toBe(53.97);
    expect(reply.packs[0].unitNotes?.[0]).toMatchObject({ field: 'voltage', factor: 0.1, unit: '1 mV' });
    roundTrips(reply, q.info, opts('eg4'));
  });

  it('Pylontech §11.1 with the voltage in 10 mV', () => {
    const q = patched(F.PYLON_ANALOG, { [PYLON.voltage]: 5098 });
    const reply = decodeText(q.text, opts('pylon'));
    expect(reply.packs[0].voltage_V).toBe(50.98);
    expect(reply.packs[0].unitNotes?.[0].message).toBe('voltage read in 10 mV units: cells sum to 50.98 V');
    roundTrips(reply, q.info, opts('pylon'));
  });

  it('a voltage no unit explains is kept as sent and flagged', () => {
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.voltage]: 30000 });
    const p = decodeText(q.text, opts('pace')).packs[0];
    expect(p.voltage_V).toBe(30);
    expect(p.unitNotes).toEqual([
      { field: 'voltage', factor: 1, unit: '1 mV', message: "pack voltage 30.00 V does not match the cells' sum 52.33 V in any unit" }
    ]);
  });

  it('stays within 10 % of the sum without a note (sense wiring, MOSFET drop)', () => {
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.voltage]: 50000 });
    expect(decodeText(q.text, opts('pace')).packs[0].unitNotes).toBeUndefined();
  });
});

describe('capacities against each other, SOC and SOH', () => {
  it('§5.3 with the design capacity in 100 mAh: 100 Ah, because full 103.46 Ah is 103 % of it', () => {
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.design]: 1000 });
    const reply = decodeText(q.text, opts('pace'));
    const p = reply.packs[0];
    expect(p.design_Ah).toBe(100);
    expect(p.soh_pct).toBe(100);
    expect(p.unitNotes).toEqual([
      {
        field: 'design',
        factor: 10,
        unit: '100 mAh',
        message: 'design capacity read in 100 mAh units: full capacity 103.46 Ah is 103 % of 100.00 Ah design'
      }
    ]);
    roundTrips(reply, q.info, opts('pace'));
  });

  it('§5.3 with the remaining capacity in 1 mAh: 48.19 Ah, and the computed SOC follows', () => {
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.remaining]: 48190 });
    const reply = decodeText(q.text, opts('pace'));
    const p = reply.packs[0];
    expect(p.remaining_Ah).toBe(48.19);
    expect(p.soc_pct).toBe(46.6);
    expect(p.socSource).toBe('computed');
    expect(p.unitNotes?.map((n) => [n.field, n.factor, n.unit])).toEqual([['remaining', 0.1, '1 mAh']]);
    expect(p.unitNotes?.[0].message).toBe(
      'remaining capacity read in 1 mAh units: then 48.19 Ah remain of 103.46 Ah full; full capacity 103.46 Ah is 103 % of 100.00 Ah design'
    );
    roundTrips(reply, q.info, opts('pace'));
  });

  it('§5.5 P = 9 block with the remaining capacity in 100 mAh: the reported SOC 98 % decides', () => {
    const block = F.ANALOG_BROADCAST_10_P9_INFO.slice(4, 4 + 146);
    const single = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: hexToBytes('0001' + block) ?? new Uint8Array(0) });
    const q = patched({ source: 'test', text: single }, { [PACE.remaining]: 2748 });
    const reply = decodeText(q.text, opts('pace'));
    const p = reply.packs[0];
    expect(p.socSource).toBe('reported');
    expect(p.soc_pct).toBe(98);
    expect(p.remaining_Ah).toBe(274.8);
    expect(p.unitNotes).toEqual([
      {
        field: 'remaining',
        factor: 10,
        unit: '100 mAh',
        message: 'remaining capacity read in 100 mAh units: SOC 98 % fits 274.80 of 279.43 Ah; SOH 100 % fits 279.43 of 280.00 Ah design'
      }
    ]);
    roundTrips(reply, q.info, opts('pace'));
  });

  it('Seplos §11.2 with the rated capacity in 100 mAh: the reported SOH 100 % decides', () => {
    const q = patched(F.SEPLOS_ANALOG, { [SEPLOS.rated]: 1800 });
    const reply = decodeText(q.text, opts('seplos'), 0);
    const p = reply.packs[0];
    expect(p.design_Ah).toBe(180);
    expect(p.unitNotes?.map((n) => `${n.field} ${n.unit}`)).toEqual(['design 100 mAh']);
    roundTrips(reply, q.info, opts('seplos'), 0);
  });

  it('all three in one other unit cannot be told from each other: the documented unit stands', () => {
    // 100 mAh throughout: 4.82 / 10.35 / 10.00 Ah agree with each other as well as 48.2 / 103.5 / 100 would.
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.remaining]: 482, [PACE.full]: 1035, [PACE.design]: 1000 });
    const p = decodeText(q.text, opts('pace')).packs[0];
    expect([p.remaining_Ah, p.full_Ah, p.design_Ah]).toEqual([4.82, 10.35, 10]);
    expect(p.unitNotes).toBeUndefined();
  });

  it('prefers the reading with a plausible design capacity when two fit equally few changes', () => {
    // A 50 Ah pack whose remaining and full capacity come in 1 mAh: 250 / 500 Ah as documented
    // beside 50 Ah design. Rescaling design alone (500 Ah) fits as well as rescaling remaining and
    // full, but no 51.2 V module holds 500 Ah.
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.remaining]: 25000, [PACE.full]: 50000, [PACE.design]: 5000 });
    const p = decodeText(q.text, opts('pace')).packs[0];
    expect([p.remaining_Ah, p.full_Ah, p.design_Ah]).toEqual([25, 50, 50]);
    expect(p.unitNotes?.map((n) => `${n.field} ${n.unit}`)).toEqual(['remaining 1 mAh', 'full 1 mAh']);
    roundTrips(decodeText(q.text, opts('pace')), q.info, opts('pace'));
  });

  it('values that are merely odd (remaining 30 % above full, SOH 80 %) are shown as sent', () => {
    const q = patched(F.ANALOG_PBMSTOOLS, { [PACE.remaining]: 13450, [PACE.design]: 12933 });
    const p = decodeText(q.text, opts('pace')).packs[0];
    expect([p.remaining_Ah, p.full_Ah, p.design_Ah]).toEqual([134.5, 103.46, 129.33]);
    expect(p.unitNotes).toBeUndefined();
  });

  it('Pylontech without a design capacity: remaining ten times full is flagged, not guessed', () => {
    const q = patched(F.PYLON_ANALOG, { [PYLON.remaining]: 49000, [PYLON.full]: 5000 });
    const p = decodeText(q.text, opts('pylon')).packs[0];
    expect([p.remaining_Ah, p.full_Ah]).toEqual([49, 5]);
    expect(p.unitNotes).toEqual([
      {
        field: 'remaining',
        factor: 1,
        unit: '1 mAh',
        message: 'remaining 49.00 Ah and full 5.00 Ah disagree, and more than one unit would explain it'
      }
    ]);
  });
});

describe('Pylontech current: 100 mA documented, 10 mA on some packs', () => {
  it('a current above 3 C of the module is read in 10 mA', () => {
    const q = patched(F.PYLON_ANALOG, { [PYLON.current]: -3000 & 0xffff });
    const reply = decodeText(q.text, opts('pylon'));
    const p = reply.packs[0];
    expect(p.current_A).toBe(-30);
    expect(p.unitNotes).toEqual([
      { field: 'current', factor: 0.1, unit: '10 mA', message: 'current read in 10 mA units: 300.0 A would be 6.0 C of a 50.00 Ah module' }
    ]);
    roundTrips(reply, q.info, opts('pylon'));
    expect(learnedUnits(reply.packs)).toEqual({ current: 0.1 });
  });

  it('a current a module can carry stays in 100 mA', () => {
    for (const raw of [-26, 500, -1000]) {
      const p = decodeText(patched(F.PYLON_ANALOG, { [PYLON.current]: raw & 0xffff }).text, opts('pylon')).packs[0];
      expect(p.current_A).toBe(raw / 10);
      expect(p.unitNotes).toBeUndefined();
    }
  });

  it('a learned unit holds when the current drops below the test, and is said to be learned', () => {
    const learned = opts('pylon', { unitOverrides: { current: 0.1 } });
    const q = patched(F.PYLON_ANALOG, { [PYLON.current]: -260 & 0xffff });
    const reply = decodeText(q.text, learned);
    expect(reply.packs[0].current_A).toBe(-2.6);
    expect(reply.packs[0].unitNotes?.[0].message).toBe('current read in 10 mA units, as learned from an earlier reply');
    roundTrips(reply, q.info, learned);
  });

  it('PACE (documented 10 mA) never rescales the current', () => {
    const p = decodeText(patched(F.ANALOG_PBMSTOOLS, { [PACE.current]: 30000 }).text, opts('pace')).packs[0];
    expect(p.current_A).toBe(300);
    expect(p.unitNotes).toBeUndefined();
  });
});

describe('reconcileUnits on generated packs (fast-check)', () => {
  const packArb = fc
    .record({
      cells: fc.array(fc.integer({ min: 2800, max: 3650 }), { minLength: 15, maxLength: 16 }),
      voltageSkew: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
      design: fc.integer({ min: 50, max: 300 }),
      health: fc.double({ min: 0.6, max: 1.1, noNaN: true }),
      soc: fc.double({ min: 0, max: 1, noNaN: true }),
      current: fc.double({ min: -1, max: 1, noNaN: true })
    })
    .map(({ cells, voltageSkew, design, health, soc, current }): PackAnalog => {
      const full = Math.round(design * health * 100) / 100;
      return {
        cells_mV: cells,
        temps_C: [25, 25, 25, 25, 30, 24],
        tempLabels: [],
        current_A: Math.round(current * design * 100) / 100,
        voltage_V: Math.round(cells.reduce((a, b) => a + b, 0) * (1 + voltageSkew)) / 1000,
        remaining_Ah: Math.round(full * soc * 100) / 100,
        full_Ah: full,
        design_Ah: design,
        cycles: 10,
        soc_pct: null,
        soh_pct: null,
        socSource: null,
        userDefinedCount: 3,
        empty: false
      };
    });

  it('a consistent pack gets no note and no change', () => {
    fc.assert(
      fc.property(packArb, (pack) => {
        const before = structuredClone(pack);
        reconcileUnits(pack, DOCUMENTED_UNITS.pace);
        expect(pack).toEqual(before);
      }),
      { numRuns: 400, seed: 0x15 }
    );
  });

  it('a voltage sent at ten times the unit is recovered, and the encoder writes it back', () => {
    fc.assert(
      fc.property(packArb, (pack) => {
        const true_V = pack.voltage_V;
        pack.voltage_V = Math.round(true_V * 100) / 1000; // the 10 mV number read as mV
        reconcileUnits(pack, DOCUMENTED_UNITS.pace);
        expect(pack.voltage_V).toBeCloseTo(Math.round(true_V * 100) / 100, 6);
        expect(wireFactor(pack, 'voltage')).toBe(10);
      }),
      { numRuns: 300, seed: 0x10 }
    );
  });

  it('any field values: no exception, and a field changes only by the factor its note names', () => {
    const raw = fc.record({
      cells: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 0, maxLength: 16 }),
      voltage: fc.integer({ min: 0, max: 0xffff }),
      current: fc.integer({ min: -0x8000, max: 0x7fff }),
      remaining: fc.integer({ min: 0, max: 0xffff }),
      full: fc.integer({ min: 0, max: 0xffff }),
      design: fc.integer({ min: 0, max: 0xffff }),
      soc: fc.option(fc.integer({ min: 0, max: 255 })),
      profile: fc.constantFrom('pace', 'pylon', 'seplos', 'eg4') as fc.Arbitrary<keyof typeof DOCUMENTED_UNITS>
    });
    fc.assert(
      fc.property(raw, (r) => {
        const pack: PackAnalog = {
          cells_mV: r.cells,
          temps_C: [],
          tempLabels: [],
          current_A: r.current / 10,
          voltage_V: r.voltage / 1000,
          remaining_Ah: r.remaining / 100,
          full_Ah: r.full / 100,
          design_Ah: r.design / 100,
          cycles: 0,
          soc_pct: r.soc,
          soh_pct: r.soc === null ? null : 100,
          socSource: r.soc === null ? null : 'reported',
          userDefinedCount: 9,
          empty: false
        };
        const before = structuredClone(pack);
        reconcileUnits(pack, DOCUMENTED_UNITS[r.profile]);
        const fields = { voltage: 'voltage_V', current: 'current_A', remaining: 'remaining_Ah', full: 'full_Ah', design: 'design_Ah' } as const;
        for (const [field, key] of Object.entries(fields) as [keyof typeof fields, (typeof fields)[keyof typeof fields]][]) {
          const f = wireFactor(pack, field);
          expect([1, 10, 0.1]).toContain(f);
          expect(pack[key] ?? 0).toBeCloseTo((before[key] ?? 0) * f, 6);
        }
        for (const n of pack.unitNotes ?? []) expect(n.message.length).toBeGreaterThan(20);
      }),
      { numRuns: 1000, seed: 0xa5 }
    );
  }, 20_000);
});
