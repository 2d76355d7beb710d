import { describe, expect, it } from 'vitest';
import { containerUnitId, edgeId, groupUnitId, inputUnitId, nodeOfUnitId, opUnitId, outputUnitId } from './unit-ids';

describe('graph-unit ids', () => {
  it('reads back the node of an op unit', () => {
    for (const node of [0, 7, 12345]) expect(nodeOfUnitId(opUnitId(node))).toBe(node);
  });

  it('finds no node in any other unit, even one whose scope or value name looks like a number', () => {
    for (const id of [groupUnitId('3'), containerUnitId('12'), inputUnitId('4'), outputUnitId('n:5'), edgeId(opUnitId(1), opUnitId(2))]) {
      expect(nodeOfUnitId(id)).toBeNull();
    }
    expect(nodeOfUnitId(null)).toBeNull();
    expect(nodeOfUnitId('n:')).toBeNull();
  });

  it('keeps the ids of different kinds of unit apart for the same name', () => {
    const ids = [groupUnitId('a'), containerUnitId('a'), inputUnitId('a'), outputUnitId('a')];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
