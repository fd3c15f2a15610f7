// A settings problem in the app's language. The settings store reports which field was refused
// (and an English message for logs); the sentence a person reads is chosen here by field.

import { m } from '$lib/paraglide/messages';
import { DEMO_PACKS_MAX, DEMO_PACKS_MIN, PACK_BAUDS, type SettingsProblem } from '$lib/session/settings';

export function settingsProblemWords(p: SettingsProblem): string {
  // The whole stored object was unreadable (reported against the first field).
  if (/^(Settings are not|Stored settings)/.test(p.message)) return m.settings_problem_unreadable();
  switch (p.field) {
    case 'baud':
      return m.settings_problem_baud({ bauds: PACK_BAUDS.join(', ') });
    case 'profile':
      return m.settings_problem_profile();
    case 'balanceByteOrder':
      return m.settings_problem_balance();
    case 'controlPolarity':
      return m.settings_problem_polarity();
    case 'demoPacks':
      return m.settings_problem_demo_packs({ min: String(DEMO_PACKS_MIN), max: String(DEMO_PACKS_MAX) });
    case 'theme':
      return m.settings_problem_theme();
  }
}
