// The module's exports: every kernel entry (named k_*, signature (tid, nt, args)) and the end of
// the module's static data, above which the JS side manages memory.
export { k_packA, k_packTaps, k_selectTaps } from "./gemm";
export { k_convFwd, k_convBwdInput, k_convBwdFilter, k_sumPartials, k_gemm, k_pad, k_crop, k_taps } from "./conv";
export { k_binary, k_scale, k_relu, k_reluGrad, k_biasAdd, k_channelSum, k_sum, k_zero } from "./elementwise";
export { k_bnTrain, k_bnInfer, k_bnGrad } from "./batchnorm";
export { k_maxPool, k_adaptiveAvgPool } from "./pool";
export { k_resizeBilinear } from "./resize";
export { k_softmax, k_softmaxCrossEntropy } from "./loss";
export { k_sgd } from "./sgd";
export { k_winoInput, k_winoDy, k_winoFilter, k_winoGemm, k_winoGemmT, k_winoOutput, k_winoFilterGrad } from "./winograd";
export { k_wino3Input, k_wino3Dy, k_wino3Filter, k_wino3Output, k_wino3FilterGrad } from "./winograd3";
export { k_wino4Input, k_wino4Dy, k_wino4Filter, k_wino4Output, k_wino4FilterGrad } from "./winograd4";

export function heapBase(): usize {
  return __heap_base;
}
