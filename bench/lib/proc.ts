import { readdirSync, readFileSync } from 'node:fs';

/** A thread's name and CPU time (user + system) so far, read from /proc (Linux only: the benches run there). */
export interface ThreadCpu {
  readonly name: string;
  readonly ms: number;
}

/** utime + stime of a stat line, in milliseconds (clock ticks of 10 ms); the name in parentheses may hold spaces. */
function parseStat(stat: string): ThreadCpu {
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), ms: (Number(fields[11]) + Number(fields[12])) * 10 };
}

/** The CPU time so far of a whole process. */
export function processCpuMs(pid: number | 'self'): number {
  return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ms;
}

/**
 * Every thread of a process by thread id (the main thread's id is the process id): the main thread, libuv's pool,
 * V8's GC helpers, worker threads, libvips and ONNX Runtime threads.
 */
export function threadCpu(pid: number | 'self'): Map<string, ThreadCpu> {
  const out = new Map<string, ThreadCpu>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
