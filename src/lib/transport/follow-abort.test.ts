import { describe, expect, it } from 'vitest';
import { followAbort } from './follow-abort';

describe('followAbort', () => {
  it('aborts the controller with the caller reason when the caller aborts later', () => {
    const caller = new AbortController();
    const own = new AbortController();
    followAbort(caller.signal, own);
    expect(own.signal.aborted).toBe(false);
    const reason = new Error('caller gave up');
    caller.abort(reason);
    expect(own.signal.aborted).toBe(true);
    expect(own.signal.reason).toBe(reason);
  });

  it('aborts at once when the caller signal is already aborted', () => {
    const caller = new AbortController();
    caller.abort('early');
    const own = new AbortController();
    followAbort(caller.signal, own)();
    expect(own.signal.reason).toBe('early');
  });

  it('stops following once the returned function is called', () => {
    const caller = new AbortController();
    const own = new AbortController();
    const unfollow = followAbort(caller.signal, own);
    unfollow();
    caller.abort();
    expect(own.signal.aborted).toBe(false);
  });

  it('without a caller signal nothing aborts', () => {
    const own = new AbortController();
    followAbort(undefined, own)();
    expect(own.signal.aborted).toBe(false);
  });
});
