/** Builds bench/.build/ (TF.js USE-lite baseline bundle, WASM binaries, weights); returns its path. */
export function buildBaseline(o?: { force?: boolean; quiet?: boolean }): Promise<string>;
