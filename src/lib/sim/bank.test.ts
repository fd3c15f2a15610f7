import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../protocol/frame';
import { readAnalog } from '../protocol/commands/analog';
import { readStatus } from '../protocol/commands/status';
import { readPackCount, readProductInfo, readSoftwareVersion } from '../protocol/commands/info';
import { ALL_PACKS } from '../protocol/commands/pack-request';
import { readCellOverVoltage, setCellOverVoltage, readHistory, setSoftwareAddress, setHost, exitModule } from '../protocol/commands/settings';
import { asciiBytes } from '../protocol/hex';
import { VirtualClock } from '../time/clock';
import { createSimBank, type SimBankOptions } from './bank';
import { TestHost } from './test-host';

function setup(o: Partial<SimBankOptions> = {}) {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 1, seed: 'bank', clock, ...o });
  const host = new TestHost(bank, clock);
  return { clock, bank, host };
}

const bt = (baud = 9600) => 10_000 / baud;

describe('discovery and telemetry through bytes', () => {
  it.each([1, 2, 16])('90H on the master counts %i pack(s); a slave says 1', async (n) => {
    const { host } = setup({ packCount: n });
    const r = await host.send(readPackCount, {}, 1);
    expect(r.frame?.adr).toBe(1);
    expect(r.value).toEqual({ packCount: n });
    if (n > 1) expect((await host.send(readPackCount, {}, n)).value).toEqual({ packCount: 1 });
  });

  it('42H single pack: 16 cells, 6 temperatures, P = 3, plausible values, exact reply timing', async () => {
    const { host, clock } = setup();
    const t0 = clock.now();
    const r = await host.send(readAnalog, { command: 1 }, 1);
    const pack = r.value!.packs[0];
    expect(pack.cells_mV).toHaveLength(16);
    expect(pack.temps_C).toHaveLength(6);
    expect(pack.userDefinedCount).toBe(3);
    for (const mV of pack.cells_mV) {
      expect(mV).toBeGreaterThan(3200);
      expect(mV).toBeLessThan(3350);
    }
    expect(pack.voltage_V).toBeGreaterThan(51);
    expect(pack.voltage_V).toBeLessThan(54);
    expect(pack.temps_C[0]).toBeCloseTo(25, 0);
    expect(pack.remaining_Ah / pack.full_Ah).toBeCloseTo(0.6, 1);
    // Request 20 bytes out, 20 ms turnaround, then the 140-byte reply.
    expect(r.raw.length).toBe(18 + 2 * 61);
    expect(r.at! - t0).toBeCloseTo((20 + 140) * bt() + 20, 6);
  });

  it('p9 firmware adds the SOC tail and the newer 44H bytes; 15 cells / 8 temps are honoured', async () => {
    const { host } = setup({ firmware: { tail: 'p9', cellCount: 15, tempCount: 8 } });
    const a = (await host.send(readAnalog, { command: 1 }, 1)).value!.packs[0];
    expect(a.userDefinedCount).toBe(9);
    expect(a.cells_mV).toHaveLength(15);
    expect(a.temps_C).toHaveLength(8);
    expect(a.soc_pct).toBeGreaterThan(50);
    expect(a.tail?.portVoltage_V).toBeGreaterThan(46);
    expect(a.tail?.portVoltage_V).toBeLessThan(51);
    const s = (await host.send(readStatus, { command: 1 }, 1)).value!.packs[0];
    expect(s.bytes.fault8).toBe(0);
    expect(s.cellAlarms).toHaveLength(15);
  });

  it('16-pack broadcast: one reply with every pack, in address order; relay and direct reads agree', async () => {
    const { host, bank } = setup({ packCount: 16 });
    const b = await host.send(readAnalog, { command: ALL_PACKS }, 1, 6000);
    expect(b.frame?.adr).toBe(1);
    expect(b.value!.broadcast).toBe(true);
    expect(b.value!.packs).toHaveLength(16);
    b.value!.packs.forEach((p) => expect(p.empty).toBe(false));
    const relay = await host.send(readAnalog, { command: 7 }, 1);
    expect(relay.frame?.adr).toBe(1);
    expect(relay.value!.command).toBe(7);
    expect(relay.value!.packs[0].cycles).toBe(bank.packAt(7)!.gauge.cycles);
    const direct = await host.send(readAnalog, { command: 7 }, 7);
    expect(direct.frame?.adr).toBe(7);
    expect(direct.value!.packs[0].cycles).toBe(bank.packAt(7)!.gauge.cycles);
    const st = await host.send(readStatus, { command: ALL_PACKS }, 1, 6000);
    expect(st.value!.packs).toHaveLength(16);
    expect(st.value!.packs.every((p) => p.chargeMosOn && p.dischargeMosOn)).toBe(true);
  });

  it('a 16-pack broadcast takes its full wire time at 9600 baud', async () => {
    const { host, clock } = setup({ packCount: 16 });
    const t0 = clock.now();
    const r = await host.send(readAnalog, { command: ALL_PACKS }, 1, 6000);
    const replyBytes = r.raw.length;
    expect(replyBytes).toBe(18 + 2 * (2 + 16 * 59));
    expect(r.at! - t0).toBeCloseTo((20 + replyBytes) * bt() + 20, 6);
    expect(r.at! - t0).toBeGreaterThan(1900);
  });

  it('without broadcast firmware the master answers FF with its own block only', async () => {
    const { host } = setup({ packCount: 3, firmware: { broadcast: false } });
    const r = await host.send(readAnalog, { command: ALL_PACKS }, 1);
    expect(r.value!.packs).toHaveLength(1);
    expect(r.value!.command).toBe(1);
  });

  it('an offline slave: zero block in the broadcast, RTN 91 when relayed, silence when addressed, master fault bit', async () => {
    const { host, bank } = setup({ packCount: 3, scenario: { name: 'offline-slave', params: { pack: 2 } } });
    bank.step(1000);
    const b = await host.send(readAnalog, { command: ALL_PACKS }, 1);
    expect(b.value!.packs.map((p) => p.empty)).toEqual([false, true, false]);
    const relay = await host.send(readAnalog, { command: 2 }, 1);
    expect(relay.frame?.code).toBe(0x91);
    expect((await host.send(readAnalog, { command: 2 }, 2)).frame).toBeNull();
    const st = await host.send(readStatus, { command: 1 }, 1);
    expect(st.value!.packs[0].bytes.fault ?? 0).toBe(0);
    expect(bank.master.status.fault8 & 0x20).toBe(0x20);
  });

  it('C1H / C2H identity', async () => {
    const { host } = setup({ firmware: { bluetoothName: true } });
    const v = (await host.send(readSoftwareVersion, {}, 1)).value!;
    expect(v.version).toBe('P16S100A-1812-1.00');
    expect(v.bluetoothName).toMatch(/^PC-/);
    const s = (await host.send(readProductInfo, {}, 1)).value!;
    expect(s.bmsSerial).toMatch(/^P1812/);
    expect(s.packSerial).toMatch(/^PK/);
  });
});

