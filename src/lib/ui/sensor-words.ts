// Temperature sensor names in the app's language. protocol/ names the sensors of each dialect in
// English ("Cell T1", "MOSFET", "Ambient", "BMS board", "Cells 1–4", "T5"); the same few shapes
// are said here from messages/pack/. A shape not known here is shown as the protocol names it.

import { m } from '$lib/paraglide/messages';

/**
 * A sensor's name; `index` (0-based) names one the pack did not label. `short`: for a narrow
 * column header, where the full name is the header's title.
 */
export function sensorName(label: string | undefined, index: number, short = false): string {
  if (label === undefined) return m.pack_sensor_n({ n: String(index + 1) });
  let x: RegExpExecArray | null;
  if ((x = /^Cell T(\d+)$/.exec(label))) return short ? m.pack_sensor_cell_t_short({ n: x[1] }) : m.pack_sensor_cell_t({ n: x[1] });
  if ((x = /^Cells (\d+)–(\d+)$/.exec(label))) return m.pack_sensor_cells({ first: x[1], last: x[2] });
  if ((x = /^Cell (\d+)$/.exec(label))) return m.pack_sensor_cell({ n: x[1] });
  if ((x = /^Sensor (\d+)$/.exec(label))) return m.pack_sensor_n({ n: x[1] });
  switch (label) {
    case 'MOSFET':
      return short ? m.pack_sensor_mosfet_short() : m.pack_sensor_mosfet();
    case 'Ambient':
      return short ? m.pack_sensor_ambient_short() : m.pack_sensor_ambient();
    case 'BMS board':
      return m.pack_sensor_board();
    default:
      return label;
  }
}
