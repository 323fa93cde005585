// Pearson's chi-square goodness-of-fit test and total variation distance, for checking that a
// sampler's draws follow an exact distribution.

/** Chi-square statistic and p-value of `counts` against `expectedProbs` (cells with < 5 expected merged into one). */
export function chiSquare(counts: readonly number[], expectedProbs: readonly number[]): { stat: number; df: number; p: number } {
  const n = counts.reduce((a, b) => a + b, 0);
  let stat = 0;
  let cells = 0;
  let smallObs = 0;
  let smallExp = 0;
  counts.forEach((c, i) => {
    const e = expectedProbs[i] * n;
    if (e < 5) {
      smallObs += c;
      smallExp += e;
      return;
    }
    stat += (c - e) ** 2 / e;
    cells++;
  });
  if (smallExp > 0 || smallObs > 0) {
    if (smallExp === 0) return { stat: Infinity, df: cells, p: 0 }; // draws where none can be
    stat += (smallObs - smallExp) ** 2 / smallExp;
    cells++;
  }
  const df = cells - 1;
  return { stat, df, p: gammaQ(df / 2, stat / 2) };
}

/** ½ Σ |counts/n − p|. */
export function totalVariation(counts: readonly number[], probs: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return 0.5 * counts.reduce((s, c, i) => s + Math.abs(c / n - probs[i]), 0);
}

/** Regularised upper incomplete gamma Q(a, x) (Numerical Recipes §6.2). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = a * Math.log(x) - x - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * Math.exp(lnPre);
  }
  // Lentz's continued fraction.
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(lnPre) * h;
}

/** Lanczos approximation of ln Γ(x), x > 0. */
function lnGamma(x: number): number {
  const g = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const c of g) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310007 * ser) / x);
}
