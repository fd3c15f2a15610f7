import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultParamValues, type WriteLogEntry } from '$lib/params';
import { openStorage, type AppStorage } from '$lib/storage';
import { flattenValues, nestValues, StoredSnapshots, StoredWriteLog } from './params-stores';

let storage: AppStorage | null = null;
afterEach(() => storage?.close());

async function open(): Promise<AppStorage> {
  storage = await openStorage({ name: `params-stores-${Math.random()}`, storageManager: null });
  return storage;
}

const BANK = 'Demo bank (3 packs)';
const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);

describe('parameter snapshots on the app storage', () => {
  it('round-trips values per group, lists a pack newest first, and says which groups it covers', async () => {
    const s = await open();
    const snaps = new StoredSnapshots(
      async () => s,
      () => BANK
    );
    const values = defaultParamValues();
    const first = await snaps.save({
      bmsSerial: 'PX1234',
      address: 3,
      time_ms: T0,
      reason: 'before-write',
      note: 'Write Sleep',
      values,
      groups: ['sleep']
    });
    await snaps.save({ bmsSerial: 'PX9999', address: 4, time_ms: T0 + 1, reason: 'manual', note: 'other pack', values, groups: [] });
    const partial = { 'sleep.cellVoltage_mV': 3050, 'sleep.delay_min': 7, 'control.buzzer': true };
    await snaps.save({
      bmsSerial: 'PX1234',
      address: 3,
      time_ms: T0 + 2,
      reason: 'before-restore',
      note: 'Restore',
      values: partial,
      groups: ['sleep']
    });

    const raw = await s.snapshots.get(Number(first.id));
    expect(raw?.device).toBe('sn:PX1234');
    expect(raw?.values).toMatchObject({ cellOverVoltage: { protect_mV: 3700 }, identity: { bmsSerial: 'PX1234' } });

    const list = await snaps.list({ address: 3, bmsSerial: 'PX1234' });
    expect(list.map((x) => [x.reason, x.time_ms])).toEqual([
      ['before-restore', T0 + 2],
      ['before-write', T0]
    ]);
    expect(list[0].values).toEqual(partial);
    expect(list[0].groups).toEqual(['sleep']);
    expect(list[1].values).toEqual(values);
    // Timed storage is optional on real packs, but these values carry it: every group is covered.
    expect(list[1].groups).toHaveLength(19);
    expect(await snaps.get(first.id)).toEqual({ ...first, groups: list[1].groups });
    expect(await snaps.get('not-a-number')).toBeUndefined();
  });

  it('packs with an unusable serial are kept apart by their position', async () => {
    const s = await open();
    const snaps = new StoredSnapshots(
      async () => s,
      () => BANK
    );
    const v = { 'sleep.delay_min': 5, 'sleep.cellVoltage_mV': 3100 };
    await snaps.save({ bmsSerial: '0000000000', address: 1, time_ms: T0, reason: 'manual', note: '', values: v, groups: ['sleep'] });
    await snaps.save({ bmsSerial: '0000000000', address: 2, time_ms: T0, reason: 'manual', note: '', values: v, groups: ['sleep'] });
    expect((await snaps.list({ address: 1, bmsSerial: '0000000000' })).map((x) => x.address)).toEqual([1]);
    expect((await s.snapshots.list()).map((x) => x.device).sort()).toEqual([`addr:${BANK}#1`, `addr:${BANK}#2`]);
  });

  it('nesting and flattening are inverse for every id shape the engine uses', () => {
    const flat = {
      'cellOverVoltage.protect_mV': 3700,
      'storageStart.time': '2025-06-01 08:00:00',
      'control.chargeMos': true,
      'reading.voltage_V': 52.1
    };
    expect(flattenValues(nestValues(flat))).toEqual(flat);
  });
});

describe('the write log on the app storage', () => {
  const entry = (over: Partial<Omit<WriteLogEntry, 'id'>> = {}): Omit<WriteLogEntry, 'id'> => ({
    time_ms: T0,
    operationId: 'op-1',
    kind: 'parameters',
    pack: { address: 3, bmsSerial: 'PX1234' },
    what: 'Cell over-voltage (D0H)',
    command: { id: 'setCellOverVoltage', cid2: 0xd0 },
    changes: [
      {
        key: 'cellOverVoltage.protect_mV',
        label: 'Cell OV Protect',
        from: 3700,
        to: 3310,
        readBack: 3310,
        text: '3700 mV → 3310 mV (read back 3310 mV)'
      }
    ],
    outcome: 'written',
    message: 'Cell over-voltage (D0H): written and read back.',
    snapshotId: '7',
    ...over
  });

  it('keeps the common fields for any reader and the exact entry for this one', async () => {
    const s = await open();
    const log = new StoredWriteLog(
      async () => s,
      () => BANK
    );
    const a = await log.append(entry());
    await log.append(
      entry({ time_ms: T0 + 5, outcome: 'unverified', changes: [], what: 'Passive balancing (99H)', kind: 'control', operationId: 'op-2' })
    );
    await log.append(
      entry({
        time_ms: T0 + 9,
        pack: { address: 4, bmsSerial: 'PX9999' },
        outcome: 'invalid',
        changes: [],
        command: undefined,
        snapshotId: undefined
      })
    );

    const [raw] = await s.writeLog.list({ device: 'sn:PX1234', limit: 2 }).then((l) => l.slice(1));
    expect(raw).toMatchObject({
      device: 'sn:PX1234',
      what: 'Cell over-voltage (D0H)',
      command: 'setCellOverVoltage',
      old: { 'cellOverVoltage.protect_mV': 3700 },
      new: { 'cellOverVoltage.protect_mV': 3310 },
      readBack: { 'cellOverVoltage.protect_mV': 3310 },
      result: 'ok',
      snapshotId: 7
    });

    const mine = await log.list({ pack: { address: 3, bmsSerial: 'PX1234' } });
    expect(mine.map((e) => e.outcome)).toEqual(['unverified', 'written']);
    expect(mine[1]).toEqual({ ...entry(), id: a.id });
    const all = await log.list();
    expect(all.map((e) => e.outcome)).toEqual(['invalid', 'unverified', 'written']);
    expect((await s.writeLog.list()).map((r) => r.result)).toEqual(['refused', 'not-confirmed', 'ok']);
  });

  it("rows show other writers' entries too, from storage's own fields", async () => {
    const s = await open();
    const log = new StoredWriteLog(
      async () => s,
      () => BANK
    );
    await log.append(entry());
    await s.writeLog.add({
      t_ms: T0 + 60_000,
      device: 'sn:PX1234',
      address: 3,
      what: 'Clear history (B3H)',
      command: 'clearHistory',
      old: { records: 412 },
      new: { records: 0 },
      readBack: null,
      result: 'ok',
      message: 'Cleared after export.',
      snapshotId: null
    });
    const rows = await log.rows({ pack: { address: 3, bmsSerial: 'PX1234' } });
    expect(rows.map((r) => [r.what, r.outcome, r.result, r.changes.map((c) => `${c.label}: ${c.text}`)])).toEqual([
      ['Clear history (B3H)', null, 'ok', ['records: 412 → 0']],
      ['Cell over-voltage (D0H)', 'written', 'ok', ['Cell OV Protect: 3700 mV → 3310 mV (read back 3310 mV)']]
    ]);
    // Entries of other writers are not handed to the engine as its own.
    expect(await log.list()).toHaveLength(1);
  });
});
