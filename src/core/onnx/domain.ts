// ONNX's default domain has two spellings: '' and 'ai.onnx'. Every table and every comparison in the
// engine uses '' (the one place that says so).

/** '' and 'ai.onnx' name the same default domain: both become ''. */
export function normalizeDomain(domain: string | undefined): string {
  return !domain || domain === 'ai.onnx' ? '' : domain;
}

/** A domain as messages and the app print it: the default domain by its long name, 'ai.onnx'. */
export function domainLabel(domain: string | undefined): string {
  return normalizeDomain(domain) || 'ai.onnx';
}
