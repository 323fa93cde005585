// xxHash32 (Yann Collet's spec, seed 0) of a record: a fast non-cryptographic checksum that
// catches damaged or mixed-up records in storage. Four independent lanes keep V8 busy.

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);
}

/** Words of `bytes` as little-endian u32s (every platform that runs a browser is little-endian). */
function words(bytes: Uint8Array): Uint32Array {
  const n = bytes.length >>> 2;
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, n);
  return new Uint32Array(bytes.slice(0, n * 4).buffer);
}

export function xxh32(bytes: Uint8Array, seed = 0): number {
  const len = bytes.length;
  const w = words(bytes);
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const stripes = len >>> 4;
    for (let s = 0; s < stripes; s++, i += 4) {
      v1 = round(v1, w[i]);
      v2 = round(v2, w[i + 1]);
      v3 = round(v3, w[i + 2]);
      v4 = round(v4, w[i + 3]);
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + len) | 0;
  const wordsLeft = w.length;
  for (; i < wordsLeft; i++) h = Math.imul(rotl((h + Math.imul(w[i], P3)) | 0, 17), P4);
  for (let b = wordsLeft * 4; b < len; b++) h = Math.imul(rotl((h + Math.imul(bytes[b], P5)) | 0, 11), P1);
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
