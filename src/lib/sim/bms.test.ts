import { describe, expect, it } from 'vitest';
import { Bms, type BmsMeasurements } from './bms';
import { defaultParams, type PackParams } from './params-store';
import { VirtualClock } from '../time/clock';
import { createSimBank } from './bank';

function meas(over: Partial<BmsMeasurements> = {}): BmsMeasurements {
  return {
    cells_mV: new Array<number>(16).fill(3300),
    temps_C: [25, 25, 25, 25, 26, 25],
    cellSensorCount: 4,
    current_A: 0,
    packVoltage_mV: 52_800,
    soc_pct: 60,
    chargerPresent: false,
    ...over
  };
}

function bms(params: PackParams = defaultParams()) {
  return { params, bms: new Bms(() => params) };
}

describe('BMS protections', () => {
  it('a cell over-voltage trips only after its delay, sets the warning at the alarm level first', () => {
    const { bms: b } = bms();
    const cells = new Array<number>(16).fill(3400);
    cells[3] = 3620;
    let s = b.evaluate(meas({ cells_mV: cells }), 0);
    expect(s.warning1 & 1).toBe(1);
    expect(s.cellAlarms[3]).toBe(0x02);
    expect(s.protection1 & 1).toBe(0);
    cells[3] = 3710;
    // The first reading over the limit only starts the protection delay.
    b.evaluate(meas({ cells_mV: cells }), 100);
    s = b.evaluate(meas({ cells_mV: cells }), 1000);
    expect(s.chargeMosOn).toBe(true);
    s = b.evaluate(meas({ cells_mV: cells }), 1100);
    expect(s.protection1 & 1).toBe(1);
    expect(s.chargeMosOn).toBe(false);
    expect(s.dischargeMosOn).toBe(true);
    // Below protect but above release: stays tripped (hysteresis).
    cells[3] = 3500;
    s = b.evaluate(meas({ cells_mV: cells }), 10_000);
    expect(s.chargeMosOn).toBe(false);
    // Release needs every cell below the release voltage.
    cells[3] = 3370;
    b.evaluate(meas({ cells_mV: cells }), 11_000);
    expect(b.evaluate(meas({ cells_mV: cells }), 13_000).chargeMosOn).toBe(false);
    const low = new Array<number>(16).fill(3350);
    b.evaluate(meas({ cells_mV: low }), 14_000);
    expect(b.evaluate(meas({ cells_mV: low }), 15_000).chargeMosOn).toBe(false);
    s = b.evaluate(meas({ cells_mV: low }), 16_000);
    expect(s.chargeMosOn).toBe(true);
    expect(s.protection1 & 1).toBe(0);
  });

  it('a disabled protection (FC byte 0) never trips', () => {
    const { params, bms: b } = bms();
    params.cellOverVoltage.enabled = false;
    const cells = new Array<number>(16).fill(3800);
    b.evaluate(meas({ cells_mV: cells }), 0);
    const s = b.evaluate(meas({ cells_mV: cells }), 5000);
    expect(s.protection1).toBe(0);
    expect(s.warning1 & 1).toBe(0);
    expect(s.chargeMosOn).toBe(true);
  });

  it('discharge over-current trips after its delay and re-arms after the recovery time, not on a threshold', () => {
    const { bms: b } = bms();
    b.evaluate(meas({ current_A: -115 }), 0);
    let s = b.evaluate(meas({ current_A: -115 }), 1000);
    expect(s.protection1 & 0x20).toBe(0x20);
    expect(s.dischargeMosOn).toBe(false);
    s = b.evaluate(meas({ current_A: 0 }), 30_000);
    expect(s.dischargeMosOn).toBe(false);
    s = b.evaluate(meas({ current_A: 0 }), 61_000);
    expect(s.dischargeMosOn).toBe(true);
  });

  it('OC level 2 trips faster than level 1; a short circuit at once', () => {
    const { bms: b } = bms();
    b.evaluate(meas({ current_A: -160 }), 0);
    expect(b.evaluate(meas({ current_A: -160 }), 100).dischargeMosOn).toBe(false);
    const { bms: c } = bms();
    expect(c.evaluate(meas({ current_A: -500 }), 0).protection1 & 0x40).toBe(0x40);
  });

  it('cold cells block charging but not discharging; a heater runs while a charger is present', () => {
    const { bms: b } = bms();
    const cold = [-6, -6, -6, -6, -5, -4];
    b.evaluate(meas({ temps_C: cold, chargerPresent: true }), 0);
    const s = b.evaluate(meas({ temps_C: cold, chargerPresent: true }), 2000);
    expect(s.protection2 & 0x04).toBe(0x04);
    expect(s.chargeMosOn).toBe(false);
    expect(s.dischargeMosOn).toBe(true);
    expect(s.heaterOn).toBe(true);
    expect(s.indication & 0x80).toBe(0x80);
    expect(b.evaluate(meas({ temps_C: cold, chargerPresent: false }), 3000).heaterOn).toBe(false);
  });

  it('MOSFET over-temperature opens both MOSFETs', () => {
    const { bms: b } = bms();
    const hot = [40, 40, 40, 40, 112, 30];
    b.evaluate(meas({ temps_C: hot }), 0);
    const s = b.evaluate(meas({ temps_C: hot }), 2000);
    expect(s.protection2 & 0x10).toBe(0x10);
    expect(s.chargeMosOn || s.dischargeMosOn).toBe(false);
    expect(s.warning2 & 0x40).toBe(0x40);
  });

  it('low SOC warning follows the full-charge parameter', () => {
    const { params, bms: b } = bms();
    expect(b.evaluate(meas({ soc_pct: 4 }), 0).warning2 & 0x80).toBe(0x80);
    params.lowSocAlarm_pct = 2;
    expect(b.evaluate(meas({ soc_pct: 4 }), 1000).warning2 & 0x80).toBe(0);
  });

  it('99H switches show in the control byte; the charge limiter caps current once engaged', () => {
    const { bms: b } = bms();
    b.switches.buzzer = true;
    b.switches.ledAlarm = false;
    expect(b.refreshControl()).toBe(0x01 | 0x02 | 0x04 | 0x20);
    b.evaluate(meas({ current_A: 105 }), 0);
    expect(b.chargeLimit_A).toBe(20);
    expect(b.status.indication & 0x01).toBe(0x01);
    b.switches.limiter = false;
    b.evaluate(meas({ current_A: 105 }), 1000);
    expect(b.chargeLimit_A).toBeUndefined();
  });
});

describe('bank time', () => {
  it('advances its physics on the clock by itself, scaled by timeScale', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({
      packCount: 1,
      seed: 't',
      clock,
      timeScale: 60,
      scenario: { name: 'load', params: { load: { kind: 'current', current_A: -50 } } }
    });
    const soc0 = bank.packs[0].gauge.soc_pct;
    await clock.advance(60_000);
    // One clock minute is an hour of simulated time: about 50 Ah out of ~100 Ah.
    expect(bank.simTime_ms).toBeCloseTo(3_600_000, -3);
    expect(soc0 - bank.packs[0].gauge.soc_pct).toBeGreaterThan(40);
    bank.dispose();
    const t = bank.simTime_ms;
    await clock.advance(10_000);
    expect(bank.simTime_ms).toBe(t);
    expect(clock.pendingTimers).toBe(0);
  });
});
