// The companion's job start, for docs/ci.md: start a server (as `npm run companion` does, CPU EP), send one
// small /run, and print the wall time from the start to the answer and the CPU time of the processes the
// server started for it (the inference process and whatever it starts), read from /proc every 20 ms
// (Linux only). Usage: npx tsx scripts/bench-companion-start.ts [repeats]
import { readdirSync, readFileSync } from 'node:fs';
import { startCompanion } from '../src/companion/server/server.js';
import { postRun } from '../src/companion/server/test-post.js';
import { matmulModel } from '../src/companion/server/tiny-models.js';

const TICK_S = 0.01; // USER_HZ is 100 on Linux

/** Every descendant of this process: its own user + system CPU seconds, not its children's. */
function descendantsCpu(seen: Map<number, number>): void {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(d), Number(f[1]));
    cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * TICK_S);
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  for (const [pid, s] of cpu) if (seen.has(pid) || mine(pid)) seen.set(pid, s);
}

async function once(): Promise<{ wallMs: number; childCpuS: number; serverCpuS: number }> {
  const seen = new Map<number, number>();
  const poll = setInterval(() => descendantsCpu(seen), 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const origin = 'http://127.0.0.1:5173';
  const companion = await startCompanion({ port: 0, origins: [origin], workerEnv: { ...process.env, CASTAWAY_DISABLE_CUDA: '1' } });
  const answer = await postRun(companion.port, matmulModel(), { origin, token: companion.token, params: { dims: { batch: 1 } } });
  const wallMs = performance.now() - t0;
  if (answer.status !== 200) throw new Error(`/run answered ${answer.status}: ${answer.text}`);
  descendantsCpu(seen);
  clearInterval(poll);
  const cpu = process.cpuUsage(cpu0);
  await companion.close();
  return { wallMs, childCpuS: [...seen.values()].reduce((a, b) => a + b, 0), serverCpuS: (cpu.user + cpu.system) / 1e6 };
}

const repeats = Number(process.argv[2] ?? 1);
for (let i = 0; i < repeats; i++) {
  const r = await once();
  console.log(`wall ${r.wallMs.toFixed(0)} ms, inference process tree ${r.childCpuS.toFixed(2)} s CPU, server ${r.serverCpuS.toFixed(2)} s CPU`);
}
