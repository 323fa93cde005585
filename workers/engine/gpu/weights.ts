// Weights on the GPU, still quantized: one buffer per tensor, read one tensor at a time from a
// WeightSource. Tensors that one kernel reads through a single binding are packed into one
// buffer: Q|K|V (when they share a type) and the gate|up pairs of the experts. 1-D tensors
// (norms, biases) become f32. Matrix rows are uploaded in the GPU's layout (layout.ts).

import { dequantize } from '../quant/dequant.ts';
import type { GgmlTypeInfo } from '../quant/types.ts';
import { ggmlTypeByName, rowBytes } from '../quant/types.ts';
import { tensorRange } from '../gguf/slices.ts';
import type { GgufTensorInfo } from '../gguf/types.ts';
import { ModelError } from '../model/errors.ts';
import type { WeightSource } from '../model/weightSource.ts';
import { GpuError } from './errors.ts';
import { deviceRowBytes, toDeviceLayout } from './layout.ts';

/** A weight matrix in a GPU buffer: `rows` rows of `cols` elements of `type`, from byte `offset`. */
export interface GpuMatrix {
  readonly buffer: GPUBuffer;
  readonly type: GgmlTypeInfo;
  readonly rows: number;
  readonly cols: number;
  readonly rowBytes: number;
  readonly offset: number;
  /**
   * A matrix larger than one binding may hold is kept as consecutive row ranges, each in its own
   * buffer; kernels run once per part. Absent for a matrix in one piece.
   */
  readonly parts?: readonly GpuMatrixPart[];
}

export interface GpuMatrixPart {
  readonly buffer: GPUBuffer;
  readonly firstRow: number;
  readonly rows: number;
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** A tensor's bytes as the GPU keeps them. */
const deviceBytes = (t: GgufTensorInfo): number => deviceRowBytes(t.type, t.dims[0]) * (t.elementCount / t.dims[0]);

export class GpuWeights {
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly matrices = new Map<string, GpuMatrix>();
  /** Bytes uploaded, for stats. */
  bytes = 0;

  /** Largest buffer one binding may hold. */
  private readonly maxBinding: number;

  constructor(
    private readonly device: GPUDevice,
    private readonly source: WeightSource,
    /** Called with the bytes uploaded so far after each tensor. */
    private readonly onUploaded?: (bytes: number) => void,
    /** Override of the device's maxStorageBufferBindingSize (tests of the split path). */
    maxBindingBytes?: number,
  ) {
    this.maxBinding = Math.min(maxBindingBytes ?? Infinity, device.limits.maxStorageBufferBindingSize);
  }

  has(name: string): boolean {
    return this.source.file.tensorByName.has(name);
  }

  hasLoaded(name: string): boolean {
    return this.matrices.has(name);
  }

  private info(name: string): GgufTensorInfo {
    const t = this.source.file.tensorByName.get(name);
    if (!t) throw new ModelError('missing_tensor', `tensor ${name} is missing from the model file`);
    if (!t.type.supported) throw new ModelError('unsupported_type', `tensor ${name} uses ${t.type.name}, which Pakar cannot run yet`);
    if (t.dims[0] % 32 !== 0) throw new ModelError('bad_shape', `tensor ${name} has rows of ${t.dims[0]} elements; the GPU kernels need multiples of 32`);
    return t;
  }

