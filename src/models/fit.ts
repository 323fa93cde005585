// Whether a catalog model fits this device. WebGPU does not say how much memory a GPU has, so the
// judgement rests on what the browser does say: navigator.deviceMemory, the device's RAM in GiB
// (rounded down, and never more than 8 in Chrome), which bounds integrated and software GPUs.

import { formatBytes } from '../ui/format.ts';

export type FitVerdict = 'fits' | 'tight' | 'too_big' | 'unknown';

export interface Fit {
  readonly verdict: FitVerdict;
  /** One sentence for the card. */
  readonly text: string;
}

/** Chrome reports at most this many GiB, whatever the device has. */
const REPORTED_CAP_GIB = 8;

/** How a model needing `memoryBytes` of GPU memory (the catalog's estimate) fits a device with `deviceMemoryGiB`. */
export function modelFit(memoryBytes: number, deviceMemoryGiB: number | undefined): Fit {
  const need = `needs ≈ ${formatBytes(memoryBytes)}`;
  if (deviceMemoryGiB === undefined || !(deviceMemoryGiB > 0)) return { verdict: 'unknown', text: `It ${need} of GPU memory; this browser does not say how much this device has.` };
  const device = deviceMemoryGiB * 2 ** 30;
  const reported = `${deviceMemoryGiB >= REPORTED_CAP_GIB ? 'at least ' : ''}${formatBytes(device)}`;
  if (memoryBytes <= device / 2) return { verdict: 'fits', text: `Fits this device: it ${need}, the device reports ${reported} of memory.` };
  if (memoryBytes <= device || deviceMemoryGiB >= REPORTED_CAP_GIB) {
    return { verdict: 'tight', text: `May not fit this device: it ${need}; the device reports ${reported} of memory and nothing about its GPU's.` };
  }
  return { verdict: 'too_big', text: `Too big for this device: it ${need}; the device has ${reported} of memory.` };
}

/** navigator.deviceMemory where the browser has it (Chromium, secure contexts). */
export function deviceMemoryGiB(): number | undefined {
  return (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
}
