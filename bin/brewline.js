#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (shipped in the npm package; in a checkout, `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(
    'brewline: dist/ is missing — in a brewline checkout run `npm run build` (or `npm test`) first.\n',
  );
  process.exit(2);
}
await import(cli);
