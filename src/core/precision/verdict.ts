// The preview's answer in words: is fp16 fine for this model, noticeably off, or does it ruin the outputs,
// and which nodes to look at. Thresholds on cosine similarity (1: same direction) and inf/NaN counts, the
// numbers the outputs table shows; the culprits are the top of the engine's impact ranking.
import type { OutputComparison } from './metrics';

export type VerdictLevel = 'fine' | 'noticeable' | 'ruined';

export interface Verdict {
  level: VerdictLevel;
  /** The worst output and its cosine (NaN when it has inf/NaN values). */
  output: string;
  cosine: number;
  nonFinite: number;
  /** Node indices to look at first: the top of the impact ranking. */
  culprits: number[];
}

/** Below this cosine the fp16 outputs are not the same answer any more. */
const RUINED_COSINE = 0.9;
/** Below this, the outputs agree in direction but differ enough to check on real inputs. */
const NOTICEABLE_COSINE = 0.999;

export function previewVerdict(outputs: readonly OutputComparison[], ranking: readonly number[], culprits = 3): Verdict | null {
  if (!outputs.length) return null;
  const worst = outputs.reduce((a, b) => (b.nonFinite > a.nonFinite || (b.nonFinite === a.nonFinite && b.cosine < a.cosine) ? b : a));
  const level: VerdictLevel =
    worst.nonFinite > 0 || !(worst.cosine >= RUINED_COSINE) ? 'ruined' : worst.cosine < NOTICEABLE_COSINE ? 'noticeable' : 'fine';
  return { level, output: worst.name, cosine: worst.cosine, nonFinite: worst.nonFinite, culprits: level === 'fine' ? [] : ranking.slice(0, culprits) };
}
