// Typed values the protocol layer produces. Units are in the names. Everything above protocol/
// (sim, session, UI) speaks in these types, never in bytes.

/** PACE firmware's protocol version byte (PbmsTools "paceic 2.5"). */
export const VER_PACE = 0x25;
/** Pylontech / Seplos / EG4 firmware. */
export const VER_20 = 0x20;
/** CID1 for LiFePO4 batteries. */
export const CID1_LFP = 0x46;
/** CID1 used by EG4 LifePower4. */
export const CID1_EG4 = 0x4a;

/** The dialects of the analog/status replies a pack may speak (reference §3, §11). The one list. */
export const PROTOCOL_PROFILES = ['pace', 'pylon', 'seplos', 'eg4'] as const;
export type ProtocolProfile = (typeof PROTOCOL_PROFILES)[number];

/**
 * Serial baud rates the packs are set to (reference §1), in the order "Auto" tries them: 9600 is
 * the factory default, 19200 and 115200 are seen on some packs. The one list: detection, the
 * settings form and the BMS baud extension (F3H) all use it, so the app never sets a pack to a
 * rate it then cannot talk at.
 */
export const PACK_BAUDS = [9600, 19200, 115200] as const;
export type PackBaud = (typeof PACK_BAUDS)[number];

export function isPackBaud(baud: unknown): baud is PackBaud {
  return (PACK_BAUDS as readonly unknown[]).includes(baud);
}

/** The `42H` analog values of one pack. */
export interface PackAnalog {
  cells_mV: number[];
  /** In the pack's order; null where the sensor reads 0x8000 (not fitted). */
  temps_C: (number | null)[];
  /** Human names for temps_C, same length ("Cell T1".."Cell T4", "MOSFET", "Ambient", …). */
  tempLabels: string[];
  /** Positive = charging, negative = discharging. */
  current_A: number;
  voltage_V: number;
  remaining_Ah: number;
  full_Ah: number;
  /** Null where the reply's layout has no design capacity (Pylontech, EG4): shown as "—", never 0. */
  design_Ah: number | null;
  cycles: number;
  /** From the frame where it carries one (P >= 9, Seplos, EG4), else remaining/full; null if unknown. */
  soc_pct: number | null;
  soh_pct: number | null;
  socSource: 'reported' | 'computed' | null;
  /** The user-defined count P of the frame. */
  userDefinedCount: number;
  /** P = 9 (newer PACE) tail fields, present only when the frame carries them. */
  tail?: {
    cumulativeCharge_Ah?: number;
    cumulativeDischarge_Ah?: number;
    portVoltage_V?: number;
    portCurrent_A?: number;
    summaryRemaining_Ah?: number;
    summaryFull_Ah?: number;
    /** EG4 (P = 15) statistics, present only on that dialect. */
    cumulativeChargeEnergy_kWh?: number;
    cumulativeDischargeEnergy_kWh?: number;
    chargeTime_h?: number;
    dischargeTime_h?: number;
    chargeCount?: number;
    dischargeCount?: number;
    /** The BMS's own extremes where the frame carries them (EG4). */
    extremes?: { maxCell_mV: number; minCell_mV: number; cellDelta_mV: number; maxTemp_C: number | null; minTemp_C: number | null };
  };
  /** An all-zero block: the master reports an offline slave this way in a broadcast. */
  empty: boolean;
  /**
   * Bytes at the end of this pack's block that no known layout explains, kept so the block
   * re-encodes byte for byte (codecs fill it; absent means none).
   */
  extraBytes?: number[];
  /**
   * Where the block's own fields showed a unit other than the documented one (or showed that they
   * disagree): what was read how, and why. Absent when every field fits its documented unit.
   */
  unitNotes?: UnitNote[];
}

/** A field whose unit the decoder can check against the rest of the block. */
export type UnitField = 'voltage' | 'current' | 'remaining' | 'full' | 'design';

