// Compiles src/core/onnx/onnx.proto into onnx-proto.json, the protobufjs reflection root that serde/schema.ts loads
// with Root.fromJSON: the browser bundle and Node read the schema as a module, never as a file at runtime.
// Run: npx tsx scripts/gen-proto-json.ts (part of `npm run gen:tables`).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoPath = fileURLToPath(new URL('../src/core/onnx/onnx.proto', import.meta.url));
const jsonPath = fileURLToPath(new URL('../src/core/onnx/onnx-proto.json', import.meta.url));

// keepCase false: fields become camelCase (raw_data -> rawData), the names proto-types.ts declares.
const { root } = protobuf.parse(readFileSync(protoPath, 'utf8'), { keepCase: false, alternateCommentMode: false });
root.resolveAll();
writeFileSync(jsonPath, `${JSON.stringify(root.toJSON({ keepComments: false }), null, 2)}\n`);
console.log(`wrote ${jsonPath}`);
