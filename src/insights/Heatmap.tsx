import { useEffect, useRef, useState, type MouseEvent } from 'react';

interface Props {
  /** rows × cols values in 0–1, row-major. */
  readonly values: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** Cells drawn with an outline (e.g. the latest token's picks): row * cols + col. */
  readonly marked?: ReadonlySet<number>;
  readonly label: string;
  readonly describe: (row: number, col: number) => string;
}

/**
 * A matrix drawn on a canvas (thousands of cells stay cheap), coloured with the theme's accent;
 * hovering a cell says what it is.
 */
export function Heatmap({ values, rows, cols, marked, label, describe }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<string | undefined>();
  const cell = Math.max(3, Math.min(24, Math.floor(340 / Math.max(cols, 1))));

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = cols * cell * dpr;
    el.height = rows * cell * dpr;
    ctx.scale(dpr, dpr);
    const style = getComputedStyle(el);
    const accent = style.getPropertyValue('--heat').trim() || '47, 93, 80';
    const empty = style.getPropertyValue('--heat-empty').trim() || 'rgba(128,128,128,0.12)';
    const outline = style.getPropertyValue('--heat-mark').trim() || '#d97706';
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        ctx.fillStyle = v > 0 ? `rgba(${accent}, ${0.15 + 0.85 * Math.min(1, v)})` : empty;
        ctx.fillRect(c * cell + 0.5, r * cell + 0.5, cell - 1, cell - 1);
      }
    }
    if (marked) {
      ctx.strokeStyle = outline;
      ctx.lineWidth = Math.max(1, cell / 6);
      for (const i of marked) ctx.strokeRect((i % cols) * cell + 1, Math.floor(i / cols) * cell + 1, cell - 2, cell - 2);
    }
  }, [values, rows, cols, cell, marked]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>): void => {
    const box = e.currentTarget.getBoundingClientRect();
    const col = Math.floor(((e.clientX - box.left) / box.width) * cols);
    const row = Math.floor(((e.clientY - box.top) / box.height) * rows);
    setHover(row >= 0 && row < rows && col >= 0 && col < cols ? describe(row, col) : undefined);
  };

  return (
    <figure className="heatmap">
      <canvas ref={canvas} role="img" aria-label={label} style={{ width: cols * cell, height: rows * cell }} onMouseMove={onMove} onMouseLeave={() => setHover(undefined)} />
      <figcaption className="muted small">{hover ?? label}</figcaption>
    </figure>
  );
}
