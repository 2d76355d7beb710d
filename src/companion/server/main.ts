// `npm run companion [-- --port 8765 --origin http://127.0.0.1:5173 --max-upload-mb 2048 --timeout-s 300]`
import { parseArgs } from 'node:util';
import { DEFAULT_APP_ORIGINS, DEFAULT_PORT } from '../shared/protocol.js';
import { startCompanion } from './server.js';

const USAGE = `Usage: npm run companion -- [options]
  --port N            port on 127.0.0.1 (default ${DEFAULT_PORT}, or CASTAWAY_COMPANION_PORT; 0 = any free port)
  --origin URL        the app's origin allowed to call (repeatable or comma-separated;
                      default ${DEFAULT_APP_ORIGINS.join(', ')})
  --max-upload-mb N   largest model upload (default 2048)
  --timeout-s N       time limit of one job, session creation included (default 300)
  --max-queue N       jobs that may wait behind the running one (default 8)
  --max-held-mb N     upload bytes held across all requests at once (default: a quarter of the
                      memory, at most (max-queue + 1) x max-upload-mb, at least max-upload-mb)
  --upload-idle-s N   drop an upload that sends nothing for this long (default 30)
  --quiet             no per-request log lines`;

function num(v: string | undefined, name: string, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a non-negative number\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        origin: { type: 'string', multiple: true },
        'max-upload-mb': { type: 'string' },
        'timeout-s': { type: 'string' },
        'max-queue': { type: 'string' },
        'max-held-mb': { type: 'string' },
        'upload-idle-s': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const origins = (values.origin ?? []).flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
  const companion = await startCompanion({
    port: num(values.port ?? process.env.CASTAWAY_COMPANION_PORT, 'port', DEFAULT_PORT),
    origins,
    maxUploadBytes: Math.round(num(values['max-upload-mb'], 'max-upload-mb', 2048) * 2 ** 20),
    timeoutMs: Math.round(num(values['timeout-s'], 'timeout-s', 300) * 1000),
    maxQueue: num(values['max-queue'], 'max-queue', 8),
    maxHeldBytes: values['max-held-mb'] === undefined ? undefined : Math.round(num(values['max-held-mb'], 'max-held-mb', 2048) * 2 ** 20),
    uploadIdleMs: Math.round(num(values['upload-idle-s'], 'upload-idle-s', 30) * 1000),
    log: values.quiet ? undefined : (l) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${l}`),
  });
  console.log(`Castaway companion on ${companion.url}`);
  console.log(`  accepts requests from ${(origins.length ? origins : DEFAULT_APP_ORIGINS).join(', ')}`);
  try {
    const m = await companion.machine;
    const cuda = m.eps.find((e) => e.name === 'cuda');
    if (m.ep === 'cuda') console.log(`  EP: CUDA on ${m.device.name}`);
    else console.log(`  EP: CPU (${m.device.name}); ${cuda?.note ?? 'CUDA EP unavailable'}`);
    console.log(`  onnxruntime-node ${m.versions.onnxruntime}, Node ${m.versions.node}`);
  } catch (e) {
    console.error(`  the inference process failed to start: ${(e as Error).message}`);
  }
  const stop = () => {
    void companion.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE') console.error(`port in use: ${err.message}; pick another with --port`);
  else console.error(err?.stack ?? String(e));
  process.exit(1);
});
