import { spawnSync } from 'child_process';

/**
 * shellcheck for the tests that lint generated bash (boot script, user-data prelude, node join, job
 * launcher). `.ci/run` installs it; under CI=true a missing shellcheck fails the suite instead of
 * skipping the lint, so the lint cannot silently stop running.
 */
export const SHELLCHECK = spawnSync('shellcheck', ['--version']).status === 0;
if (!SHELLCHECK && process.env.CI === 'true') {
  throw new Error('shellcheck is not installed; .ci/run installs it (apt-get install -y shellcheck) before `npm test`');
}

/** `test` where shellcheck is installed, `test.skip` elsewhere (never under CI=true, see above). */
export const lintTest = SHELLCHECK ? test : test.skip;

/** What shellcheck reports for a bash script: the empty string when it finds nothing. */
export function shellcheckIssues(script: string): string {
  const r = spawnSync('shellcheck', ['-s', 'bash', '-f', 'gcc', '-'], { input: script, encoding: 'utf8' });
  return r.status === 0 && r.stdout === '' ? '' : r.stdout + r.stderr || `shellcheck exited ${r.status}`;
}