describe('protocol errors', () => {
  it('unknown CID2 -> RTN 04; wrong VER -> RTN 01; bad format -> RTN 05; ADR with no pack -> silence', async () => {
    const { host } = setup({ packCount: 2 });
    const unknown = await host.sendRaw(encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x4f, info: new Uint8Array(0) }));
    expect(unknown.frames[0].code).toBe(0x04);
    const ver = await host.send(readPackCount, {}, 1, 3000, 0x20);
    expect(ver.frame?.code).toBe(0x01);
    const format = await host.sendRaw(encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x42, info: Uint8Array.of(1, 2) }));
    expect(format.frames[0].code).toBe(0x05);
    expect((await host.send(readPackCount, {}, 9)).frame).toBeNull();
  });

  it('extensions off -> RTN 04; on -> accepted', async () => {
    const off = setup({ firmware: { extensions: false } });
    expect((await off.host.send(setSoftwareAddress, { address: 3 }, 1)).frame?.code).toBe(0x04);
    const on = setup();
    expect((await on.host.send(setSoftwareAddress, { address: 3 }, 1)).frame?.code).toBe(0x00);
    expect((await on.host.send(readPackCount, {}, 3)).frame?.adr).toBe(3);
  });

  it('a corrupted request: silent by default, RTN 02 when configured', async () => {
    const good = '~25014642E00201FD30\r';
    const bad = asciiBytes(good.replace('FD30', 'FD31'));
    expect((await setup().host.sendRaw(bad)).frames).toHaveLength(0);
    const r = await setup({ firmware: { corruptRequest: 'rtn' } }).host.sendRaw(bad);
    expect(r.frames[0].code).toBe(0x02);
    expect(r.frames[0].adr).toBe(1);
  });

  it('answers the captured PbmsTools request byte for byte in layout', async () => {
    const { host } = setup();
    const r = await host.sendRaw(asciiBytes('~25014642E00201FD30\r'));
    expect(r.frames).toHaveLength(1);
    const text = String.fromCharCode(...r.raw);
    expect(text).toMatch(/^~25014600F07A0001100C/);
  });
});

