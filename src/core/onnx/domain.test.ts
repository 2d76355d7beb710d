import { describe, expect, it } from 'vitest';
import { domainLabel, normalizeDomain } from './domain';

describe('domains', () => {
  it("keys both spellings of the default domain as ''", () => {
    expect([undefined, '', 'ai.onnx', 'com.microsoft'].map(normalizeDomain)).toEqual(['', '', '', 'com.microsoft']);
  });

  it("prints the default domain as 'ai.onnx' however the model spells it", () => {
    expect([undefined, '', 'ai.onnx', 'com.microsoft'].map(domainLabel)).toEqual(['ai.onnx', 'ai.onnx', 'ai.onnx', 'com.microsoft']);
  });
});
