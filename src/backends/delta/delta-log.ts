import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExternalError } from '../../errors.js';

/**
 * Reading a Delta table's transaction log (delta-io/delta PROTOCOL.md): the newest checkpoint named by
 * `_delta_log/_last_checkpoint` (or found by listing), then every JSON commit after it, replayed in version
 * order. What a reader needs is the table's schema, its partition columns and the set of active data files.
 */

/** One column of the table schema (`metaData.schemaString`), as Delta spells its type. */
export interface DeltaField {
  readonly name: string;
  /** e.g. `string`, `long`, `decimal(12,2)`, `timestamp`; nested types are objects. */
  readonly type: unknown;
  readonly nullable: boolean;
}

export interface DeltaFile {
  /** Absolute path of the Parquet file. */
  readonly path: string;
  /** Partition column → value as the log stores it (a string, or null). */
  readonly partitionValues: Readonly<Record<string, string | null>>;
}

export interface DeltaSnapshot {
  readonly tableDir: string;
  readonly version: number;
  readonly schema: readonly DeltaField[];
  readonly partitionColumns: readonly string[];
  readonly files: readonly DeltaFile[];
}

/** Reads a checkpoint Parquet file's action columns as JSON strings (one entry per non-null action). */
export type CheckpointReader = (
  paths: readonly string[],
) => Promise<{ action: 'add' | 'remove' | 'metaData' | 'protocol'; json: string }[]>;

interface FileAction {
  path: string;
  partitionValues?: Record<string, string | null> | null;
  deletionVector?: { storageType?: string; pathOrInlineDv?: string; offset?: number | null } | null;
}
interface Protocol {
  minReaderVersion: number;
  readerFeatures?: string[] | null;
}
interface Metadata {
  schemaString: string;
  partitionColumns?: string[] | null;
  configuration?: Record<string, string> | null;
}

/** Reader features a table may use and still be read as plain Parquet files. */
const READABLE_FEATURES = new Set([
  'timestampNtz',
  'vacuumProtocolCheck',
  // Only a problem when a file actually carries a deletion vector (checked per file below).
  'deletionVectors',
  // Only a problem when the mode is not `none` (checked on the metadata below).
  'columnMapping',
]);

const COMMIT = /^(\d{20})\.json$/;
const CHECKPOINT = /^(\d{20})\.checkpoint(?:\.(\d{10})\.(\d{10}))?\.parquet$/;

/** True when `dir` holds a Delta table (it has a `_delta_log` folder). */
export function isDeltaTable(dir: string): boolean {
  return existsSync(join(dir, '_delta_log'));
}

/** The newest version of the table: its highest JSON commit or checkpoint (cheap: one directory listing). */
export function latestVersion(tableDir: string): number {
  let latest = -1;
  for (const name of readdirSync(join(tableDir, '_delta_log'))) {
    const m = COMMIT.exec(name) ?? CHECKPOINT.exec(name);
    if (m) latest = Math.max(latest, Number(m[1]));
  }
  return latest;
}

/** The newest complete checkpoint at or below `maxVersion`: its version and part files. */
function findCheckpoint(
  logDir: string,
  names: readonly string[],
): { version: number; parts: string[] } | undefined {
  const hinted = readLastCheckpoint(logDir);
  const byVersion = new Map<number, { single?: string; parts: Map<number, string>; total: number }>();
  for (const name of names) {
    const m = CHECKPOINT.exec(name);
    if (!m) continue;
    const version = Number(m[1]);
    const entry = byVersion.get(version) ?? { parts: new Map<number, string>(), total: 0 };
    if (m[2] === undefined) entry.single = name;
    else {
      entry.parts.set(Number(m[2]), name);
      entry.total = Number(m[3]);
    }
    byVersion.set(version, entry);
  }
  const versions = [...byVersion.keys()].sort((a, b) => b - a);
  if (hinted !== undefined && byVersion.has(hinted)) versions.unshift(hinted);
  for (const version of versions) {
    const entry = byVersion.get(version)!;
    if (entry.single) return { version, parts: [join(logDir, entry.single)] };
    if (entry.total > 0 && entry.parts.size === entry.total) {
      return {
        version,
        parts: [...entry.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => join(logDir, n)),
      };
    }
  }
  return undefined;
}

function readLastCheckpoint(logDir: string): number | undefined {
  const path = join(logDir, '_last_checkpoint');
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; v2Checkpoint?: unknown };
    if (value.v2Checkpoint !== undefined) {
      throw new ExternalError(`${logDir}: the table uses V2 checkpoints, which brewline cannot read`, {
        hint: "write the table without the 'v2Checkpoint' feature (Delta's default), or read it with Spark",
      });
    }
    return typeof value.version === 'number' ? value.version : undefined;
  } catch (error) {
    if (error instanceof ExternalError) throw error;
    return undefined; // A torn or odd hint is only a hint: listing finds the checkpoint.
  }
}

