// What WebGPU this browser offers, asked of `navigator.gpu` directly: no onnxruntime involved. The page
// asks it to fill the precision panel's status line when a model opens (without starting a runtime worker
// or loading onnxruntime-web's wasm, which only a run needs); the runtime worker asks it before a real run,
// and its answer is the one a run reports.

import type { WebGpuInfo } from './precision-api';

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string };
}

export interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

export async function detectWebGpu(gpu: GpuLike | undefined): Promise<WebGpuInfo> {
  if (!gpu) return { status: 'no-api', shaderF16: false };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { status: 'no-adapter', shaderF16: false };
  const info = adapter.info ?? {};
  const described = [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ');
  return { status: 'available', shaderF16: adapter.features.has('shader-f16'), adapter: described || 'unknown adapter' };
}

/** The global scope's `navigator.gpu` (a page or a worker), absent where the browser has no WebGPU. */
export function navigatorGpu(): GpuLike | undefined {
  return (globalThis.navigator as Navigator & { gpu?: GpuLike }).gpu;
}
