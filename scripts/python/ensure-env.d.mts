// Types for ensure-env.mjs (imported by TypeScript tests and brewline's Spark engine).
export declare const repoRoot: string;
export declare const pythonProject: string;
export declare const venvDir: string;
export declare const ivyDir: string;
export declare const SPARK_PACKAGES: readonly string[];
export declare class PrerequisiteError extends Error {}
export declare function venvPython(): string;
export declare function findPython(): { command: string; executable: string; version: string };
export declare function findJava(): { command: string; major: number };
export declare function requirementsHash(python: { executable: string; version: string }): string;
export declare function ensureVenv(options?: { quiet?: boolean }): string;
export declare function prefetchedJars(): string[];
export declare function ensureJars(options?: { quiet?: boolean }): string[];
export declare function ensurePythonEnv(options?: { quiet?: boolean; jars?: boolean }): string;
