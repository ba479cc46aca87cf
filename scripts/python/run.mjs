#!/usr/bin/env node
// Runs the Python side's tools inside the project venv (created on first use by ensure-env.mjs):
//
//   node scripts/python/run.mjs check        → ruff check + ruff format --check + mypy over databricks/
//   node scripts/python/run.mjs test [ARGS]  → pytest databricks/tests (needs Java: prefetches the jars);
//                                              "no tests collected" (pytest exit 5) is a failure here
//   node scripts/python/run.mjs exec MODULE [ARGS] → python -m MODULE ARGS in the venv, cwd databricks/
//
// Exit codes: the tool's own; 2 when Java/Python is missing (one line from ensure-env).
import { spawnSync } from 'node:child_process';
import { ensurePythonEnv, PrerequisiteError, pythonProject, venvPython } from './ensure-env.mjs';

function tool(module, args, timeoutMs) {
  const result = spawnSync(venvPython(), ['-m', module, ...args], {
    cwd: pythonProject,
    stdio: 'inherit',
    timeout: timeoutMs,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (result.error) {
    process.stderr.write(`brewline: ${module} did not finish: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

function main([command, ...args]) {
  try {
    ensurePythonEnv({ quiet: false, jars: command === 'test' });
  } catch (error) {
    process.stderr.write(
      `brewline: ${error instanceof PrerequisiteError ? '' : 'could not set up the Python environment: '}${error.message}\n`,
    );
    return error instanceof PrerequisiteError ? 2 : 1;
  }
  switch (command) {
    case 'check': {
      const steps = [
        ['ruff', ['check', '.', '../scripts/python']],
        ['ruff', ['format', '--check', '.', '../scripts/python']],
        ['mypy', []],
      ];
      for (const [module, stepArgs] of steps) {
        const status = tool(module, stepArgs, 10 * 60_000);
        if (status !== 0) return status;
      }
      return 0;
    }
    case 'test': {
      const status = tool('pytest', args, 20 * 60_000);
      if (status === 5) {
        process.stderr.write('brewline: pytest collected no tests (exit 5); that is a failure here\n');
        return 1;
      }
      return status;
    }
    case 'exec':
      return tool(args[0], args.slice(1), 60 * 60_000);
    default:
      process.stderr.write(
        'usage: node scripts/python/run.mjs check | test [PYTEST ARGS] | exec MODULE [ARGS]\n',
      );
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
