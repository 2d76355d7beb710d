// The recipe setting skipLayerNormStrictMode (sessions with onnxruntime's CUDA option
// enable_skip_layer_norm_strict_mode): parsed, validated, written only when set, and in the CLI command.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from './api';
import { normalizeRecipe, parseRecipe, recipeToCliCommand, serializeRecipe } from './recipe';

describe('skipLayerNormStrictMode', () => {
  it('defaults to false and accepts true', () => {
    expect(normalizeRecipe({}).skipLayerNormStrictMode).toBe(false);
    expect(normalizeRecipe({ skipLayerNormStrictMode: true }).skipLayerNormStrictMode).toBe(true);
  });

  it('refuses anything but a boolean', () => {
    expect(() => normalizeRecipe({ skipLayerNormStrictMode: 'yes' })).toThrow(/skipLayerNormStrictMode/);
  });

  it('is written only when set, so existing recipe files keep their bytes', () => {
    expect(serializeRecipe(DEFAULT_RECIPE)).not.toMatch(/skipLayerNormStrictMode/);
    const strict = serializeRecipe({ ...DEFAULT_RECIPE, targetEp: 'cuda', skipLayerNormStrictMode: true });
    expect(parseRecipe(strict).skipLayerNormStrictMode).toBe(true);
  });

  it('appears in the equivalent CLI command', () => {
    expect(recipeToCliCommand({ ...DEFAULT_RECIPE, targetEp: 'cuda', skipLayerNormStrictMode: true }, 'a.onnx', 'b.onnx')).toMatch(/--target-ep cuda --skip-layer-norm-strict-mode/);
    expect(recipeToCliCommand(DEFAULT_RECIPE, 'a.onnx', 'b.onnx')).not.toMatch(/strict/);
  });
});
