import { describe, expect, it } from 'vitest';
import { htmlEntryScripts, percentile, staticImports } from '../../scripts/bench/_ui-harness';
import { targets } from '../../scripts/bench/_targets';

describe('htmlEntryScripts', () => {
  it('finds modulepreloads and the inline entry imports of a Kit page', () => {
    const html = `<link href="/_app/immutable/entry/start.A.js" rel="modulepreload">
      <link rel="modulepreload" href="/_app/immutable/nodes/0.B.js">
      <script>Promise.all([import("/_app/immutable/entry/start.A.js"), import("/_app/immutable/entry/app.C.js")])</script>`;
    expect(htmlEntryScripts(html).sort()).toEqual([
      '/_app/immutable/entry/app.C.js',
      '/_app/immutable/entry/start.A.js',
      '/_app/immutable/nodes/0.B.js'
    ]);
  });
});

describe('staticImports', () => {
  it('resolves static imports and re-exports but skips dynamic imports', () => {
    const code = `import{a as b}from"../chunks/x.js";import"./side.js";export{c}from"../chunks/y.js";const l=()=>import("../nodes/3.js");`;
    expect(staticImports(code, '/_app/immutable/entry/app.js')).toEqual([
      '/_app/immutable/chunks/x.js',
      '/_app/immutable/entry/side.js',
      '/_app/immutable/chunks/y.js'
    ]);
  });
});

describe('percentile', () => {
  it('uses the nearest-rank method', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile([3, 1, 2], 100)).toBe(3);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});

describe('targets', () => {
  it('prints each bound beside the figure and whether it holds; a missing figure fails', () => {
    const figures = { update_ms_p95: 12.5, long_tasks_over_50ms: 1, ratio: 1.1 };
    expect(targets(figures, { update_ms_p95: ['<=', 16], long_tasks_over_50ms: ['<=', 0], ratio: ['<=', 1.1], rows_per_s: ['>=', 2000] })).toEqual({
      'update_ms_p95.target': '<= 16',
      'update_ms_p95.pass': true,
      'long_tasks_over_50ms.target': '<= 0',
      'long_tasks_over_50ms.pass': false,
      'ratio.target': '<= 1.1',
      'ratio.pass': true,
      'rows_per_s.target': '>= 2000',
      'rows_per_s.pass': false
    });
  });
});
