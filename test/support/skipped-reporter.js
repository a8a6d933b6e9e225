import { existsSync } from 'node:fs';

// A jest reporter: when tests were skipped (those that need PostgreSQL or Redis skip themselves
// without TEST_DATABASE_URL / TEST_REDIS_URL, the browser tests without chromium), say so loudly at the end of the run, by file, so
// that a green local run is never mistaken for the whole suite. CI sets both variables.
export default class SkippedReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults
      .map((file) => ({ file: file.testFilePath.replace(`${process.cwd()}/`, ''), count: file.numPendingTests }))
      .filter((f) => f.count > 0);
    if (skipped.length === 0) return;
    const total = skipped.reduce((n, f) => n + f.count, 0);
    const missing = [
      process.env.TEST_DATABASE_URL ? null : 'TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<database>',
      process.env.TEST_REDIS_URL ? null : 'TEST_REDIS_URL=redis://127.0.0.1:6379',
      existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') ? null : 'a browser: apt-get install chromium (or CHROMIUM_PATH=<its path>)',
    ].filter(Boolean);
    const lines = [
      `SKIPPED: ${total} test${total === 1 ? '' : 's'} did not run${missing.length ? ' (they need a real service)' : ''}:`,
      ...skipped.map((f) => `  ${f.file}: ${f.count}`),
      ...(missing.length ? ['To run them, as CI does, provide:', ...missing.map((m) => `  ${m}`)] : []),
    ];
    const width = Math.max(...lines.map((l) => l.length));
    const bar = '!'.repeat(width + 4);
    process.stderr.write(`\n${bar}\n${lines.map((l) => `! ${l.padEnd(width)} !`).join('\n')}\n${bar}\n`);
  }
}
