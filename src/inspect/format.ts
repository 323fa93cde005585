// Numbers as people read them.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 5928681 → "5.65 MiB (5,928,681 bytes)" when `exact`, else "5.65 MiB". */
export function formatBytes(bytes: number, exact = false): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  const short = u === 0 ? `${bytes} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${UNITS[u]}`;
  return exact && u > 0 ? `${short} (${bytes.toLocaleString('en-US')} bytes)` : short;
}

/** 30_532_122_624 → "30.53 B"; small counts stay exact. */
export function formatCount(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  for (const [size, suffix] of [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ] as const) {
    if (n >= size) return `${(n / size).toFixed(2)} ${suffix}`;
  }
  return String(n);
}
