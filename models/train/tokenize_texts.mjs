// Tokenise texts with the very tokenizer.json the runtime loads (transformers.js), so
// training sees the same ids as the browser. stdin: JSON lines {"text"}; stdout: {"ids"}.
//   node models/train/tokenize_texts.mjs <model-dir> < texts.jsonl > ids.jsonl
import { AutoTokenizer, env } from '@huggingface/transformers';
import { createInterface } from 'node:readline';
import path from 'node:path';

const dir = path.resolve(process.argv[2]);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(dir) + '/';
const tok = await AutoTokenizer.from_pretrained(path.basename(dir));
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of rl) {
  if (!line) continue;
  const { text } = JSON.parse(line);
  out.push(JSON.stringify({ ids: tok.encode(text, { add_special_tokens: false }) }));
  if (out.length >= 1000) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
}
if (out.length) process.stdout.write(out.join('\n') + '\n');