/** Resolves a log path (a relative, URL-encoded path, or an absolute URI) against the table folder. */
export function resolveDataPath(tableDir: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    if (!path.startsWith('file:')) {
      throw new ExternalError(`a data file of ${tableDir} lives at ${path}, outside the local file system`, {
        hint: 'brewline reads local Delta tables only; use --lakehouse databricks for a workspace',
      });
    }
    return fileURLToPath(path.startsWith('file:///') ? path : path.replace(/^file:\/*/, 'file:///'));
  }
  return join(tableDir, decodeURIComponent(path));
}

const fileKey = (a: FileAction): string => {
  const dv = a.deletionVector;
  return dv ? `${a.path}\u0000${dv.storageType ?? ''}${dv.pathOrInlineDv ?? ''}@${dv.offset ?? ''}` : a.path;
};

/**
 * Replays the log of the table at `tableDir` up to its newest version. Refuses, with a clear error, what
 * plain Parquet reads would get wrong: deletion vectors on active files, column mapping, unknown reader
 * features.
 */
export async function readDeltaSnapshot(
  tableDir: string,
  readCheckpoint: CheckpointReader,
): Promise<DeltaSnapshot> {
  const logDir = join(tableDir, '_delta_log');
  const names = readdirSync(logDir);
  const commits = names
    .map((n) => COMMIT.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const checkpoint = findCheckpoint(logDir, names);
  const active = new Map<string, FileAction>();
  let protocol: Protocol | undefined;
  let metadata: Metadata | undefined;
  let version = -1;
  const apply = (action: Record<string, unknown>): void => {
    if (action['add']) {
      const add = action['add'] as FileAction;
      active.set(fileKey(add), add);
    } else if (action['remove']) {
      active.delete(fileKey(action['remove'] as FileAction));
    } else if (action['metaData']) {
      metadata = action['metaData'] as Metadata;
    } else if (action['protocol']) {
      protocol = action['protocol'] as Protocol;
    }
  };
  if (checkpoint) {
    version = checkpoint.version;
    for (const { action, json } of await readCheckpoint(checkpoint.parts)) {
      // A checkpoint's removes are tombstones of files already gone from its add set.
      if (action !== 'remove') apply({ [action]: JSON.parse(json) as unknown });
    }
  }
  let expected = version + 1;
  for (const v of commits) {
    if (v <= version) continue;
    if (v !== expected) {
      throw new ExternalError(`${logDir}: commit ${expected} is missing (found ${v})`, {
        hint: 'the log was cleaned up without a checkpoint covering it; the table cannot be read from here',
      });
    }
    const text = readFileSync(join(logDir, `${String(v).padStart(20, '0')}.json`), 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() !== '') apply(JSON.parse(line) as Record<string, unknown>);
    }
    version = v;
    expected = v + 1;
  }
  if (version < 0 || !metadata || !protocol) {
    throw new ExternalError(`${tableDir} has no readable Delta log (no commit with metadata and protocol)`, {
      hint: 'point --lakehouse at the folder holding <schema>/<table>/_delta_log',
    });
  }
  checkReadable(tableDir, protocol, metadata);
  const files: DeltaFile[] = [];
  for (const add of active.values()) {
    if (add.deletionVector) {
      throw new ExternalError(
        `${tableDir} has rows deleted with deletion vectors, which brewline cannot apply`,
        {
          hint: "create the table with 'delta.enableDeletionVectors' = 'false' (the Spark pipeline does), or run REORG TABLE … APPLY (PURGE)",
        },
      );
    }
    files.push({ path: resolveDataPath(tableDir, add.path), partitionValues: add.partitionValues ?? {} });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const schema = (JSON.parse(metadata.schemaString) as { fields: DeltaField[] }).fields;
  return { tableDir, version, schema, partitionColumns: metadata.partitionColumns ?? [], files };
}

function checkReadable(tableDir: string, protocol: Protocol, metadata: Metadata): void {
  const mode = metadata.configuration?.['delta.columnMapping.mode'];
  if (mode !== undefined && mode !== 'none') {
    throw new ExternalError(`${tableDir} uses column mapping (mode ${mode}), which brewline cannot read`, {
      hint: "write the table without 'delta.columnMapping.mode' (the Spark pipeline does), or read it with Spark",
    });
  }
  if (protocol.minReaderVersion > 3) {
    throw new ExternalError(
      `${tableDir} needs Delta reader version ${protocol.minReaderVersion}; brewline reads up to 3`,
      {
        hint: 'read it with Spark, or write it with the pipeline’s default table features',
      },
    );
  }
  const unknown = (protocol.readerFeatures ?? []).filter((f) => !READABLE_FEATURES.has(f));
  if (unknown.length > 0) {
    throw new ExternalError(
      `${tableDir} uses Delta reader features brewline cannot read: ${unknown.join(', ')}`,
      {
        hint: 'read it with Spark, or write it with the pipeline’s default table features',
      },
    );
  }
}
