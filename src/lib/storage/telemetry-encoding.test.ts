import { describe, expect, it } from 'vitest';
import { encodeRawRows, RawChunkView } from './raw-chunk';
import { DEFAULT_INTEGRATION, encodeMinuteRows, MinuteAccumulator, MinuteChunkView } from './minute-aggregate';
import { layoutOf, mergeLayouts, rowToTelemetry, sampleProblem, sampleToRow, type TelemetrySample } from './telemetry-row';
import { bankSample } from './testing/bank-day';

const T0 = Date.UTC(2025, 5, 1, 12);

function expectSampleEqualsRow(s: TelemetrySample, decoded: ReturnType<typeof rowToTelemetry>): void {
  const a = s.analog;
  expect(decoded.t_ms).toBe(s.t_ms);
  expect(decoded.address).toBe(s.address);
  expect(decoded.voltage_V).toBeCloseTo(a.voltage_V, 9);
  expect(decoded.current_A).toBeCloseTo(a.current_A, 9);
  expect(decoded.soc_pct).toBe(a.soc_pct);
  expect(decoded.remaining_Ah).toBeCloseTo(a.remaining_Ah, 9);
  expect(decoded.full_Ah).toBeCloseTo(a.full_Ah, 9);
  expect(decoded.cycles).toBe(a.cycles);
  expect(decoded.cells_mV).toEqual(a.cells_mV);
  // Stored at 0.1 °C, the sensors' resolution.
  expect(decoded.temps_C).toEqual(a.temps_C.map((t) => (t === null ? null : Math.round(t * 10) / 10)));
  expect(decoded.tempLabels).toEqual(a.tempLabels);
  if (s.status) {
    expect(decoded.statusBytes).toEqual(s.status.bytes);
    expect(decoded.chargeMosOn).toBe(s.status.chargeMosOn);
    expect(decoded.heaterOn).toBe(s.status.heaterOn);
  } else {
    expect(decoded.statusBytes).toBeNull();
    expect(decoded.chargeMosOn).toBeNull();
  }
}

describe('telemetry rows and raw chunks', () => {
  it('stores a sample losslessly at the protocol resolution (16 cells, 6 sensors, status)', () => {
    const samples = Array.from({ length: 50 }, (_, i) => bankSample(3, T0 + i * 2000));
    const layout = layoutOf(samples[0]);
    const view = new RawChunkView(
      encodeRawRows(
        samples.map((s) => sampleToRow(s, layout)),
        layout
      ),
      layout
    );
    expect(view.rows).toBe(50);
    samples.forEach((s, r) => expectSampleEqualsRow(s, rowToTelemetry(s.device, view.row(r), layout)));
  });

  it('handles 15 cells, 8 sensors with one not fitted, no status and no SOC', () => {
    const s = bankSample(2, T0, { cells: 15, temps: 8, noStatus: true });
    s.analog.soc_pct = null;
    s.analog.tail = { cumulativeCharge_Ah: 12345.67, cumulativeDischarge_Ah: 12000.5 };
    const layout = layoutOf(s);
    expect(layout).toMatchObject({ cellCount: 15, tempCount: 8, statusKeys: [] });
    const view = new RawChunkView(encodeRawRows([sampleToRow(s, layout)], layout), layout);
    const row = rowToTelemetry(s.device, view.row(0), layout);
    expectSampleEqualsRow(s, row);
    expect(row.soc_pct).toBeNull();
    expect(row.temps_C[7]).toBeNull();
    expect(row.cumulativeCharge_Ah).toBeCloseTo(12345.67, 9);
    expect(row.cumulativeDischarge_Ah).toBeCloseTo(12000.5, 9);
  });

  it('keeps a cell far from the others exactly (wider difference columns, not clipped)', () => {
    const s = bankSample(1, T0);
    s.analog.cells_mV[5] = 2500;
    s.analog.cells_mV[9] = 3650;
    const layout = layoutOf(s);
    const view = new RawChunkView(encodeRawRows([sampleToRow(s, layout)], layout), layout);
    expect(rowToTelemetry(s.device, view.row(0), layout).cells_mV).toEqual(s.analog.cells_mV);
  });

  it('says why a sample cannot be recorded', () => {
    const ok = bankSample(1, T0);
    expect(sampleProblem(ok)).toBeNull();
    expect(sampleProblem({ ...ok, device: '' })).toMatch(/device/);
    expect(sampleProblem({ ...ok, t_ms: Number.NaN })).toMatch(/time/);
    expect(sampleProblem({ ...ok, address: 300 })).toMatch(/address/);
    expect(sampleProblem({ ...ok, analog: { ...ok.analog, empty: true } })).toMatch(/empty/);
  });

  it("merges status bytes into a chunk's layout, but never a different cell or sensor count", () => {
    const withStatus = layoutOf(bankSample(1, T0));
    const without = layoutOf(bankSample(1, T0, { noStatus: true }));
    expect(mergeLayouts(withStatus, without)).toBe(withStatus);
    expect(mergeLayouts(without, withStatus)).toEqual(withStatus);
    const extra = { ...withStatus, statusKeys: ['aaa', 'fault'] };
    expect(mergeLayouts(withStatus, extra)?.statusKeys).toEqual(['aaa', ...withStatus.statusKeys]);
    expect(mergeLayouts(withStatus, layoutOf(bankSample(1, T0, { cells: 15 })))).toBeNull();
    expect(mergeLayouts(withStatus, layoutOf(bankSample(1, T0, { temps: 4 })))).toBeNull();
  });
});

