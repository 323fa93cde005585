// Each kernel's uniform `struct Params`, field by field as its WGSL declares it (names, order,
// u32 or f32), so a dispatch names its values instead of listing them by position.
// test/gpu/params.test.ts reads every kernel's WGSL and checks it against these layouts.
// Fields named `_pad…` only round the struct up to 16 bytes: they are written as 0.

export const paramLayouts = {
  matmul: ['rows:u32', 'cols:u32', 'row_bytes:u32', 'n_tok:u32', 'x_stride:u32', 'y_stride:u32', 'y_off:u32', 'flags:u32', 'alpha:f32', 'w_off:u32', 'r_stride:u32', 'x_off:u32'],
  embed: ['n_embd:u32', 'row_bytes:u32', 'scale:f32', 'n_tok:u32', 'first_row:u32', 'n_rows:u32', '_pad0:u32', '_pad1:u32'],
  router: ['n_embd:u32', 'n_expert:u32', 'k:u32', 'row_bytes:u32', 'flags:u32', 'eps:f32', 'w_scale:f32', 'n_tok:u32', 'ids_off:u32', '_pad0:u32', '_pad1:u32', '_pad2:u32'],
  moe_up: ['n_embd:u32', 'n_ff:u32', 'row_bytes:u32', 'expert_bytes:u32', 'up_off:u32', 'k:u32', 'n_pairs:u32', 'dense:u32', 'ids_off:u32', 'flags:u32', 'slots_off:u32', '_pad:u32'],
  moe_down: ['n_embd:u32', 'n_ff:u32', 'row_bytes:u32', 'expert_bytes:u32', 'n_pairs:u32', 'dense:u32', 'ids_off:u32', 'flags:u32', 'slots_off:u32', '_pad1:u32', '_pad2:u32', '_pad3:u32'],
  moe_combine: ['n_embd:u32', 'k:u32', 'flags:u32', 'alpha:f32', 'n_tok:u32', '_pad0:u32', '_pad1:u32', '_pad2:u32'],
  rms_norm: ['cols:u32', 'x_stride:u32', 'x_off:u32', 'eps:f32', 'y_stride:u32', 'y_off:u32'],
  qk_rope: ['n_head:u32', 'n_head_kv:u32', 'dk:u32', 'dv:u32', 'n_rot:u32', 'pos0:u32', 'flags:u32', 'qkv_stride:u32', 'eps:f32', 'k_cache_off:u32', 'v_cache_off:u32', 'n_tok:u32'],
  attention: ['n_head:u32', 'n_head_kv:u32', 'dk:u32', 'dv:u32', 'pos0:u32', 'n_ctx:u32', 'k_cache_off:u32', 'v_cache_off:u32', 'kq_scale:f32', 'n_tok:u32', 'n_swa:u32', 'flags:u32'],
  argmax: ['n_vocab:u32', 'n_tok:u32', 'l_stride:u32', 'out_off:u32'],
  topk_partial: ['n_vocab:u32', 'k:u32', 'l_off:u32', '_pad:u32'],
  topk_merge: ['n_vocab:u32', 'k:u32', 'out_off:u32', '_pad1:u32'],
  mla_prep: ['n_head:u32', 'r:u32', 'dn:u32', 'dr:u32', 'pos0:u32', 'cache_off:u32', 'eps:f32', 'n_tok:u32'],
  mla_attention: ['n_head:u32', 'r:u32', 'dr:u32', 'pos0:u32', 'n_ctx:u32', 'cache_off:u32', 'kq_scale:f32', 'n_tok:u32'],
  silu_mul: ['n:u32', '_pad0:u32', '_pad1:u32', '_pad2:u32'],
  router_v3: ['n_embd:u32', 'n_expert:u32', 'k:u32', 'row_bytes:u32', 'flags:u32', 'eps:f32', 'w_scale:f32', 'n_tok:u32', 'ids_off:u32', 'n_group:u32', 'n_group_used:u32', '_pad0:u32'],
  attn_gate: ['n_head:u32', 'dk:u32', 'qkv_stride:u32', '_pad:u32'],
  dn_conv: ['ch:u32', 'n_tok:u32', 'p_stride:u32', 'p_off:u32', 'flags:u32', 'n_k:u32', 'n_v:u32', 'hd:u32', 'kernel:u32', 'cs_in_off:u32', 'cs_out_off:u32', '_pad:u32'],
  dn_recur: ['hd:u32', 'n_k:u32', 'n_v:u32', 'flags:u32', 'n_tok:u32', 'p_stride:u32', 'p_off:u32', 's_in_off:u32', 's_out_off:u32', 'eps:f32', '_pad0:u32', '_pad1:u32'],
  dn_norm: ['hd:u32', 'n_k:u32', 'n_v:u32', 'flags:u32', 'p_stride:u32', 'p_off:u32', 'eps:f32', '_pad:u32'],
  matmul_heads: ['rows:u32', 'cols:u32', 'row_bytes:u32', 'n_tok:u32', 'x_stride:u32', 'y_stride:u32', 'x_off:u32', 'y_off:u32', 'w_off:u32', 'w_head:u32', 'x_head:u32', 'y_head:u32'],
} as const satisfies Record<string, readonly `${string}:${'u32' | 'f32'}`[]>;

export type ParamKernel = keyof typeof paramLayouts;

type FieldName<F> = F extends `${infer N}:${string}` ? (N extends `_pad${string}` ? never : N) : never;

/** The values a kernel's Params takes, by WGSL field name. */
export type KernelParams<K extends ParamKernel> = { readonly [N in FieldName<(typeof paramLayouts)[K][number]>]: number };

/** The uniform buffer's bytes for `kernel` (a multiple of 16, as uniform structs are laid out). */
export function packParams<K extends ParamKernel>(kernel: K, values: KernelParams<K>): ArrayBuffer {
  const layout: readonly string[] = paramLayouts[kernel];
  const view = new DataView(new ArrayBuffer(Math.ceil((layout.length * 4) / 16) * 16));
  const given = values as Readonly<Record<string, number>>;
  layout.forEach((field, i) => {
    const [name, type] = field.split(':');
    if (name.startsWith('_pad')) return;
    const v = given[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${kernel} params: ${name} is ${String(v)}`);
    if (type === 'f32') view.setFloat32(i * 4, v, true);
    else if (Number.isInteger(v) && v >= 0 && v < 2 ** 32) view.setUint32(i * 4, v, true);
    else throw new RangeError(`${kernel} params: ${name} = ${v} is not a u32`);
  });
  return view.buffer;
}
