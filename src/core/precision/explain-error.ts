// onnxruntime's error messages in words a newcomer can act on. The raw text (with onnxruntime's build
// paths and status codes) stays available, folded away, for a bug report; this only recognizes the
// failures a preview commonly meets and says what to change.

export interface ExplainedError {
  /** One sentence: what went wrong, in the user's terms. */
  summary: string;
  /** What to try, when there is something to try. */
  hint?: string;
  /** The node onnxruntime names, when it names one. */
  node?: string;
}

const SIZES_HINT = 'Try the sizes the model was exported with (an image model often needs 224 or 320, or a multiple of 32), or batch 1.';

export function explainRuntimeError(raw: string): ExplainedError {
  const node = /running (\w+) node\. Name:'([^']*)'/.exec(raw);
  const where = node ? { node: node[2] || node[1] } : {};
  const at = node ? ` at ${node[1]} node ${node[2] || '(unnamed)'}` : '';
  let match = /invalid dimensions for input: (\S+) for the following indices\s*index: (\d+) Got: (\d+) Expected: (\d+)/i.exec(raw);
  if (match) {
    return { summary: `The input ${match[1]} must have size ${match[4]} on axis ${match[2]}; it was given ${match[3]}.`, hint: `Set that size to ${match[4]}.` };
  }
  match = /invalid rank for input: (\S+) Got: (\d+) Expected: (\d+)/i.exec(raw);
  if (match) return { summary: `The input ${match[1]} must have ${match[3]} dimensions; it was given ${match[2]}.` };
  match = /unexpected input data type.*?actual: \(?([^)\s]+)\)?.*?expected: \(?([^)\s]+)\)?/i.exec(raw);
  if (match) return { summary: `An input has the wrong element type: ${match[1]} where the model expects ${match[2]}.` };
  if (/broadcast|cannot be reshaped|shape mismatch|incompatible dimensions|dimension mismatch|ShapeInferenceError|Invalid input shape/i.test(raw)) {
    const sizes = /by a dimension other than 1\. (\d+) by (\d+)/.exec(raw);
    return {
      // onnxruntime's order of the two sizes depends on the operand; say both without guessing which is whose.
      summary: `The input sizes do not fit the model${at}${sizes ? `: sizes ${sizes[1]} and ${sizes[2]} meet where they must match` : ''}.`,
      hint: SIZES_HINT,
      ...where,
    };
  }
  if (/bad_alloc|out of memory|memory access out of bounds|Aborted\(|failed to allocate|Array buffer allocation failed|RangeError/i.test(raw)) {
    return { summary: 'The preview ran out of memory in the browser.', hint: 'Try a smaller batch, a shorter sequence or a smaller image, or turn off "per node".', ...where };
  }
  if (/indices element out of data bounds|out of range|idx=\d+ must be within/i.test(raw)) {
    return { summary: `An index went out of range${at}: usually a sequence longer than the model's position table.`, hint: 'Try a shorter sequence.', ...where };
  }
  if (/Could not find an implementation|NOT_IMPLEMENTED|not supported|unsupported/i.test(raw)) {
    return { summary: `onnxruntime-web cannot run an operator of this model${at}.`, hint: 'The real runs with the companion (onnxruntime on your machine) may support it.', ...where };
  }
  return { summary: `onnxruntime could not run the model with these inputs${at}.`, hint: SIZES_HINT, ...where };
}
