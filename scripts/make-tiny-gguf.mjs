// Writes a tiny random-weight llama model as GGUF v3 (float32, about 0.5 MB), the
// same bytes on every run, so local inference (llama.cpp in wasm) is tested for
// real without downloading a model.
//
//   node scripts/make-tiny-gguf.mjs [out.gguf]   (default tests/fixtures/tiny-llama.gguf)

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ALIGNMENT = 32;
const N_EMBD = 64;
const N_HEAD = 4;
const N_HEAD_KV = 2;
const N_FF = 128;
const N_LAYER = 2;
const N_CTX = 2048;
const HEAD_DIM = N_EMBD / N_HEAD;

// ChatML, the format most small instruct models use; llama.cpp recognises it.
const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

// SentencePiece token types as llama.cpp reads them.
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

const WORDS = ['the', 'a', 'is', 'of', 'and', 'to', 'in', 'it', 'cat', 'dog', 'hello', 'world'];
const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789{}[]":,.!?-_\'';

/** SentencePiece-style vocab: specials, the 256 byte fallbacks, ChatML markers, pieces. */
function vocab() {
  const tokens = [
    ['<unk>', UNKNOWN],
    ['<s>', CONTROL],
    ['</s>', CONTROL],
  ];
  for (let b = 0; b < 256; b++) {
    tokens.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, BYTE]);
  }
  tokens.push(['<|im_start|>', CONTROL], ['<|im_end|>', CONTROL], ['\u2581', NORMAL]);
  for (const c of CHARS) tokens.push([c, NORMAL]);
  for (const w of WORDS) tokens.push([`\u2581${w}`, NORMAL]);
  // Longer pieces score higher, as SentencePiece's merges prefer them.
  const scores = tokens.map(([text, type], i) => (type === NORMAL ? -i / 1000 + text.length : 0));
  return { tokens, scores };
}

/** mulberry32: a tiny seeded PRNG, so the weights (and file) never change. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Tokens the model must never emit: a lone byte >= 0x80 is invalid UTF-8, which
 * llama-server's JSON writer throws on (and wllama's worker dies of); control
 * characters and the prompt-side specials are just noise.
 */
function isForbidden(text, type) {
  if (type === BYTE) {
    const b = Number.parseInt(text.slice(3, 5), 16);
    return b >= 0x7f || (b < 0x20 && b !== 0x0a);
  }
  return text === '<unk>' || text === '<s>' || text === '<|im_start|>';
}

/**
 * Tensors with dims in ggml order (ne0 = the row length, i.e. the input size).
 * Residual dimension 0 is held at a constant (set in every embedding, never
 * written by a block), so output rows weighted on it alone give forbidden
 * tokens a large negative logit: random weights, but always valid text.
 */
function tensors(tokens) {
  const random = prng(42);
  const uniform = (dims, scale) =>
    Float32Array.from({ length: dims[0] * (dims[1] ?? 1) }, () => (random() * 2 - 1) * scale);
  const ones = (n) => new Float32Array(n).fill(1);
  const nVocab = tokens.length;
  const kvDim = N_HEAD_KV * HEAD_DIM;

  const embd = uniform([N_EMBD, nVocab], 1);
  const output = uniform([N_EMBD, nVocab], 0.5);
  tokens.forEach(([text, type], t) => {
    embd[t * N_EMBD] = 4;
    output[t * N_EMBD] = isForbidden(text, type) ? -20 : 0;
  });
  const list = [
    ['token_embd.weight', [N_EMBD, nVocab], embd],
    ['output_norm.weight', [N_EMBD], ones(N_EMBD)],
    ['output.weight', [N_EMBD, nVocab], output],
  ];
  for (let i = 0; i < N_LAYER; i++) {
    const w = (name, dims) => {
      const data = uniform(dims, 0.2);
      // Blocks write nothing to residual dimension 0 (output row 0 of these two).
      if (name === 'attn_output' || name === 'ffn_down') data.fill(0, 0, dims[0]);
      list.push([`blk.${i}.${name}.weight`, dims, data]);
    };
    list.push([`blk.${i}.attn_norm.weight`, [N_EMBD], ones(N_EMBD)]);
    w('attn_q', [N_EMBD, N_EMBD]);
    w('attn_k', [N_EMBD, kvDim]);
    w('attn_v', [N_EMBD, kvDim]);
    w('attn_output', [N_EMBD, N_EMBD]);
    list.push([`blk.${i}.ffn_norm.weight`, [N_EMBD], ones(N_EMBD)]);
    w('ffn_gate', [N_EMBD, N_FF]);
    w('ffn_up', [N_EMBD, N_FF]);
    w('ffn_down', [N_FF, N_EMBD]);
  }
  return list;
}

