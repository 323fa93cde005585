// A tiny anti-aliased rasteriser for flat shapes (rounded rectangles, circles), enough to draw
// app icons and illustrative screenshots without a graphics library. Coverage is estimated by
// 4×4 supersampling per pixel; shapes are composited with "source over".

export type Rgb = readonly [number, number, number];

export function hex(colour: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!m) throw new Error(`not a #rrggbb colour: ${colour}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

const SAMPLES = 4;

export class Canvas {
  readonly rgba: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
  }

  /** Paints every pixel where `inside(x, y)` holds (pixel-space coordinates), within the box. */
  private fill(x0: number, y0: number, x1: number, y1: number, colour: Rgb, alpha: number, inside: (x: number, y: number) => boolean): void {
    const ax = Math.max(0, Math.floor(x0));
    const ay = Math.max(0, Math.floor(y0));
    const bx = Math.min(this.width, Math.ceil(x1));
    const by = Math.min(this.height, Math.ceil(y1));
    for (let y = ay; y < by; y++) {
      for (let x = ax; x < bx; x++) {
        let hits = 0;
        for (let sy = 0; sy < SAMPLES; sy++) for (let sx = 0; sx < SAMPLES; sx++) if (inside(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES)) hits++;
        if (hits > 0) this.blend(x, y, colour, (alpha * hits) / (SAMPLES * SAMPLES));
      }
    }
  }

  private blend(x: number, y: number, [r, g, b]: Rgb, a: number): void {
    const i = (y * this.width + x) * 4;
    const d = this.rgba;
    const da = d[i + 3]! / 255;
    const oa = a + da * (1 - a);
    if (oa === 0) return;
    d[i] = Math.round((r * a + d[i]! * da * (1 - a)) / oa);
    d[i + 1] = Math.round((g * a + d[i + 1]! * da * (1 - a)) / oa);
    d[i + 2] = Math.round((b * a + d[i + 2]! * da * (1 - a)) / oa);
    d[i + 3] = Math.round(oa * 255);
  }

  rect(x: number, y: number, w: number, h: number, colour: Rgb, radius = 0, alpha = 1): void {
    const r = Math.min(radius, w / 2, h / 2);
    this.fill(x, y, x + w, y + h, colour, alpha, (px, py) => {
      if (px < x || py < y || px > x + w || py > y + h) return false;
      // Distance to the rectangle shrunk by r, compared with r: a rounded corner.
      const dx = Math.max(x + r - px, 0, px - (x + w - r));
      const dy = Math.max(y + r - py, 0, py - (y + h - r));
      return dx * dx + dy * dy <= r * r;
    });
  }

  circle(cx: number, cy: number, radius: number, colour: Rgb, alpha = 1): void {
    this.fill(cx - radius, cy - radius, cx + radius, cy + radius, colour, alpha, (px, py) => (px - cx) ** 2 + (py - cy) ** 2 <= radius * radius);
  }
}
