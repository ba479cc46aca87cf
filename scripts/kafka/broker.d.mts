/** Types for broker.mjs (plain JavaScript so `npm run kafka:start` needs no build). */
export interface KafkaBroker {
  /** `127.0.0.1:PORT`, the bootstrap address. */
  readonly bootstrap: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly pid: number;
  /** The broker's folder (config, data, logs). */
  readonly dir: string;
  /** With `security`: a SASL_PLAINTEXT listener (PLAIN and SCRAM-SHA-256). */
  readonly saslBootstrap?: string;
  /** With `security`: a TLS listener with a self-signed certificate for 127.0.0.1. */
  readonly tlsBootstrap?: string;
  /** With `security`: that certificate, PEM, for clients' CA setting. */
  readonly caFile?: string;
}

export interface StartOptions {
  /** Reuse a stopped broker's folder (keeps data and ports). */
  dir?: string;
  port?: number;
  controllerPort?: number;
  /** @default 512 */
  heapMb?: number;
  /** @default 90_000 */
  timeoutMs?: number;
  /** Leave the broker running after this process exits (kafka:start). @default false */
  detached?: boolean;
  quiet?: boolean;
  /** Also open SASL and TLS listeners for these users (name → password), for security tests. */
  security?: { users: Record<string, string> };
}

export const repoRoot: string;
export const libsDir: string;
export function kafkaJarsPresent(): boolean;
export function ensureKafkaJars(options?: { quiet?: boolean }): string;
export function freePort(): Promise<number>;
export function startKafkaBroker(options?: StartOptions): Promise<KafkaBroker>;
export function stopKafkaBroker(
  broker: KafkaBroker,
  options?: { keepData?: boolean; timeoutMs?: number },
): Promise<void>;
