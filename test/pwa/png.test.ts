// The PNG encoder and rasteriser behind the manifest's icons and screenshots
// (scripts/make-pwa-assets.ts): valid chunks, exact pixels, anti-aliased edges.

import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Canvas, hex } from '../../scripts/png/canvas.ts';
import { encodePng } from '../../scripts/png/encode.ts';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('ascii', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length), crc: png.readUInt32BE(at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

describe('encodePng', () => {
  it('writes signature, IHDR, IDAT and IEND with correct CRCs and rows', () => {
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const png = encodePng(3, 2, rgba);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    // CRC-32 of "IEND" with no data is a published constant.
    expect(list[2]!.crc).toBe(0xae426082);
    const ihdr = list[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([3, 2, 8, 6, 0, 0, 0]);
    const raw = inflateSync(list[1]!.data);
    // Each row: filter byte 0, then the row's RGBA bytes unchanged.
    expect([...raw]).toEqual([0, ...rgba.subarray(0, 12), 0, ...rgba.subarray(12, 24)]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow(/expected 16 RGBA bytes/);
  });
});

describe('Canvas', () => {
  it('fills a circle: opaque inside, empty outside, partly covered on the edge', () => {
    const c = new Canvas(20, 20);
    c.circle(10, 10, 6, hex('#2f5d50'));
    const alpha = (x: number, y: number): number => c.rgba[(y * 20 + x) * 4 + 3]!;
    expect(alpha(10, 10)).toBe(255);
    expect([...c.rgba.subarray((10 * 20 + 10) * 4, (10 * 20 + 10) * 4 + 3)]).toEqual([0x2f, 0x5d, 0x50]);
    expect(alpha(0, 0)).toBe(0);
    // (14, 14) holds the edge on the diagonal, at distance 6 from the centre (10, 10).
    expect(alpha(14, 14)).toBeGreaterThan(0);
    expect(alpha(14, 14)).toBeLessThan(255);
  });

  it('blends a half-transparent shape over an opaque one', () => {
    const c = new Canvas(4, 4);
    c.rect(0, 0, 4, 4, [0, 0, 0]);
    c.rect(0, 0, 4, 4, [255, 255, 255], 0, 0.5);
    expect([...c.rgba.subarray(0, 4)]).toEqual([128, 128, 128, 255]);
  });

  it('rejects colours that are not #rrggbb', () => {
    expect(() => hex('red')).toThrow(/#rrggbb/);
  });
});
