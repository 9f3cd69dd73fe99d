/**
 * The slice of ONNX Runtime the engine uses. onnxruntime-web (worker) and
 * onnxruntime-node (CLI) both satisfy it, so all pre/post-processing is one
 * implementation and only this binding differs.
 */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose?(): void;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  /** Newer ORT builds describe inputs; a numeric dim means the graph was exported with a static size. */
  readonly inputMetadata?: readonly { name: string; isTensor?: boolean; shape?: readonly (number | string)[] }[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/**
 * Session config both bindings pass (`extra`): fold the int8 weights into fp32 once, at load,
 * instead of letting each binding pick its own int8 kernels. The browser and the Node CLI then
 * run the same arithmetic (measured: 2e-6 apart, against 2e-2 with their own kernels). The
 * download stays int8.
 */
export const FOLD_INT8 = { session: { disable_quant_qdq: '1' } };

export interface OrtBinding {
  createSession(bytes: Uint8Array): Promise<OrtSession>;
  int64(data: BigInt64Array, dims: number[]): OrtTensor;
  float32(data: Float32Array, dims: number[]): OrtTensor;
}

/** The static size of `input`'s dimension `dim`, when the graph fixes it. */
export function staticDim(session: OrtSession, input: string, dim: number): number | null {
  const meta = session.inputMetadata?.find((m) => m.name === input);
  const d = meta?.shape?.[dim];
  return typeof d === 'number' && d > 0 ? d : null;
}
