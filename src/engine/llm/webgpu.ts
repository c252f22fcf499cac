export interface WebGPUSupport {
  available: boolean;
  /** f16 shaders: web-llm's q*f16 models and llama.cpp's WebGPU backend need them. */
  shaderF16: boolean;
  /** Why WebGPU is not available, in words for the person. */
  reason?: string;
}

/** Minimal shape of `navigator.gpu`, so this file needs no WebGPU type package. */
interface GPULike {
  requestAdapter(): Promise<{ features: { has(feature: string): boolean } } | null>;
}

/** Works in a window and in a worker. Never throws. */
export async function detectWebGPU(): Promise<WebGPUSupport> {
  const gpu = (globalThis.navigator as { gpu?: GPULike } | undefined)?.gpu;
  if (!gpu) {
    return { available: false, shaderF16: false, reason: 'This browser does not offer WebGPU.' };
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return {
        available: false,
        shaderF16: false,
        reason: 'WebGPU is on, but no GPU adapter was found.',
      };
    }
    return { available: true, shaderF16: adapter.features.has('shader-f16') };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { available: false, shaderF16: false, reason: `WebGPU failed to start: ${message}` };
  }
}
