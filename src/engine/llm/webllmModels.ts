/**
 * The web-llm model picker's data, from web-llm's prebuilt model list and what
 * the GPU adapter offers. Pure: the list and the adapter come in as arguments.
 */
import type { ModelRecord } from '@mlc-ai/web-llm';

export interface WebLLMModelOption {
  id: string;
  /** GPU memory the model needs, as web-llm states it. */
  vramMB?: number;
  /** About how much is downloaded; undefined when the id does not name a parameter count. */
  downloadMB?: number;
  contextWindow?: number;
  needsShaderF16: boolean;
  /** Why it cannot be picked on this GPU; undefined when it can. */
  disabledReason?: string;
}

/** Small instruct models (0.5-1B, about 1 GB of VRAM) a newcomer can start with, best first. */
const DEFAULT_FAMILIES = ['Qwen2.5-0.5B-Instruct', 'Llama-3.2-1B-Instruct', 'Qwen3-0.6B'];

const LLM = 0; // ModelType.LLM; embedding and vision models cannot run these tasks.

/**
 * f16 weights compile to f16 shaders. web-llm declares `required_features` on
 * only some of its f16 models (not on Qwen2.5's or Llama-3.2's), so the
 * quantisation in the id counts too.
 */
export function needsShaderF16(record: ModelRecord): boolean {
  return (
    record.required_features?.includes('shader-f16') === true || /-q\d+f16/.test(record.model_id)
  );
}

/** Parameters times bits per weight: q4f16_1 stores 4 bits plus an f16 scale per 32 weights. */
function estimateDownloadMB(id: string): number | undefined {
  const params = /(\d+(?:[._]\d+)?)([bm])(?![a-z])/i.exec(id);
  const quant = /-q(\d+)f(16|32)/.exec(id);
  if (!params || !quant) return undefined;
  const count = Number(params[1].replace('_', '.')) * (params[2].toLowerCase() === 'b' ? 1e9 : 1e6);
  const floatBits = Number(quant[2]);
  const bits = quant[1] === '0' ? floatBits : Number(quant[1]) + floatBits / 32;
  return Math.round((count * bits) / 8 / 2 ** 20);
}

export function webllmModelOptions(
  list: readonly ModelRecord[],
  adapter: { shaderF16: boolean },
): WebLLMModelOption[] {
  return list
    .filter((record) => (record.model_type ?? LLM) === LLM)
    .map((record) => {
      const f16 = needsShaderF16(record);
      return {
        id: record.model_id,
        vramMB: record.vram_required_MB,
        downloadMB: estimateDownloadMB(record.model_id),
        contextWindow: record.overrides?.context_window_size,
        needsShaderF16: f16,
        disabledReason:
          f16 && !adapter.shaderF16
            ? 'Needs the shader-f16 GPU feature, which this GPU lacks; its q4f32 variant runs here.'
            : undefined,
      };
    });
}

/** The preselected model: a small instruct model in the best variant this GPU runs. */
export function defaultWebLLMModel(options: readonly WebLLMModelOption[]): string | undefined {
  const usable = options.filter((o) => !o.disabledReason);
  for (const family of DEFAULT_FAMILIES) {
    const variants = usable.filter((o) => o.id.startsWith(`${family}-q4`) && o.id.endsWith('-MLC'));
    // f16 is smaller and faster where the GPU has it.
    const best = variants.find((o) => o.needsShaderF16) ?? variants[0];
    if (best) return best.id;
  }
  return usable.toSorted((a, b) => (a.vramMB ?? Infinity) - (b.vramMB ?? Infinity))[0]?.id;
}
