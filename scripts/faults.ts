// The fault matrix (issue 15): `npm run --silent faults -- --json`.
//
// Runs each of seven faults (dropped bytes, flipped bits, noise bursts, 2 s stalls, unplug
// mid-frame, pack reboot, slave going offline) against each of four workloads (monitoring,
// parameter write, history read, firmware transfer) on the simulated bank and the virtual clock,
// through the app's own session, client, poller, write path, history reader, updater and recorder,
// and judges each against the simulator (scripts/faults/). Prints one JSON object on stdout:
//
//   scenarios            scenarios run
//   staleShownAsFresh    packs shown live with values older than one cycle plus one deadline, or
//                        over a lost link, or values that never arrived (episodes)
//   unverifiedWrites     writes reported done that the pack does not hold, or reported failed
//                        although the pack took them
//   unbootablePacks      packs left on neither their old nor their new firmware
//   lostRows             stored rows (recorded telemetry, history records) missing afterwards
//   unhandledExceptions  unhandled rejections, uncaught exceptions, throws out of engine calls, hangs
//   unmetExpectations    scenarios where something else that should happen did not (see stderr)
//
// and on stderr a few lines per scenario. Exit code 1 when any of these is not 0.
//
//   --json                 the object only on stdout (else a readable summary)
//   --quiet                on stderr only the scenarios that failed (npm test runs it so)
//   --fault a,b            only these faults;  --workload a,b  only these workloads

import 'fake-indexeddb/auto';
import { FAULT_IDS, WORKLOAD_IDS, failed, formatResult, runMatrix, type FaultId, type WorkloadId } from './faults/matrix';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run --silent faults -- [--json] [--quiet] [--fault ${FAULT_IDS.join(',')}] [--workload ${WORKLOAD_IDS.join(',')}]\n`
  );
  process.exit(2);
}

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  if (!value) usage(`--${what} needs a value`);
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items) if (!allowed.includes(i as T)) usage(`unknown ${what} "${i}"`);
  return items as T[];
}

let json = false;
let quiet = false;
let faults: FaultId[] | undefined;
let workloads: WorkloadId[] | undefined;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--json') json = true;
  else if (a === '--quiet') quiet = true;
  else if (a === '--fault') faults = list(argv[++i], FAULT_IDS, 'fault');
  else if (a === '--workload') workloads = list(argv[++i], WORKLOAD_IDS, 'workload');
  else usage(`unknown argument ${a}`);
}

const started = performance.now();
const result = await runMatrix({
  faults,
  workloads,
  onResult: (r) => {
    if (!quiet || failed(r)) process.stderr.write(formatResult(r) + '\n');
  }
});
const figures = { scenarios: result.scenarios, ...result.totals, unmetExpectations: result.unmetExpectations };
process.stderr.write(`${result.scenarios} scenarios in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
if (json) process.stdout.write(JSON.stringify(figures) + '\n');
else
  process.stdout.write(
    `fault matrix\n${Object.entries(figures)
      .map(([k, v]) => `  ${k.padEnd(20)} ${v}\n`)
      .join('')}`
  );
process.exitCode = Object.entries(figures).some(([k, v]) => k !== 'scenarios' && v > 0) ? 1 : 0;