describe('minute aggregates', () => {
  const layout = layoutOf(bankSample(1, T0));
  const rowAt = (t_ms: number, current_A: number, voltage_V = 52, patch: (s: TelemetrySample) => void = () => undefined) => {
    const s = bankSample(1, t_ms);
    s.analog.current_A = current_A;
    s.analog.voltage_V = voltage_V;
    patch(s);
    return sampleToRow(s, layout);
  };

  function aggregate(rows: Float64Array[], minute = T0) {
    const acc = new MinuteAccumulator(minute, layout);
    let prev: Float64Array | null = null;
    for (const r of rows) {
      acc.add(r, prev, DEFAULT_INTEGRATION);
      prev = r;
    }
    const view = new MinuteChunkView(encodeMinuteRows([acc.toRow()], layout), layout);
    return view.aggregate('d', 0);
  }

  it('integrates a constant charge current exactly: 20 A for 60 s at 52 V', () => {
    const rows = Array.from({ length: 31 }, (_, i) => rowAt(T0 + i * 2000, 20));
    const m = aggregate(rows);
    expect(m.samples).toBe(31);
    expect(m.charge_Ah).toBeCloseTo((20 * 60) / 3600, 4);
    expect(m.charge_Wh).toBeCloseTo((52 * 20 * 60) / 3600, 2);
    expect(m.discharge_Ah).toBe(0);
    expect(m.charging_s).toBeCloseTo(60, 1);
    expect(m.idle_s).toBe(0);
  });

  it('splits an interval whose ends differ in sign, and counts small currents as idle', () => {
    const m = aggregate([rowAt(T0, 10), rowAt(T0 + 2000, -10), rowAt(T0 + 4000, 0.2)]);
    // Each half interval (1 s) belongs to its end sample; Ah are kept to 0.1 mAh per minute.
    expect(m.charge_Ah).toBeCloseTo((10 * 1) / 3600, 4);
    expect(m.discharge_Ah).toBeCloseTo((10 * 2) / 3600, 4);
    expect(m.charging_s).toBeCloseTo(1, 1);
    expect(m.discharging_s).toBeCloseTo(2, 1);
    expect(m.idle_s).toBeCloseTo(1, 1);
  });

  it('does not integrate across a gap longer than maxGap (link lost): unknown, not zero', () => {
    const m = aggregate([rowAt(T0, 20), rowAt(T0 + 61_000, 20)]);
    expect(m.charge_Ah).toBe(0);
    expect(m.charging_s).toBe(0);
  });

  it('keeps min, max, mean, the extreme cells and their numbers, temperature extremes and the OR of status bytes', () => {
    const rows = [
      rowAt(T0, -5, 51.9, (s) => {
        s.analog.cells_mV[3] = 3100;
        s.status!.bytes.protection1 = 0x04;
      }),
      rowAt(T0 + 2000, -50, 51.5, (s) => {
        s.analog.cells_mV[11] = 3500;
        s.analog.temps_C[4] = 61.5;
        s.status!.bytes.protection1 = 0x10;
        s.status!.dischargeMosOn = false;
      }),
      rowAt(T0 + 4000, -5, 51.8)
    ];
    const m = aggregate(rows);
    expect(m.currentMin_A).toBe(-50);
    expect(m.currentMax_A).toBe(-5);
    expect(m.currentMean_A).toBe(-20);
    expect(m.voltageMin_V).toBe(51.5);
    expect(m.voltageMax_V).toBe(51.9);
    expect(m.cellMin_mV).toBe(3100);
    expect(m.cellMinNo).toBe(4);
    expect(m.cellMax_mV).toBe(3500);
    expect(m.cellMaxNo).toBe(12);
    expect(m.tempMax_C).toBe(61.5);
    expect(m.statusBytesOr?.protection1).toBe(0x14);
    expect(m.dischargeMosOff).toBe(true);
    expect(m.chargeMosOff).toBe(false);
    expect(m.cellMeans_mV).toHaveLength(16);
    expect(m.tempMeans_C).toHaveLength(6);
    expect(m.remaining_Ah).not.toBeNull();
  });
});
