// Every fixture but the largest, with every recipe (fixture-suite.ts says what is checked).
import { FIXTURES } from './fixture-recipes';
import { fixtureSuite } from './fixture-suite';

fixtureSuite(FIXTURES.filter((f) => f !== 'gpt2-deep200-o14'));