  private createBuffer(label: string, size: number): GPUBuffer {
    if (size > this.maxBinding) {
      throw new GpuError('too_large', `${label} needs ${size} bytes in one binding; this GPU allows ${this.maxBinding}`);
    }
    const buffer = this.device.createBuffer({ label, size: Math.max(4, align4(size)), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.bytes += size;
    this.onUploaded?.(this.bytes);
    return buffer;
  }

  private async upload(buffer: GPUBuffer, offset: number, bytes: Uint8Array): Promise<void> {
    // writeBuffer needs a multiple of 4 bytes.
    const padded =
      bytes.length % 4 === 0
        ? bytes
        : (() => {
            const p = new Uint8Array(align4(bytes.length));
            p.set(bytes);
            return p;
          })();
    // Weight bytes never live in a SharedArrayBuffer.
    this.device.queue.writeBuffer(buffer, offset, padded.buffer as ArrayBuffer, padded.byteOffset, padded.byteLength);
  }

  /**
   * Several tensors packed one after another in one buffer. When they share a type and row
   * length and need no padding between them, the whole buffer is also one matrix named `key`.
   */
  async packed(key: string, names: readonly string[]): Promise<GpuMatrix[]> {
    const infos = names.map((n) => this.info(n));
    const total = infos.reduce((s, t) => s + align4(deviceBytes(t)), 0);
    const buffer = this.createBuffer(key, total);
    const out: GpuMatrix[] = [];
    let offset = 0;
    for (const t of infos) {
      const cols = t.dims[0];
      await this.upload(buffer, offset, toDeviceLayout(t.type, cols, await this.source.read(tensorRange(t))));
      const m: GpuMatrix = { buffer, type: t.type, rows: t.elementCount / cols, cols, rowBytes: deviceRowBytes(t.type, cols), offset };
      this.matrices.set(t.name, m);
      out.push(m);
      offset += align4(deviceBytes(t));
    }
    this.buffers.set(key, buffer);
    const first = out[0];
    if (names.length > 1 && out.every((m, i) => m.type === first.type && m.cols === first.cols && deviceBytes(infos[i]) % 4 === 0)) {
      this.matrices.set(key, { ...first, rows: out.reduce((n, m) => n + m.rows, 0) });
    }
    return out;
  }

  /** Several 1-D tensors as one f32 vector (the biases of a packed Q|K|V). */
  async loadConcatVector(key: string, names: readonly string[]): Promise<void> {
    const parts: Float32Array[] = [];
    for (const name of names) {
      const t = this.source.file.tensorByName.get(name);
      if (!t) throw new ModelError('missing_tensor', `tensor ${name} is missing from the model file`);
      parts.push(dequantize(t.type, await this.source.read(tensorRange(t)), t.elementCount));
    }
    const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      values.set(p, o);
      o += p.length;
    }
    const buffer = this.createBuffer(key, values.byteLength);
    this.device.queue.writeBuffer(buffer, 0, values);
    this.buffers.set(key, buffer);
  }

  /**
   * Uploads a weight matrix (2-D, or 3-D experts as E·rows rows) on its own; a 2-D matrix larger
   * than one binding is split into row ranges (embeddings and output projections of big vocabularies).
   */
  async loadMatrix(name: string): Promise<GpuMatrix> {
    const loaded = this.matrices.get(name);
    if (loaded) return loaded;
    const t = this.info(name);
    if (deviceBytes(t) <= this.maxBinding || t.dims.length !== 2) return (await this.packed(name, [name]))[0];
    const cols = t.dims[0];
    const fileRow = rowBytes(t.type, cols);
    const rb = deviceRowBytes(t.type, cols);
    // Whole rows per part, a multiple of 4 bytes so every part starts word-aligned.
    const rowsPerPart = Math.floor(this.maxBinding / rb / 4) * 4;
    if (rowsPerPart < 1) throw new GpuError('too_large', `one row of ${name} (${rb} bytes) exceeds a binding (${this.maxBinding})`);
    const rows = t.dims[1];
    const parts: GpuMatrixPart[] = [];
    for (let firstRow = 0; firstRow < rows; firstRow += rowsPerPart) {
      const n = Math.min(rowsPerPart, rows - firstRow);
      const buffer = this.createBuffer(`${name}[${firstRow}..]`, n * rb);
      await this.upload(buffer, 0, toDeviceLayout(t.type, cols, await this.source.read({ offset: t.byteOffset + firstRow * fileRow, length: n * fileRow })));
      this.buffers.set(`${name}[${firstRow}]`, buffer);
      parts.push({ buffer, firstRow, rows: n });
    }
    const m: GpuMatrix = { buffer: parts[0].buffer, type: t.type, rows, cols, rowBytes: rb, offset: 0, parts };
    this.matrices.set(name, m);
    return m;
  }

  /** Uploads a 1-D tensor (norm weight, bias) as f32. */
  async loadVector(name: string): Promise<void> {
    if (this.buffers.has(name)) return;
    const t = this.source.file.tensorByName.get(name);
    if (!t) throw new ModelError('missing_tensor', `tensor ${name} is missing from the model file`);
    const values = dequantize(t.type, await this.source.read(tensorRange(t)), t.elementCount);
    const buffer = this.createBuffer(name, values.byteLength);
    this.device.queue.writeBuffer(buffer, 0, values.buffer as ArrayBuffer, values.byteOffset, values.byteLength);
    this.buffers.set(name, buffer);
  }

  /** A matrix computed at load (f32, `rows` rows of `cols`) rather than read from the file. */
  uploadF32Matrix(key: string, rows: number, cols: number, values: Float32Array): void {
    const buffer = this.createBuffer(key, values.byteLength);
    this.device.queue.writeBuffer(buffer, 0, values.buffer as ArrayBuffer, values.byteOffset, values.byteLength);
    this.buffers.set(key, buffer);
    this.matrices.set(key, { buffer, type: ggmlTypeByName('F32'), rows, cols, rowBytes: cols * 4, offset: 0 });
  }

  /** A loaded weight matrix. */
  matrix(name: string): GpuMatrix {
    const m = this.matrices.get(name);
    if (!m) throw new Error(`weight ${name} was not loaded`);
    return m;
  }

  /** A loaded 1-D tensor. */
  vector(name: string): GPUBuffer {
    const b = this.buffers.get(name);
    if (!b) throw new Error(`weight ${name} was not loaded`);
    return b;
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
    this.matrices.clear();
  }
}
