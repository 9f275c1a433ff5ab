/**
 * Plain matrix product on Float32Arrays, C (M x N) (+)= op(A) (M x K) * op(B) (K x N), row-major with
 * offsets. Each transpose case has the loop order that reads memory contiguously in the inner loop.
 */
export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  a: Float32Array;
  aOffset?: number;
  transposeA?: boolean;
  b: Float32Array;
  bOffset?: number;
  transposeB?: boolean;
  c: Float32Array;
  cOffset?: number;
  /** Adds into C instead of overwriting it. */
  accumulate?: boolean;
}

export function gemm(args: GemmArgs): void {
  const { m, n, k, a, b, c } = args;
  const ao = args.aOffset ?? 0;
  const bo = args.bOffset ?? 0;
  const co = args.cOffset ?? 0;
  if (!args.accumulate) c.fill(0, co, co + m * n);
  if (!args.transposeA && !args.transposeB) {
    // C[i,:] += A[i,p] * B[p,:]
    for (let i = 0; i < m; i++) {
      const ci = co + i * n;
      for (let p = 0; p < k; p++) {
        const av = a[ao + i * k + p]!;
        if (av === 0) continue;
        const bp = bo + p * n;
        for (let j = 0; j < n; j++) c[ci + j]! += av * b[bp + j]!;
      }
    }
  } else if (!args.transposeA && args.transposeB) {
    // C[i,j] += dot(A[i,:], B[j,:])
    for (let i = 0; i < m; i++) {
      const ai = ao + i * k;
      for (let j = 0; j < n; j++) {
        const bj = bo + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
        c[co + i * n + j]! += s;
      }
    }
  } else if (args.transposeA && !args.transposeB) {
    // C[i,:] += A[p,i] * B[p,:]
    for (let p = 0; p < k; p++) {
      const bp = bo + p * n;
      for (let i = 0; i < m; i++) {
        const av = a[ao + p * m + i]!;
        if (av === 0) continue;
        const ci = co + i * n;
        for (let j = 0; j < n; j++) c[ci + j]! += av * b[bp + j]!;
      }
    }
  } else {
    // C[i,j] += sum_p A[p,i] * B[j,p]
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ao + p * m + i]! * b[bo + j * k + p]!;
        c[co + i * n + j]! += s;
      }
    }
  }
}
