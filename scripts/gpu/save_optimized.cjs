// Writes the graph as onnxruntime runs it with the CUDA EP (after its fusions) next to each model:
// X.onnx -> $CW_WORK/opt/X.onnx.   usage: node save_optimized.cjs model.onnx...
const ort = require(process.env.CASTAWAY_ORT_NODE || 'onnxruntime-node');
const fs = require('fs');
const path = require('path');
(async () => {
  const dir = `${process.env.CW_WORK || '/tmp/cw'}/opt`;
  fs.mkdirSync(dir, { recursive: true });
  ort.env.logLevel = 'error';
  for (const f of process.argv.slice(2)) {
    const s = await ort.InferenceSession.create(f, { executionProviders: ['cuda'], graphOptimizationLevel: 'all', optimizedModelFilePath: `${dir}/${path.basename(f)}` });
    await s.release();
  }
})().catch((e) => { console.error(e); process.exit(1); });
