// Full-charge detection and low-SOC alarm AFH (read) / AEH (write), reference §8.2. The INFO is
// 4 bytes (LENID 08) or 5 bytes with the low-capacity alarm (LENID 0A); both forms are kept.

import type { Command } from '../command';
import { checkField, InfoReader, InfoWriter, readCommand, writeCommand, type FieldSpec, type WriteAck } from './payload';

export interface FullChargeSettings {
  /** Pack voltage at or above which, with the current below fullChargeCurrent_mA, the pack counts as full. */
  fullChargeVoltage_mV: number;
  fullChargeCurrent_mA: number;
  /** Low-capacity alarm threshold; null when the firmware uses the 4-byte form without it. */
  lowSocAlarm_pct: number | null;
}

export const FULL_CHARGE_SPECS = {
  fullChargeVoltage_mV: { field: 'fullChargeVoltage_mV', label: 'Full-charge voltage', unit: 'mV', min: 20000, max: 65000, step: 1, vendorStep: 10 },
  fullChargeCurrent_mA: { field: 'fullChargeCurrent_mA', label: 'Full-charge current', unit: 'mA', min: 500, max: 5000, step: 1, vendorStep: 500 },
  lowSocAlarm_pct: { field: 'lowSocAlarm_pct', label: 'Low SOC alarm', unit: '%', min: 0, max: 100, step: 1 }
} as const satisfies Record<keyof FullChargeSettings, FieldSpec>;

function encode(v: FullChargeSettings): Uint8Array {
  const w = new InfoWriter().u16(v.fullChargeVoltage_mV).u16(v.fullChargeCurrent_mA);
  if (v.lowSocAlarm_pct !== null) w.u8(v.lowSocAlarm_pct);
  return w.finish();
}

function decode(r: InfoReader): FullChargeSettings {
  const fullChargeVoltage_mV = r.u16('fullChargeVoltage_mV');
  const fullChargeCurrent_mA = r.u16('fullChargeCurrent_mA');
  const lowSocAlarm_pct = r.remaining > 0 ? r.u8('lowSocAlarm_pct') : null;
  return { fullChargeVoltage_mV, fullChargeCurrent_mA, lowSocAlarm_pct };
}

/** AFH: read full-charge voltage/current and the low-SOC alarm. */
export const readFullCharge: Command<void, FullChargeSettings> = readCommand({
  cid2: 0xaf,
  id: 'readFullCharge',
  title: 'Full charge and low SOC alarm',
  decode,
  encode,
  replyBytes: 5
});

/** AEH: write them; sends 5 bytes unless lowSocAlarm_pct is null. */
export const setFullCharge: Command<FullChargeSettings, WriteAck> = writeCommand({
  cid2: 0xae,
  id: 'setFullCharge',
  title: 'Full charge and low SOC alarm',
  kind: 'write',
  encode: (req) => {
    checkField(req.fullChargeVoltage_mV, FULL_CHARGE_SPECS.fullChargeVoltage_mV);
    checkField(req.fullChargeCurrent_mA, FULL_CHARGE_SPECS.fullChargeCurrent_mA);
    if (req.lowSocAlarm_pct !== null) checkField(req.lowSocAlarm_pct, FULL_CHARGE_SPECS.lowSocAlarm_pct);
    return encode(req);
  },
  decode
});

export const fullChargeCommands = [readFullCharge, setFullCharge] as const;
