/**
 * Names what a finished test run left open, so a leak is found from the CI log rather than by a hung job.
 *
 * On 2 cores jest runs every suite inside its main process (maxWorkers 1 means in band), so a child process, server, socket
 * or ref'd timer that one suite forgot keeps the whole run alive after its summary. scripts/test.sh passes --forceExit
 * so CI always ends; this reporter says what --forceExit had to cut. It does not fail a green run: the leak is a bug in a
 * test's cleanup, and test/e2e/no-litter.test.ts is where litter is judged.
 */
class OpenHandlesReporter {
  onRunComplete() {
    const leaks = process._getActiveHandles().map(describeHandle).filter(Boolean);
    // Timers are not handles in today's Node; only their count is known.
    const timers = process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
    if (timers > 0) leaks.push(`${timers} ref'd timer(s)`);
    if (leaks.length === 0) return;
    process.stderr.write(
      `[open-handles] still open after the run (cut by --forceExit):\n${leaks.map((text) => `  - ${text}`).join('\n')}\n`,
    );
  }
}

function describeHandle(handle) {
  if (handle === process.stdin || handle === process.stdout || handle === process.stderr) return null;
  const kind = handle && handle.constructor ? handle.constructor.name : typeof handle;
  if (kind === 'ChildProcess') {
    return `child process ${handle.pid} (${handle.spawnargs ? handle.spawnargs.join(' ') : handle.spawnfile})`;
  }
  if (kind === 'Server') {
    const address = typeof handle.address === 'function' ? handle.address() : null;
    return `server listening on ${JSON.stringify(address)}`;
  }
  if (kind === 'Socket' || kind === 'TLSSocket') {
    // Sockets of a pipe to a child process (its stdio) are listed with the child; remote ones name their peer.
    if (!handle.remoteAddress) return handle._handle && handle._handle.constructor.name === 'Pipe' ? null : `${kind} (unconnected)`;
    return `${kind} to ${handle.remoteAddress}:${handle.remotePort}`;
  }
  return kind;
}

module.exports = OpenHandlesReporter;
