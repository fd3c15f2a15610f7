// Capacities A6H (read) / A7H (write), charge cut-off SOC A5H and cycle count BDH (reference
// §8.2, V3.1 doc §4.17–4.19, §4.40). The vendor tool files A7H and BDH under calibration
// (they reset the SOC estimate and the wear record), so they are 'dangerous'.

import type { Command } from '../command';
import { checkField, layout, readCommand, scaled, writeCommand, type FieldSpec, type WriteAck } from './payload';

export interface Capacities {
  remaining_Ah: number;
  /** Full-charge (learned) capacity. */
  full_Ah: number;
  design_Ah: number;
}

const ah = (field: keyof Capacities, label: string): FieldSpec => ({ field, label, unit: 'Ah', min: 0, max: 655.35, step: 0.01 });

const capacityLayout = layout<Capacities>([
  scaled('remaining_Ah', ah('remaining_Ah', 'Remaining capacity')),
  scaled('full_Ah', ah('full_Ah', 'Full-charge capacity')),
  scaled('design_Ah', ah('design_Ah', 'Design capacity'))
]);

/** A6H: read remaining / full / design capacity (10 mAh units on the wire). */
export const readCapacities: Command<void, Capacities> = readCommand({
  cid2: 0xa6,
  id: 'readCapacities',
  title: 'Capacities',
  decode: (r) => capacityLayout.decode(r),
  encode: (res) => capacityLayout.encode(res, false),
  replyBytes: 6
});

/** A7H: set remaining / full / design capacity. Remaining above full is refused. */
export const setCapacities: Command<Capacities, WriteAck> = writeCommand({
  cid2: 0xa7,
  id: 'setCapacities',
  title: 'Capacities',
  kind: 'dangerous',
  encode: (req) => {
    capacityLayout.validate(req);
    if (req.remaining_Ah > req.full_Ah) {
      throw new RangeError(
        `Remaining capacity (remaining_Ah) = ${req.remaining_Ah} Ah is above the full-charge capacity (full_Ah) = ${req.full_Ah} Ah; it must be 0..${req.full_Ah} Ah`
      );
    }
    return capacityLayout.encode(req, false);
  },
  decode: (r) => capacityLayout.decode(r)
});

export interface ChargeCutoff {
  /** Charging stops at this SOC ("capacity release percentage"). */
  chargeCutoffSoc_pct: number;
}

const CHARGE_CUTOFF_SPEC: FieldSpec = { field: 'chargeCutoffSoc_pct', label: 'Charge cut-off SOC', unit: '%', min: 74, max: 97, step: 1 };

/** A5H: set the charge cut-off SOC (74–97 %). Write only: no read command exists. */
export const setChargeCutoff: Command<ChargeCutoff, WriteAck> = writeCommand({
  cid2: 0xa5,
  id: 'setChargeCutoff',
  title: 'Charge cut-off SOC',
  kind: 'write',
  encode: (req) => {
    checkField(req.chargeCutoffSoc_pct, CHARGE_CUTOFF_SPEC);
    return Uint8Array.of(req.chargeCutoffSoc_pct);
  },
  decode: (r) => ({ chargeCutoffSoc_pct: r.u8('chargeCutoffSoc_pct') })
});

export interface CycleCount {
  cycles: number;
}

const CYCLE_COUNT_SPEC: FieldSpec = { field: 'cycles', label: 'Cycle count', unit: 'cycles', min: 0, max: 65535, step: 1 };

/** BDH: set the charge/discharge cycle count. */
export const setCycleCount: Command<CycleCount, WriteAck> = writeCommand({
  cid2: 0xbd,
  id: 'setCycleCount',
  title: 'Cycle count',
  kind: 'dangerous',
  encode: (req) => {
    checkField(req.cycles, CYCLE_COUNT_SPEC);
    return Uint8Array.of(req.cycles >> 8, req.cycles & 0xff);
  },
  decode: (r) => ({ cycles: r.u16('cycles') })
});

export const capacityCommands = [readCapacities, setCapacities, setChargeCutoff, setCycleCount] as const;
