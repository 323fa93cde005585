// Draws the web app manifest's PNGs into public/: the icons (from the favicon's design: four
// experts, one chosen) and two illustrative screenshots of the chat layout, light theme.
// Run: npx tsx scripts/make-pwa-assets.ts   (deterministic; the outputs are committed)

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Canvas, hex, type Rgb } from './png/canvas.ts';
import { encodePng } from './png/encode.ts';

const out = path.resolve(import.meta.dirname, '../public');
const ACCENT = hex('#2f5d50');
const CREAM = hex('#f4efe6');
const GOLD = hex('#e9b44c');

/** The favicon's 32-unit design at `size` px: a rounded tile (or full bleed) with four dots. */
function icon(size: number, { fullBleed, dotScale = 1 }: { fullBleed: boolean; dotScale?: number }): Canvas {
  const c = new Canvas(size, size);
  const u = size / 32;
  c.rect(0, 0, size, size, ACCENT, fullBleed ? 0 : 7 * u);
  const dot = (x: number, y: number, colour: Rgb, alpha: number): void => c.circle(size / 2 + (x - 16) * u * dotScale, size / 2 + (y - 16) * u * dotScale, 3.2 * u * dotScale, colour, alpha);
  dot(10, 11, CREAM, 1);
  dot(22, 11, CREAM, 0.55);
  dot(10, 21, CREAM, 0.55);
  dot(22, 21, GOLD, 1);
  return c;
}

const light = { bg: hex('#f6f4ef'), surface: hex('#ffffff'), surface2: hex('#efece5'), border: hex('#dcd8cf'), text: hex('#1d2422'), muted: hex('#5d6864'), soft: hex('#e3ede9') };

/** Text drawn as bars: a line of `width` px at (x, y), height `h`. */
function textLine(c: Canvas, x: number, y: number, width: number, h: number, colour: Rgb, alpha = 0.8): void {
  c.rect(x, y, width, h, colour, h / 2, alpha);
}

/** The chat view: optional sidebar, top bar with the model picker, one exchange, the composer. */
function screenshot(width: number, height: number, sidebar: boolean): Canvas {
  const c = new Canvas(width, height);
  const s = width >= 1000 ? 1 : width / 540;
  c.rect(0, 0, width, height, light.bg);
  let left = 0;
  if (sidebar) {
    left = 280 * s;
    c.rect(0, 0, left, height, light.surface2);
    c.rect(16 * s, 16 * s, left - 32 * s, 40 * s, ACCENT, 10 * s);
    for (let i = 0; i < 6; i++) {
      if (i === 0) c.rect(12 * s, (76 + i * 48) * s, left - 24 * s, 40 * s, light.soft, 8 * s);
      textLine(c, 28 * s, (88 + i * 48) * s, (140 + ((i * 37) % 80)) * s, 14 * s, light.text, 0.65);
    }
  }
  const top = 56 * s;
  c.rect(left, top - 1, width - left, 1, light.border);
  c.rect(left + 16 * s, 12 * s, 240 * s, 32 * s, light.surface, 8 * s);
  textLine(c, left + 28 * s, 22 * s, 170 * s, 12 * s, light.text, 0.7);
  for (let i = 0; i < 3; i++) textLine(c, width - (90 + i * 90) * s, 22 * s, 64 * s, 12 * s, light.muted, 0.6);

  const colW = Math.min(720 * s, width - left - 48 * s);
  const colX = left + (width - left - colW) / 2;
  // The question, right-aligned in a bubble.
  const qW = colW * 0.55;
  c.rect(colX + colW - qW, top + 40 * s, qW, 64 * s, light.soft, 14 * s);
  textLine(c, colX + colW - qW + 18 * s, top + 58 * s, qW - 60 * s, 12 * s, light.text);
  textLine(c, colX + colW - qW + 18 * s, top + 80 * s, qW * 0.45, 12 * s, light.text);
  // The answer: paragraphs and a code block.
  let y = top + 140 * s;
  c.circle(colX + 14 * s, y + 10 * s, 12 * s, ACCENT);
  c.circle(colX + 18 * s, y + 14 * s, 3 * s, GOLD);
  y += 40 * s;
  for (let i = 0; i < 4; i++, y += 24 * s) textLine(c, colX, y, colW * (i === 3 ? 0.5 : 0.92 - i * 0.05), 12 * s, light.text);
  y += 12 * s;
  c.rect(colX, y, colW, 120 * s, hex('#f3f1ec'), 10 * s);
  for (let i = 0; i < 4; i++) textLine(c, colX + 20 * s, y + (22 + i * 24) * s, colW * (0.3 + ((i * 17) % 40) / 100), 11 * s, i % 2 ? hex('#1f5fa8') : hex('#6b3fa0'), 0.7);
  y += 144 * s;
  for (let i = 0; i < 2; i++, y += 24 * s) textLine(c, colX, y, colW * (0.85 - i * 0.3), 12 * s, light.text);
  textLine(c, colX, y + 8 * s, 200 * s, 10 * s, light.muted, 0.5);
  // The composer.
  const boxH = 64 * s;
  c.rect(colX, height - boxH - 24 * s, colW, boxH, light.surface, 16 * s);
  textLine(c, colX + 20 * s, height - boxH / 2 - 30 * s, 180 * s, 12 * s, light.muted, 0.5);
  c.circle(colX + colW - 36 * s, height - boxH / 2 - 24 * s, 18 * s, ACCENT);
  return c;
}

function write(name: string, c: Canvas): void {
  writeFileSync(path.join(out, name), encodePng(c.width, c.height, c.rgba));
  console.log(`public/${name} ${c.width}×${c.height}`);
}

mkdirSync(path.join(out, 'icons'), { recursive: true });
mkdirSync(path.join(out, 'screenshots'), { recursive: true });
write('icons/icon-192.png', icon(192, { fullBleed: false }));
write('icons/icon-512.png', icon(512, { fullBleed: false }));
// Maskable: full bleed, dots inside the central safe circle (radius 40% of the size).
write('icons/icon-maskable-512.png', icon(512, { fullBleed: true, dotScale: 0.85 }));
write('icons/apple-touch-icon-180.png', icon(180, { fullBleed: true }));
write('screenshots/chat-wide.png', screenshot(1280, 800, true));
write('screenshots/chat-narrow.png', screenshot(540, 960, false));
