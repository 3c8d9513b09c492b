/**
 * Where a server's CPU went, from a V8 .cpuprofile (`npm run bench -- --profile`): self time grouped by package
 * (node_modules/<name>), by our source folder (src/<dir>) or by V8/Node category, as percentages of busy time.
 *
 *   npx tsx bench/profile-summary.ts bench/.work/profiles/<run>/query/*.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function group(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : `(native) ${fn || 'anonymous'}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ours = /\/dist\/(src\/[^/]+)/.exec(url) ?? /\/(src\/[^/]+)/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

function main(): void {
  const argv = process.argv.slice(2);
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  const files = argv.filter((a, i) => a.endsWith('.cpuprofile') && i !== topAt + 1);
  const self = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const n = byId.get(id)!;
      const dt = p.timeDeltas[i] ?? 0;
      if (n.callFrame.functionName === '(idle)') return;
      const g = group(n.callFrame.url, n.callFrame.functionName);
      self.set(g, (self.get(g) ?? 0) + dt);
      const f = `${g} ${n.callFrame.functionName || '(anonymous)'}`;
      fns.set(f, (fns.get(f) ?? 0) + dt);
      total += dt;
    });
  }
  const print = (title: string, m: Map<string, number>) => {
    process.stdout.write(`\n${title} (busy ${(total / 1e6).toFixed(1)} s)\n`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(6)} %  ${k}\n`);
    }
  };
  print('self time by package / folder', self);
  print('self time by function', fns);
}

main();
