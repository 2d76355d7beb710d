// Every failure the engine reports on bad input is a CastawayError with a machine-readable code and a
// location, so the CLI can pick an exit code and the app can show "what and where" without parsing text.

export type CastawayErrorCode =
  | 'not-protobuf'      // the bytes are not a protobuf message at all
  | 'truncated'         // a length prefix runs past the end of the buffer
  | 'not-onnx'          // valid protobuf, but not an ONNX ModelProto (no graph, no opset)
  | 'empty-graph'       // a graph without nodes
  | 'dangling-input'    // a node reads a value nobody produces
  | 'cycle'             // the graph is not a DAG
  | 'unknown-op'        // an op in a standard domain that no schema defines
  | 'opset-mix'         // conflicting opset imports for one domain
  | 'absurd-dims'       // negative or overflowing tensor dims, or data that does not match them
  | 'missing-external-data' // an initializer points at a file that was not supplied
  | 'bad-recipe'        // a recipe that is not well formed
  | 'bad-inputs'        // user-supplied model inputs (.npy / JSON) that do not parse or fit the model
  | 'unsupported';      // valid ONNX the engine refuses to touch rather than risk a wrong model

export class CastawayError extends Error {
  readonly code: CastawayErrorCode;
  /** Where: a node name, value name, byte offset or file name, in words. */
  readonly where: string;

  constructor(code: CastawayErrorCode, message: string, where = '') {
    super(where ? `${message} (at ${where})` : message);
    this.name = 'CastawayError';
    this.code = code;
    this.where = where;
  }
}

export function isCastawayError(error: unknown): error is CastawayError {
  return error instanceof CastawayError;
}
