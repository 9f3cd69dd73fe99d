import { CareLayerError } from '../errors.js';

export const CONTRACT_VERSION = 1;

export interface FileEntry {
  sha256: string;
  bytes: number;
}

/** Shape of `manifest.json` as owned by docs/model-contract.md. */
export interface Manifest {
  name: string;
  version: string;
  contract: number;
  tokenizer: { files: string[]; maxTokens: number; padId: number; emptyId: number };
  encoder: { file: string; fp32?: string; inputs: [string, string]; output: string; dim: number };
  heads: {
    file: string;
    fp32?: string;
    maxWindow: number;
    roles: Record<string, number>;
    inputs: [string, string, string];
    outputs: [string, string, string, string, string, string, string];
  };
  labels: { crisis: string[]; severity: string[]; reply: string[]; distortion: string[] };
  thresholds: { crisis: Record<string, number>; risk: number; reply_harm: number };
  policy?: Record<string, unknown>;
  files: Record<string, FileEntry>;
}

export type Precision = 'int8' | 'fp32';

function fail(field: string): never {
  throw new CareLayerError('manifest_invalid', { field });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, k: string, path: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) fail(`${path}.${k}`);
  return v;
}

function int(o: Record<string, unknown>, k: string, path: string, min = 0): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(`${path}.${k}`);
  return v;
}

function strList(o: Record<string, unknown>, k: string, path: string, len?: number): string[] {
  const v = o[k];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0)) fail(`${path}.${k}`);
  if (len !== undefined && v.length !== len) fail(`${path}.${k}`);
  if (new Set(v).size !== v.length) fail(`${path}.${k}`);
  return v as string[];
}

function prob(v: unknown, path: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(path);
  return v;
}

/**
 * Validates a parsed manifest against contract version 1. Everything downstream
 * (labels, limits, I/O names) reads from the returned object, so a wrong manifest
 * must fail here with the offending field rather than later as a shape error.
 */
export function parseManifest(raw: unknown): Manifest {
  if (!isObj(raw)) fail('root');
  const contract = int(raw, 'contract', 'manifest', 1);
  if (contract !== CONTRACT_VERSION) throw new CareLayerError('manifest_invalid', { field: 'contract', got: contract, want: CONTRACT_VERSION });
  const name = str(raw, 'name', 'manifest');
  const version = str(raw, 'version', 'manifest');

  const t = raw['tokenizer'];
  if (!isObj(t)) fail('tokenizer');
  const tokenizer = {
    files: strList(t, 'files', 'tokenizer'),
    maxTokens: int(t, 'maxTokens', 'tokenizer', 1),
    padId: int(t, 'padId', 'tokenizer'),
    emptyId: int(t, 'emptyId', 'tokenizer'),
  };

  const e = raw['encoder'];
  if (!isObj(e)) fail('encoder');
  const encoder = {
    file: str(e, 'file', 'encoder'),
    ...(typeof e['fp32'] === 'string' ? { fp32: e['fp32'] } : {}),
    inputs: strList(e, 'inputs', 'encoder', 2) as [string, string],
    output: str(e, 'output', 'encoder'),
    dim: int(e, 'dim', 'encoder', 1),
  };

  const h = raw['heads'];
  if (!isObj(h)) fail('heads');
  const roles = h['roles'];
  if (!isObj(roles) || typeof roles['user'] !== 'number' || typeof roles['assistant'] !== 'number') fail('heads.roles');
  const heads = {
    file: str(h, 'file', 'heads'),
    ...(typeof h['fp32'] === 'string' ? { fp32: h['fp32'] } : {}),
    maxWindow: int(h, 'maxWindow', 'heads', 1),
    roles: roles as Record<string, number>,
    inputs: strList(h, 'inputs', 'heads', 3) as [string, string, string],
    outputs: strList(h, 'outputs', 'heads', 7) as Manifest['heads']['outputs'],
  };

  const l = raw['labels'];
  if (!isObj(l)) fail('labels');
  const labels = {
    crisis: strList(l, 'crisis', 'labels'),
    severity: strList(l, 'severity', 'labels'),
    reply: strList(l, 'reply', 'labels'),
    distortion: strList(l, 'distortion', 'labels'),
  };

  const th = raw['thresholds'];
  if (!isObj(th) || !isObj(th['crisis'])) fail('thresholds');
  const crisisTh: Record<string, number> = {};
  const rawCrisisTh = th['crisis'] as Record<string, unknown>;
  for (const c of labels.crisis) crisisTh[c] = rawCrisisTh[c] === undefined ? 0.5 : prob(rawCrisisTh[c], `thresholds.crisis.${c}`);
  const thresholds = {
    crisis: crisisTh,
    risk: prob(th['risk'], 'thresholds.risk'),
    reply_harm: prob(th['reply_harm'], 'thresholds.reply_harm'),
  };

  const f = raw['files'];
  if (!isObj(f)) fail('files');
  const files: Record<string, FileEntry> = {};
  for (const [k, v] of Object.entries(f)) {
    if (!isObj(v) || typeof v['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(v['sha256'])) fail(`files.${k}.sha256`);
    files[k] = { sha256: v['sha256'], bytes: typeof v['bytes'] === 'number' ? v['bytes'] : 0 };
  }
  for (const needed of [...tokenizer.files, encoder.file, heads.file]) if (!files[needed]) fail(`files.${needed}`);

  const policy = isObj(raw['policy']) ? (raw['policy'] as Record<string, unknown>) : undefined;
  return { name, version, contract, tokenizer, encoder, heads, labels, thresholds, ...(policy ? { policy } : {}), files };
}

/** The graph files a runtime needs for a precision; fp32 falls back to the default graph when the model ships none. */
export function graphFiles(m: Manifest, precision: Precision): { encoder: string; heads: string } {
  if (precision === 'fp32') return { encoder: m.encoder.fp32 ?? m.encoder.file, heads: m.heads.fp32 ?? m.heads.file };
  return { encoder: m.encoder.file, heads: m.heads.file };
}

export function modelVersion(m: Manifest): string {
  return `${m.name}@${m.version}`;
}
