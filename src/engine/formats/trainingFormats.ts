import type { ChatMessage } from '../llm/types';
import type { Row } from '../task';

/**
 * distilabel's FormatTextGenerationDPO and FormatTextGenerationSFT: reshape
 * rated or generated rows into what DPO and SFT trainers read. Each keeps the
 * row's other columns, as distilabel's steps do.
 */
export interface TrainingFormat {
  id: 'dpo' | 'sft';
  label: string;
  /** Columns a row must have for the format to apply. */
  requires: readonly string[];
  /** The reshaped row, or null when this row cannot give one (say, no two distinct ratings). */
  format(row: Row): Promise<Row | null>;
}

export const dpoFormat: TrainingFormat = {
  id: 'dpo',
  label: 'DPO pairs',
  requires: ['instruction', 'generations', 'ratings'],
  async format(row) {
    const generations = asArray(row.generations);
    const ratings = asArray(row.ratings);
    // Only readable ratings of existing generations take part; an unreadable one is never a 0.
    const rated = ratings
      .map((rating, index) => ({ rating, index }))
      .filter(
        (r): r is { rating: number; index: number } =>
          typeof r.rating === 'number' && typeof generations[r.index] === 'string',
      );
    if (rated.length < 2) return null;
    // The first best and the first worst, as distilabel's max()/min() pick them.
    const chosen = rated.reduce((best, r) => (r.rating > best.rating ? r : best));
    const rejected = rated.reduce((worst, r) => (r.rating < worst.rating ? r : worst));
    if (chosen.rating === rejected.rating) return null; // a tie teaches no preference
    const prompt = promptMessages(row);
    const models = Array.isArray(row.generation_models) ? row.generation_models : undefined;
    return {
      ...row,
      prompt: String(row.instruction),
      prompt_id: await sha256(String(row.instruction)),
      chosen: [...prompt, { role: 'assistant', content: generations[chosen.index] }],
      ...(models ? { chosen_model: models[chosen.index] ?? null } : {}),
      chosen_rating: chosen.rating,
      rejected: [...prompt, { role: 'assistant', content: generations[rejected.index] }],
      ...(models ? { rejected_model: models[rejected.index] ?? null } : {}),
      rejected_rating: rejected.rating,
    };
  },
};

export const sftFormat: TrainingFormat = {
  id: 'sft',
  label: 'SFT conversations',
  requires: ['instruction', 'generation'],
  async format(row) {
    if (typeof row.generation !== 'string' || row.generation === '') return null;
    return {
      ...row,
      prompt: String(row.instruction),
      prompt_id: await sha256(String(row.instruction)),
      messages: [...promptMessages(row), { role: 'assistant', content: row.generation }],
    };
  },
};

export const trainingFormats = [dpoFormat, sftFormat] as const;

function promptMessages(row: Row): ChatMessage[] {
  const system =
    typeof row.system_prompt === 'string' && row.system_prompt
      ? [{ role: 'system' as const, content: row.system_prompt }]
      : [];
  return [...system, { role: 'user', content: String(row.instruction) }];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
