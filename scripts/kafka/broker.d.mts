/** Types for broker.mjs (plain JavaScript so `npm run kafka:start` needs no build). */
export interface KafkaBroker {
  /** `127.0.0.1:PORT`, the bootstrap address. */
  readonly bootstrap: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly pid: number;
  /** The broker's folder (config, data, logs). */
  readonly dir: string;
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
