// Display helpers: numbers, bytes, ONNX element types.

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '—';
  const percent = share * 100;
  return `${percent >= 99.95 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

const ELEMENT_TYPES = [
  'undefined', 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16',
  'float64', 'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz',
  'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1', 'float8e8m0',
];

export function elementTypeName(elemType: number | undefined): string {
  if (elemType === undefined) return '?';
  return ELEMENT_TYPES[elemType] ?? `type ${elemType}`;
}

export function formatShape(shape: (number | string)[] | undefined): string {
  if (!shape) return '';
  return `[${shape.join(', ')}]`;
}

/** A metric as shown: 3 significant digits, exponent form outside [1e-3, 1e4), '∞' and '—' spelled out. */
export function formatMetric(value: number, digits = 3): string {
  if (value === Infinity) return '∞';
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? value.toPrecision(digits) : value.toExponential(digits - 1);
}
