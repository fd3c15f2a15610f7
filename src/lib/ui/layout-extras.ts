// Components the root layout shows on every page but only in some states: the installer-mode
// badge (unlocked), the report banner (a report open), the recording notice (recording stopped or
// impossible) and the firmware notice (a flash running, a bootloader found). None of them is on
// the first screen of a fresh visit, and the badge alone brings the installer view with it, so
// the layout loads them after the first paint (the landing page's JS budget, bench "bundle").

import type { Component } from 'svelte';
import type { FirmwareWatch } from '$lib/session/firmware-watch.svelte';

export interface LayoutExtras {
  readonly InstallerBadge: Component;
  readonly ReportBanner: Component;
  readonly RecordingNotice: Component;
  readonly FirmwareNotice: Component<{ watch: FirmwareWatch }>;
}

export async function loadLayoutExtras(): Promise<LayoutExtras> {
  const [installer, report, recording, firmware] = await Promise.all([
    import('./InstallerBadge.svelte'),
    import('./ReportBanner.svelte'),
    import('./RecordingNotice.svelte'),
    import('./FirmwareNotice.svelte')
  ]);
  return {
    InstallerBadge: installer.default,
    ReportBanner: report.default,
    RecordingNotice: recording.default,
    FirmwareNotice: firmware.default
  };
}
