export const STRICT_CSP: string;
export function startServer(o?: { port?: number; host?: string; isolated?: boolean; quiet?: boolean }): Promise<{ url: string; port: number; close(): Promise<void> }>;
