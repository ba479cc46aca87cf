// Imported first by the render tests: Ink's chalk decides its colour level when it is first imported, and a
// test runner's stdout is not a terminal. Forcing colour lets the tests see which thresholds are coloured.
process.env['FORCE_COLOR'] = '3';
