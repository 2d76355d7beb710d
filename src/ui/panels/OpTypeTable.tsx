// Op types of the model with their counts and float16 kernel availability; a switch keeps one in fp32.

import { useMemo, useState } from 'react';
import type { OpTypeStat } from '../../core/index';
import { toggleOpType } from '../actions/recipe-edits';
import { formatCount } from '../format';
import { useApp } from '../store';

function sortOps(ops: readonly OpTypeStat[]): OpTypeStat[] {
  return [...ops].sort((a, b) => Number(b.float) - Number(a.float) || b.count - a.count || a.opType.localeCompare(b.opType));
}

export function OpTypeTable() {
  const opTypes = useApp((state) => state.model?.summary.opTypes);
  const blocked = useApp((state) => state.recipe.opBlockList);
  const targetEp = useApp((state) => state.recipe.targetEp);
  const low = useApp((state) => state.recipe.lowPrecision);
  const lowKernel = (row: OpTypeStat) => (low === 'bf16' ? row.bf16Kernel : row.fp16Kernel)[targetEp];
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => sortOps(opTypes ?? []), [opTypes]);
  const blockedSet = useMemo(() => new Set(blocked), [blocked]);
  const needle = filter.trim().toLowerCase();
  const shown = needle ? rows.filter((row) => row.opType.toLowerCase().includes(needle)) : rows;

  return (
    <div>
      <input
        type="search"
        className="filter"
        placeholder="Filter op types"
        aria-label="Filter op types"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      <table className="op-table" data-testid="op-table">
        <thead>
          <tr>
            <th>op type</th>
            <th className="num">nodes</th>
            <th title={`${low === 'bf16' ? 'bfloat16' : 'float16'} kernel on the target EP (${targetEp})`}>{low} kernel</th>
            <th title="Keep in fp32">fp32</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => {
            const isBlocked = blockedSet.has(row.opType);
            const key = row.domain ? `${row.domain}:${row.opType}` : row.opType;
            return (
              <tr
                key={key}
                className={`${isBlocked ? 'blocked' : ''}${row.float ? '' : ' nonfloat'}`}
                data-testid={`op-row-${row.opType}`}
                title={row.float ? undefined : 'Touches no float values: irrelevant to the block list'}
              >
                <td className="mono">
                  {row.opType}
                  {row.domain && <span className="muted"> · {row.domain}</span>}
                </td>
                <td className="num">{formatCount(row.count)}</td>
                <td className={lowKernel(row) ? 'kernel-yes' : 'kernel-no'}>{lowKernel(row) ? 'yes' : 'no'}</td>
                <td>
                  <input
                    type="checkbox"
                    className="switch"
                    checked={isBlocked}
                    aria-label={`Keep ${row.opType} in fp32`}
                    onChange={() => toggleOpType(row.opType)}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
