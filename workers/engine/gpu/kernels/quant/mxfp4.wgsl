// MXFP4: 32 elements in 17 B { u8 e (E8M0); u8 qs[16] }; y[j] = KV[qs[j] & 0xF]·2^(e-128),
// y[j+16] = KV[qs[j] >> 4]·2^(e-128), KV = 2×E2M1 = [0,1,2,3,4,6,8,12, 0,-1,…,-12]
// (kvalues_mxfp4). Block u starts at row_base + 17u: any byte offset.

/** KV[q] for a 4-bit code: E2M1 (sign, 2-bit exponent x, mantissa m) doubled. */
fn mxfp4_kv(q: u32) -> i32 {
  let x = (q >> 1u) & 3u;
  let m = q & 1u;
  let mag = i32(select((2u + m) << (x - 1u), m, x == 0u));
  return select(mag, -mag, q >= 8u);
}

/**
 * kv·2^(e-128) built from bits, for the blocks whose scale or result is not a normal f32
 * (e < 2: subnormal, which a GPU may flush; e > 252: ±inf, as the CPU's f32 store gives).
 */
fn mxfp4_exact(kv: i32, e: u32) -> f32 {
  let mag = u32(abs(kv));
  if (mag == 0u) {
    return 0.0;
  }
  let lz = firstLeadingBit(mag);
  let be = e + lz; // biased f32 exponent + 1
  var bits = mag << (e + 21u); // subnormal: mag·2^(e-128) = bits·2^-149
  if (be >= 256u) {
    bits = 0x7F800000u;
  } else if (be >= 2u) {
    bits = ((be - 1u) << 23u) | ((mag << (23u - lz)) & 0x7FFFFFu);
  }
  return bitcast<f32>(bits | select(0u, 0x80000000u, kv < 0));
}

const QUAD_SPLIT = true;

struct Unit { b: u32, e: u32, normal: bool, scale: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let b = row_base + 17u * u;
  let e = load_u8(b);
  // Every kv·2^(e-128) is a normal f32 for 2 <= e <= 252; scale = ggml_e8m0_to_fp32_half(e).
  return Unit(b + 1u, e, e >= 2u && e <= 252u, bitcast<f32>((e - 1u) << 23u));
}

fn mxfp4_value(h: Unit, q: u32) -> f32 {
  let kv = mxfp4_kv(q);
  if (h.normal) {
    return f32(kv) * h.scale;
  }
  return mxfp4_exact(kv, h.e);
}

fn mxfp4_quad(h: Unit, n: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(mxfp4_value(h, n.x), mxfp4_value(h, n.y), mxfp4_value(h, n.z), mxfp4_value(h, n.w));
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let w = load_u32_at(h.b + 4u * k);
  return Oct(mxfp4_quad(h, nibbles(w)), mxfp4_quad(h, nibbles(w >> 4u)));
}
