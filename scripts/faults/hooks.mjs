import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { compileModule } from 'svelte/compiler';

const LIB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'lib');

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '$lib' || specifier.startsWith('$lib/')) {
    return nextResolve(pathToFileURL(join(LIB, specifier.slice('$lib'.length))).href, context);
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (!url.split('?')[0].endsWith('.svelte.ts')) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source).toString('utf8');
  const compiled = compileModule(source, { filename: fileURLToPath(url), generate: 'server', dev: false });
  return { ...result, format: 'module', source: compiled.js.code };
}