describe('bank topology extensions', () => {
  it('setHost moves the master; exitModule takes a pack out of the count', async () => {
    const { host } = setup({ packCount: 3 });
    expect((await host.send(exitModule, { address: 3 }, 1)).frame?.code).toBe(0);
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 2 });
    expect((await host.send(setHost, { address: 2 }, 1)).frame?.code).toBe(0);
    expect((await host.send(readPackCount, {}, 2)).value).toEqual({ packCount: 2 });
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 1 });
  });
});

describe('determinism', () => {
  async function transcript(seed: string): Promise<string> {
    const { host, bank } = setup({ packCount: 4, seed, scenario: 'load' });
    let out = '';
    for (let i = 0; i < 3; i++) {
      const r = await host.sendRaw(asciiBytes('~25014642E002FFFD05\r'), 4000);
      out += String.fromCharCode(...r.raw);
      bank.step(60_000);
    }
    return out;
  }

  it('the same seed gives the same bytes; another seed does not', async () => {
    const a = await transcript('s1');
    expect(await transcript('s1')).toBe(a);
    expect(await transcript('s2')).not.toBe(a);
  });
});

describe('parameters over the wire change behaviour', () => {
  it('reads the captured defaults back', async () => {
    const { host } = setup();
    const ov = (await host.send(readCellOverVoltage, undefined, 1)).value!;
    expect(ov).toEqual({ enabled: true, alarm_mV: 3600, protect_mV: 3700, release_mV: 3380, delay_ms: 1000 });
    const raw = await host.sendRaw(asciiBytes('~250146D10000FD99\r'));
    expect(String.fromCharCode(...raw.raw)).toBe('~25014600F010010E100E740D340AFA34\r');
  });

  /** Charge hard until the charge MOSFET opens; returns [sim time of the trip, max cell then]. */
  function chargeUntilTrip(bank: ReturnType<typeof setup>['bank']): { trip_ms: number; firstOver_ms: number | null; maxCell: number } {
    const p = bank.packs[0];
    bank.setScenario('charge', { load: { kind: 'charge', current_A: 50, voltage_V: 62 } });
    let firstOver: number | null = null;
    const protect = p.params.cellOverVoltage.protect_mV;
    for (let i = 0; i < 4 * 3600 * 4; i++) {
      bank.step(250);
      const max = Math.max(...p.readings.cells_mV);
      if (firstOver === null && max >= protect) firstOver = bank.simTime_ms;
      if (!p.status.chargeMosOn) return { trip_ms: bank.simTime_ms, firstOver_ms: firstOver, maxCell: max };
    }
    throw new Error('never tripped');
  }

  it('charging past cell OV protect opens the charge MOSFET after the delay and releases below the release voltage', async () => {
    const { bank, host } = setup({ initialSoc: 0.9 });
    const p = bank.packs[0];
    const { trip_ms, firstOver_ms } = chargeUntilTrip(bank);
    expect(firstOver_ms).not.toBeNull();
    expect(trip_ms - firstOver_ms!).toBeGreaterThanOrEqual(1000);
    expect(trip_ms - firstOver_ms!).toBeLessThanOrEqual(1250);
    expect(p.status.protection1 & 1).toBe(1);
    expect(p.status.dischargeMosOn).toBe(true);
    const st = (await host.send(readStatus, { command: 1 }, 1)).value!.packs[0];
    expect(st.chargeMosOn).toBe(false);
    expect(st.flags.some((f) => f.id === 'cellOverVoltageProtect')).toBe(true);
    // Discharge (through the still-closed discharge MOSFET) until the cells fall below 3380 mV.
    bank.setScenario('load', { load: { kind: 'current', current_A: -30 } });
    let released: number | null = null;
    for (let i = 0; i < 3600 * 4 && released === null; i++) {
      bank.step(250);
      if (p.status.chargeMosOn) released = bank.simTime_ms;
    }
    expect(released).not.toBeNull();
    expect(Math.max(...p.readings.cells_mV)).toBeLessThan(3380);
    expect(p.status.protection1 & 1).toBe(0);
  });

  it('writing a lower OV protect threshold over the wire makes it trip earlier, at the new threshold', async () => {
    const a = setup({ initialSoc: 0.9, seed: 'same' });
    const b = setup({ initialSoc: 0.9, seed: 'same' });
    const w = await b.host.send(setCellOverVoltage, { enabled: true, alarm_mV: 3480, protect_mV: 3550, release_mV: 3380, delay_ms: 2000 }, 1);
    expect(w.frame?.code).toBe(0);
    expect(b.bank.packs[0].params.cellOverVoltage.protect_mV).toBe(3550);
    const ta = chargeUntilTrip(a.bank);
    const tb = chargeUntilTrip(b.bank);
    expect(tb.trip_ms).toBeLessThan(ta.trip_ms);
    expect(tb.maxCell).toBeGreaterThanOrEqual(3550);
    expect(tb.maxCell).toBeLessThan(3700);
    expect(tb.trip_ms - tb.firstOver_ms!).toBeGreaterThanOrEqual(2000);
  });
});

