import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyGguf } from '../scripts/make-tiny-gguf.mjs';

interface Gguf {
  version: number;
  metadata: Map<string, unknown>;
  tensors: { name: string; dims: number[]; type: number; offset: number }[];
  dataStart: number;
}

/** Just enough of a GGUF reader to check what the script wrote. */
function readGguf(bytes: Uint8Array): Gguf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const u32 = () => {
    at += 4;
    return view.getUint32(at - 4, true);
  };
  const u64 = () => {
    at += 8;
    return Number(view.getBigUint64(at - 8, true));
  };
  const string = () => {
    const n = u64();
    at += n;
    return new TextDecoder().decode(bytes.subarray(at - n, at));
  };
  const value = (type: number): unknown => {
    switch (type) {
      case 4:
        return u32();
      case 5:
        at += 4;
        return view.getInt32(at - 4, true);
      case 6:
        at += 4;
        return view.getFloat32(at - 4, true);
      case 7:
        return bytes[at++] === 1;
      case 8:
        return string();
      case 9: {
        const itemType = u32();
        return Array.from({ length: u64() }, () => value(itemType));
      }
      default:
        throw new Error(`unexpected type ${type}`);
    }
  };

  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('GGUF');
  at = 4;
  const version = u32();
  const tensorCount = u64();
  const kvCount = u64();
  const metadata = new Map<string, unknown>();
  for (let i = 0; i < kvCount; i++) {
    const key = string();
    metadata.set(key, value(u32()));
  }
  const tensors = Array.from({ length: tensorCount }, () => {
    const name = string();
    const dims = Array.from({ length: u32() }, u64);
    return { name, dims, type: u32(), offset: u64() };
  });
  const dataStart = Math.ceil(at / 32) * 32;
  return { version, metadata, tensors, dataStart };
}

describe('make-tiny-gguf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
  const first = readFileSync(writeTinyGguf(join(dir, 'a', 'tiny.gguf')));
  const second = readFileSync(writeTinyGguf(join(dir, 'b.gguf')));
  const gguf = readGguf(first);

  it('writes under 1 MB, byte-identical on every run', () => {
    expect(first.length).toBeLessThan(1024 * 1024);
    expect(first.equals(second)).toBe(true);
  });

  it('writes GGUF v3 llama metadata with the right value types', () => {
    const m = gguf.metadata;
    expect(gguf.version).toBe(3);
    expect(m.get('general.architecture')).toBe('llama');
    expect(m.get('general.name')).toBeTypeOf('string');
    for (const key of [
      'context_length',
      'embedding_length',
      'block_count',
      'feed_forward_length',
      'attention.head_count',
    ]) {
      expect(Number.isInteger(m.get(`llama.${key}`)), key).toBe(true);
    }
    expect(m.get('llama.attention.layer_norm_rms_epsilon')).toBeCloseTo(1e-5);
    expect(m.get('tokenizer.ggml.add_space_prefix')).toBe(false);
    expect(m.get('tokenizer.chat_template')).toContain('<|im_start|>');
  });

  it('has a SentencePiece-style vocab with byte, control and ChatML tokens', () => {
    const tokens = gguf.metadata.get('tokenizer.ggml.tokens') as string[];
    const types = gguf.metadata.get('tokenizer.ggml.token_type') as number[];
    const scores = gguf.metadata.get('tokenizer.ggml.scores') as number[];
    const typeOf = (t: string) => types[tokens.indexOf(t)];
    expect(gguf.metadata.get('tokenizer.ggml.model')).toBe('llama');
    expect(types).toHaveLength(tokens.length);
    expect(scores).toHaveLength(tokens.length);
    expect(typeOf('<unk>')).toBe(2);
    expect([typeOf('<s>'), typeOf('</s>'), typeOf('<|im_start|>'), typeOf('<|im_end|>')]).toEqual([
      3, 3, 3, 3,
    ]);
    expect(tokens.filter((t) => /^<0x[0-9A-F]{2}>$/.test(t))).toHaveLength(256);
    expect(typeOf('<0x41>')).toBe(6);
    expect(tokens.some((t) => t.startsWith('\u2581') && t.length > 1)).toBe(true);
    expect(tokens[gguf.metadata.get('tokenizer.ggml.eos_token_id') as number]).toBe('</s>');
  });

  it('has every llama tensor in f32, aligned, within the file', () => {
    const names = gguf.tensors.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['token_embd.weight', 'output_norm.weight', 'output.weight']),
    );
    const blocks = gguf.metadata.get('llama.block_count') as number;
    for (let i = 0; i < blocks; i++) {
      for (const part of [
        'attn_norm',
        'attn_q',
        'attn_k',
        'attn_v',
        'attn_output',
        'ffn_norm',
        'ffn_gate',
        'ffn_up',
        'ffn_down',
      ]) {
        expect(names).toContain(`blk.${i}.${part}.weight`);
      }
    }
    for (const t of gguf.tensors) {
      expect(t.type).toBe(0);
      expect(t.offset % 32).toBe(0);
      const end = gguf.dataStart + t.offset + 4 * t.dims.reduce((a, b) => a * b, 1);
      expect(end).toBeLessThanOrEqual(first.length);
    }
    const embd = gguf.tensors.find((t) => t.name === 'token_embd.weight');
    const tokens = gguf.metadata.get('tokenizer.ggml.tokens') as string[];
    expect(embd?.dims).toEqual([gguf.metadata.get('llama.embedding_length'), tokens.length]);
  });
});
