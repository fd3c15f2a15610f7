// The pack's event log, read back with A1H (index 0 = newest). The firmware writes a record at
// power-on and whenever a protection, warning or fault byte changes; the EEPROM holds a fixed
// number and overwrites the oldest.

export interface HistoryEntry {
  /** RTC time of the record, Unix epoch ms (UTC). */
  time_ms: number;
  cells_mV: number[];
  temps_C: (number | null)[];
  current_A: number;
  voltage_mV: number;
  remaining_Ah: number;
  full_Ah: number;
  protection1: number;
  protection2: number;
  fault: number;
  warning1: number;
  warning2: number;
  indication: number;
  cycles: number;
  fault8: number;
  fault10: number;
  /** Status record bit 0: the record was written at power-on. */
  powerOn: boolean;
}

/** Records a PACE pack keeps (nkinnan read about 400). */
const DEFAULT_HISTORY_CAPACITY = 400;

export class History {
  readonly capacity: number;
  /** Oldest first. */
  #entries: HistoryEntry[] = [];

  constructor(capacity = DEFAULT_HISTORY_CAPACITY) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.length;
  }

  push(entry: HistoryEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
  }

  /** Record `index` counted from the newest (0); undefined past the oldest. */
  get(index: number): HistoryEntry | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#entries.length) return undefined;
    return this.#entries[this.#entries.length - 1 - index];
  }

  clear(): void {
    this.#entries = [];
  }
}
