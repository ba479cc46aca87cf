import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends a run with one plain `N passed, N failed[, N skipped]` line (no colours), the closing line CI tools
 * read in any language; vitest's own summary is coloured and shaped differently.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that fails before its tests run (an import error, a failing hook) counts as a failure too.
      if (
        module.state() === 'failed' &&
        [...module.children.allTests()].every((t) => t.result().state !== 'failed')
      )
        failed++;
    }
    process.stdout.write(
      `\nvitest: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}
