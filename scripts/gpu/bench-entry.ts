// Entry of .gpu-bundle/bench.cjs: `castaway bench` alone (the companion's runner), for the GPU machine.
import { runBenchCommand } from '../../src/cli/bench';

runBenchCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
