// Node module hooks for `*.wgsl?raw`: the module's default export is the file's text.
import { readFile } from 'node:fs/promises';
import { URL } from 'node:url';

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.wgsl?raw')) {
    return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.endsWith('.wgsl?raw')) {
    const text = await readFile(new URL(url.slice(0, -'?raw'.length)), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return next(url, context);
}
