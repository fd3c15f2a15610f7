import { describe, expect, it } from 'vitest';
import { repairPathname } from './url-repair';

describe('repairPathname', () => {
  it('leaves a path that decodes alone', () => {
    for (const p of ['/', '/pack/3', '/pack/%3Cscript%3E', '/pack/%E2%80%AE1', '/overview']) expect(repairPathname(p)).toBeNull();
  });

  it('takes every % of an undecodable segment literally, so the page gets the text as typed', () => {
    const repaired = repairPathname('/pack/%E0%A4%A');
    expect(repaired).toBe('/pack/%25E0%25A4%25A');
    // As SvelteKit's router decodes a path, then a parameter.
    const path = repaired!.split('%25').map(decodeURI).join('%25');
    expect(decodeURIComponent(path.split('/')[2])).toBe('%E0%A4%A');
  });

  it('repairs only the broken segments', () => {
    expect(repairPathname('/a%20b/%/c')).toBe('/a%20b/%25/c');
    expect(repairPathname('/pack/%zz')).toBe('/pack/%25zz');
  });
});
