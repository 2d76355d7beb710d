// Every fixture but gpt2-deep200 (fixtures-gpt2-*.test.ts), with every recipe (fixture-suite.ts says what is
// checked). pegasus-deep64 (64 Pegasus encoder layers, 7,072 nodes) runs in pieces: four whole sessions of it took
// ~15 s of CPU, its pieces ~1 s; its layer is pegasus-small-o14-encoder's, which runs whole here with every
// recipe, and a deep converted file loading whole is fixtures-gpt2-whole.test.ts's check (docs/ci.md, third pass).
import { FIXTURES } from './fixture-recipes';
import { fixtureSuite } from './fixture-suite';

const PIECES = ['pegasus-deep64-o14-encoder'] as const;
fixtureSuite(FIXTURES.filter((f) => f !== 'gpt2-deep200-o14' && !(PIECES as readonly string[]).includes(f)));
fixtureSuite(PIECES, { run: 'pieces' });