/** Why a value was read in another unit than its dialect documents, for the pack page. */
export interface UnitNote {
  field: UnitField;
  /**
   * The wire unit as a multiple of the documented one (10: 10 mV where mV is documented). 1 means
   * nothing was rescaled and the note only says the fields disagree.
   */
  factor: number;
  /** The unit the value was read in, e.g. "10 mV". */
  unit: string;
  /** E.g. "voltage read in 10 mV units: cells sum to 52.41 V". */
  message: string;
}

/** Units fixed ahead of decoding (learned from earlier replies, or set by hand): factor per field. */
export type UnitOverrides = Partial<Record<UnitField, number>>;

/** A `42H` reply: one pack (single / relay) or the whole bank (broadcast FF). */
export interface AnalogReply {
  infoFlag: number;
  /** True when the request was COMMAND = FF. */
  broadcast: boolean;
  /** Address echo (single/relay) or pack count (broadcast). */
  command: number;
  packs: PackAnalog[];
  /** Bytes after the last parsed field that no known layout explains. */
  trailingBytes: number;
}

/** Alarm code byte of cells, temperatures, currents and voltage (§6.2). */
export type AlarmLevel = 'normal' | 'low' | 'high' | 'user' | 'other';

/** A named flag decoded from a status byte. */
export interface StatusFlag {
  /** Stable identifier, e.g. "cellOverVoltageProtect". */
  id: string;
  /** Which byte it came from, e.g. "protection1". */
  source: string;
  bit: number;
  /** protection: the BMS acted (MOSFET opened); warning: threshold crossed; fault: hardware; state: normal operation. */
  severity: 'protection' | 'warning' | 'fault' | 'state';
  /** Plain English, e.g. "Cell over-voltage protection". */
  label: string;
  /** What an installer or owner should do; empty for normal states. */
  advice: string;
}

/** The `44H` alarm / status of one pack. */
export interface PackStatus {
  cellAlarms: AlarmLevel[];
  tempAlarms: AlarmLevel[];
  chargeCurrentAlarm: AlarmLevel;
  packVoltageAlarm: AlarmLevel;
  dischargeCurrentAlarm: AlarmLevel;
  /** Raw status bytes by name: protection1, protection2, indication, control, fault, balance1, balance2,
   *  warning1, warning2, and on newer firmware fault8, indication9, activeBalance1, activeBalance2, fault10. */
  bytes: Record<string, number>;
  /** 1-based cell numbers currently bleeding (passive balancing). */
  balancingCells: number[];
  /** Every set flag, decoded. */
  flags: StatusFlag[];
  chargeMosOn: boolean;
  dischargeMosOn: boolean;
  heaterOn: boolean | null;
  /** An all-zero block in a broadcast (offline slave). */
  empty: boolean;
  /** The raw alarm code bytes (§6.2) behind the levels above; user-defined codes 80H–EFH differ only here. */
  alarmCodes?: {
    cells: number[];
    temps: number[];
    chargeCurrent: number;
    packVoltage: number;
    dischargeCurrent: number;
  };
  /** Bytes at the end of this pack's block that no known layout explains (see PackAnalog.extraBytes). */
  extraBytes?: number[];
}

export interface StatusReply {
  infoFlag: number;
  broadcast: boolean;
  command: number;
  packs: PackStatus[];
  trailingBytes: number;
}

/** Settings for the uncertain parts of §17; each has the documented default. */
export interface DecodeOptions {
  profile: ProtocolProfile;
  /** Balance status: 'doc' = first byte is cells 1–8 (PACE doc, default); 'u16' = big-endian u16, bit 0 = cell 1. */
  balanceByteOrder: 'doc' | 'u16';
  /** Control status bits 1/2: 'doc' = 1 means the MOSFET function is enabled (default); 'forced-off' = 1 means forced off. */
  controlPolarity: 'doc' | 'forced-off';
  /** Units to read instead of checking each reply (see commands/units.ts); absent = check every reply. */
  unitOverrides?: UnitOverrides;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = {
  profile: 'pace',
  balanceByteOrder: 'doc',
  controlPolarity: 'doc'
};
