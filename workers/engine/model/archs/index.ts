import { checkWholeFile } from '../../gguf/split.ts';
import type { GgufFile } from '../../gguf/types.ts';
import { architectureOf } from '../config.ts';
import { ModelError } from '../errors.ts';
import type { ArchDef } from './arch.ts';
import { deepseek2 } from './deepseek2.ts';
import { glm4moe } from './glm4moe.ts';
import { gptOss } from './gptoss.ts';
import { granitemoe } from './granitemoe.ts';
import { llama } from './llama.ts';
import { olmoe } from './olmoe.ts';
import { qwen2moe } from './qwen2moe.ts';
import { qwen35moe } from './qwen35moe.ts';
import { qwen3moe } from './qwen3moe.ts';
import { qwen3next } from './qwen3next.ts';

export const archs: readonly ArchDef[] = [qwen3moe, qwen2moe, olmoe, granitemoe, llama, deepseek2, gptOss, glm4moe, qwen3next, qwen35moe];

export function archOf(file: GgufFile): ArchDef {
  checkWholeFile(file, 'this file');
  const name = architectureOf(file);
  const arch = archs.find((a) => a.name === name);
  if (!arch) {
    throw new ModelError('unknown_arch', `architecture "${name}" is not supported yet (supported: ${archs.map((a) => a.name).join(', ')})`);
  }
  return arch;
}
