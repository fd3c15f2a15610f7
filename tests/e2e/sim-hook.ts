// The simulated bank the page is polling, reached the way a test may: through the layout's test
// hook (window.__packservice.session, see src/lib/session/context.ts), whose client is a PaceClient
// whose transport is the demo's SimTransport, whose bank is the SimBank. The app exposes nothing
// new for this and never reads it. Inside page.evaluate:
//   (window.__packservice!.session.client as unknown as DemoClient).transport.bank

import type { SimBank } from '../../src/lib/sim/bank';

export interface DemoClient {
  transport: { bank: SimBank };
}
