// The app-wide features the root layout runs on every page (the recorder, the firmware watch),
// loaded after the first paint: with the storage layer and the firmware modules they bring they
// would be about a third of the landing page's JavaScript, and nothing on the first screen needs
// them before a link comes up. The layout hands `whenReady` to the session as its beforeConnect
// gate, so no link (a click or the on-load resume) comes up before they listen.

import type { FirmwareWatch } from './firmware-watch.svelte';
import type { RecordingFeature } from './recording.svelte';
import type { DeviceSession } from './session.svelte';

export interface AppFeatures {
  readonly recording: RecordingFeature;
  readonly firmware: FirmwareWatch;
}

export interface AppFeaturesLoad {
  /** The features, once their modules loaded; rejects when they could not be loaded. */
  readonly features: Promise<AppFeatures>;
  /** Settles when `features` does, never rejects: a connect goes ahead even if they failed to load. */
  whenReady(): Promise<void>;
}

/** Starts loading the app-wide features of `session` (created once per session by their own accessors). */
export function loadAppFeatures(session: DeviceSession): AppFeaturesLoad {
  const features = Promise.all([import('./recording.svelte'), import('./firmware-watch.svelte')]).then(([recording, firmware]) => ({
    recording: recording.recordingFeature(session),
    firmware: firmware.firmwareWatch(session)
  }));
  const settled = features.then(
    () => undefined,
    () => undefined
  );
  return { features, whenReady: () => settled };
}
