import { describe, expect, it } from 'vitest';
import { touchedTensorsText } from './touched-summary';

describe('touchedTensorsText', () => {
  it('names each tensor with what changed, and how many are left out', () => {
    const touched = [
      { name: 'eps', clamped: 0, raised: 1 },
      { name: 'w', clamped: 3, raised: 2 },
      { name: 'b', clamped: 1, raised: 0 },
    ];
    expect(touchedTensorsText(touched)).toBe('eps (1 raised), w (2 raised, 3 clamped), b (1 clamped)');
    expect(touchedTensorsText(touched, 1)).toBe('eps (1 raised), and 2 more');
    expect(touchedTensorsText([])).toBe('');
  });
});