// GGUF value types.
const U32 = 4;
const I32 = 5;
const F32 = 6;
const BOOL = 7;
const STRING = 8;
const ARRAY = 9;

class Writer {
  chunks = [];
  size = 0;
  push(bytes) {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
  scalar(setter, bytes, value) {
    const view = new DataView(new ArrayBuffer(bytes));
    view[setter](0, value, true);
    this.push(new Uint8Array(view.buffer));
  }
  u32(v) {
    this.scalar('setUint32', 4, v);
  }
  i32(v) {
    this.scalar('setInt32', 4, v);
  }
  u64(v) {
    this.scalar('setBigUint64', 8, BigInt(v));
  }
  f32(v) {
    this.scalar('setFloat32', 4, v);
  }
  string(s) {
    const bytes = new TextEncoder().encode(s);
    this.u64(bytes.length);
    this.push(bytes);
  }
  pad() {
    const n = (ALIGNMENT - (this.size % ALIGNMENT)) % ALIGNMENT;
    this.push(new Uint8Array(n));
  }
  value(type, v) {
    if (type === U32) this.u32(v);
    else if (type === I32) this.i32(v);
    else if (type === F32) this.f32(v);
    else if (type === BOOL) this.push(Uint8Array.of(v ? 1 : 0));
    else if (type === STRING) this.string(v);
    else throw new Error(`unsupported type ${type}`);
  }
  bytes() {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** The whole file as bytes. */
export function buildTinyGguf() {
  const { tokens, scores } = vocab();
  const id = (text) => tokens.findIndex(([t]) => t === text);
  const metadata = [
    ['general.architecture', STRING, 'llama'],
    ['general.name', STRING, 'tiny-llama'],
    ['general.alignment', U32, ALIGNMENT],
    ['llama.context_length', U32, N_CTX],
    ['llama.embedding_length', U32, N_EMBD],
    ['llama.block_count', U32, N_LAYER],
    ['llama.feed_forward_length', U32, N_FF],
    ['llama.attention.head_count', U32, N_HEAD],
    ['llama.attention.head_count_kv', U32, N_HEAD_KV],
    ['llama.attention.layer_norm_rms_epsilon', F32, 1e-5],
    ['llama.rope.dimension_count', U32, HEAD_DIM],
    ['tokenizer.ggml.model', STRING, 'llama'],
    ['tokenizer.ggml.tokens', [ARRAY, STRING], tokens.map(([t]) => t)],
    ['tokenizer.ggml.scores', [ARRAY, F32], scores],
    ['tokenizer.ggml.token_type', [ARRAY, I32], tokens.map(([, type]) => type)],
    ['tokenizer.ggml.unknown_token_id', U32, id('<unk>')],
    ['tokenizer.ggml.bos_token_id', U32, id('<s>')],
    ['tokenizer.ggml.eos_token_id', U32, id('</s>')],
    // A leading '▁' would make JSON-schema (grammar) output fail.
    ['tokenizer.ggml.add_space_prefix', BOOL, false],
    ['tokenizer.chat_template', STRING, CHAT_TEMPLATE],
  ];
  const list = tensors(tokens);

  const w = new Writer();
  w.push(new TextEncoder().encode('GGUF'));
  w.u32(3);
  w.u64(list.length);
  w.u64(metadata.length);
  for (const [key, type, v] of metadata) {
    w.string(key);
    if (Array.isArray(type)) {
      w.u32(ARRAY);
      w.u32(type[1]);
      w.u64(v.length);
      for (const item of v) w.value(type[1], item);
    } else {
      w.u32(type);
      w.value(type, v);
    }
  }
  let offset = 0;
  for (const [name, dims, data] of list) {
    w.string(name);
    w.u32(dims.length);
    for (const d of dims) w.u64(d);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offset += Math.ceil(data.byteLength / ALIGNMENT) * ALIGNMENT;
  }
  w.pad();
  for (const [, , data] of list) {
    w.push(new Uint8Array(data.buffer));
    w.pad();
  }
  return w.bytes();
}

export function writeTinyGguf(path = 'tests/fixtures/tiny-llama.gguf') {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, buildTinyGguf());
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = writeTinyGguf(process.argv[2]);
  console.log(`wrote ${path}`);
}