describe('history', () => {
  it('records power-on and protection changes and reads them back with A1H, newest first, then the end', async () => {
    const { host, bank } = setup({ initialSoc: 0.9 });
    const p = bank.packs[0];
    bank.setScenario('charge', { load: { kind: 'charge', current_A: 50, voltage_V: 62 } });
    for (let i = 0; i < 4 * 3 * 3600 && p.status.chargeMosOn; i++) bank.step(250);
    expect(p.status.chargeMosOn).toBe(false);
    const newest = await host.send(readHistory, { index: 0 }, 1);
    expect(newest.value!.kind).toBe('record');
    if (newest.value!.kind !== 'record') return;
    const rec = newest.value!.record;
    expect((rec.status.protection1 ?? 0) & 1).toBe(1);
    expect(rec.cells_mV).toHaveLength(16);
    expect(rec.time.year).toBe(2025);
    const records = [];
    for (let i = 0; i < 1000; i++) {
      const r = await host.send(readHistory, { index: i }, 1, 500);
      if (r.value!.kind === 'end') break;
      records.push(r.value!);
    }
    expect(records.length).toBe(p.history.size);
    const oldest = records[records.length - 1];
    expect(oldest.kind === 'record' && oldest.record.statusRecord).toBe(1);
    // Newest first: times never increase along the index.
    const times = records.map((r) =>
      r.kind === 'record'
        ? Date.UTC(r.record.time.year, r.record.time.month - 1, r.record.time.day, r.record.time.hour, r.record.time.minute, r.record.time.second)
        : 0
    );
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]);
    // The invented past months are there, with end-of-charge records.
    expect(records.some((r) => r.kind === 'record' && ((r.record.status.protection2 ?? 0) & 0x80) !== 0)).toBe(true);
  });

  it('RTN 07 past the end when the firmware says so', async () => {
    const { host } = setup({ firmware: { historyEnd: 'rtn07' } });
    expect((await host.send(readHistory, { index: 399 }, 1)).frame?.code).toBe(0x07);
  });
});
