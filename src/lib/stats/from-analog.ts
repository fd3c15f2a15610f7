// A live 42H reading as a statistics sample (the recorder stores the same values; its rows convert
// the same way). An all-zero block (an offline slave in a broadcast) is no reading at all.

import type { PackAnalog } from '../protocol/types';
import type { StatsSample } from './sample';

export function sampleFromAnalog(t_ms: number, a: PackAnalog): StatsSample | null {
  if (a.empty) return null;
  return {
    t_ms,
    voltage_V: a.voltage_V,
    current_A: a.current_A,
    soc_pct: a.soc_pct,
    remaining_Ah: a.remaining_Ah,
    full_Ah: a.full_Ah > 0 ? a.full_Ah : null,
    cells_mV: a.cells_mV,
    temps_C: a.temps_C
  };
}
