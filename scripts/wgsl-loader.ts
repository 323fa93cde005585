// Lets Node (tsx) import WGSL sources the way Vite does: `import src from './k.wgsl?raw'`.

import { register } from 'node:module';

register('./wgsl-hooks.mjs', import.meta.url);
