// One table of per-output error metrics (max abs, max rel, cosine, inf/NaN), shared by the precision panel
// (simulated and real browser runs) and the companion panel (CUDA/CPU runs). Exact values ride in data-*
// attributes for tests and copy-paste.
import type { ReactNode } from 'react';
import { formatMetric } from './format';

export interface ErrorMetricsRow {
  name: string;
  maxAbs: number;
  maxRel: number;
  cosine: number;
  nonFinite: number;
}

export function ErrorMetricsTable<Row extends ErrorMetricsRow>(props: {
  rows: readonly Row[];
  testId: string;
  className: string;
  /** Class added to the inf/NaN cell when it is not zero. */
  badClass: string;
  titles: { maxAbs: string; maxRel: string; nonFinite: string };
  extra?: { header: ReactNode; cell(row: Row): ReactNode };
}) {
  const { rows, testId, className, badClass, titles, extra } = props;
  return (
    <table className={className} data-testid={testId}>
      <thead>
        <tr>
          <th>output</th>
          <th title={titles.maxAbs}>max abs</th>
          <th title={titles.maxRel}>max rel</th>
          <th>cosine</th>
          <th title={titles.nonFinite}>inf/NaN</th>
          {extra && extra.header}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.name} data-output={row.name} data-max-abs={row.maxAbs} data-max-rel={row.maxRel} data-cosine={row.cosine} data-non-finite={row.nonFinite}>
            <td className="mono" title={row.name}>
              {row.name}
            </td>
            <td className="mono">{formatMetric(row.maxAbs)}</td>
            <td className="mono">{formatMetric(row.maxRel)}</td>
            <td className="mono">{row.cosine.toFixed(6)}</td>
            <td className={`mono${row.nonFinite ? ` ${badClass}` : ''}`}>{row.nonFinite}</td>
            {extra && extra.cell(row)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
