// The progress bar (reading, parsing, planning, layout) and the notice line for errors and confirmations.

import { dismissNotice } from '../actions/notice';
import { useApp, type ProgressStage } from '../store';

const STEPS: { stages: ProgressStage[]; label: string }[] = [
  { stages: ['reading'], label: 'reading' },
  { stages: ['parsing', 'summarizing'], label: 'parsing' },
  { stages: ['planning'], label: 'planning' },
  { stages: ['layout'], label: 'layout' },
];

export function ProgressBar() {
  const progress = useApp((state) => state.progress);
  if (!progress) return null;
  const current = STEPS.findIndex((step) => step.stages.includes(progress.stage));
  return (
    <div className="progress" role="progressbar" aria-label={`Opening ${progress.fileName}: ${progress.stage}`} data-testid="progress" data-stage={progress.stage}>
      <span className="muted">{progress.fileName}</span>
      <div className="progress-steps">
        {STEPS.map((step, index) => {
          const active = index === current;
          const fraction = active ? progress.fraction : null;
          const className = `progress-step${index < current ? ' done' : ''}${active ? ' active' : ''}${active && fraction === null ? ' indeterminate' : ''}`;
          return (
            <div key={step.label} className={className} title={step.label}>
              <span style={fraction !== null ? { width: `${fraction * 100}%` } : undefined} />
            </div>
          );
        })}
      </div>
      <span>{STEPS[current]?.label}…</span>
    </div>
  );
}

export function NoticeLine() {
  const notice = useApp((state) => state.notice);
  if (!notice) return null;
  return (
    <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid={`notice-${notice.kind}`}>
      <div style={{ flex: 1 }}>
        <strong>{notice.title}</strong>
        <span data-testid="notice-message">{notice.message}</span>
        {notice.code && notice.code !== 'internal' && <div className="code">{notice.code}</div>}
      </div>
      <button type="button" aria-label="Dismiss" onClick={dismissNotice}>
        ×
      </button>
    </div>
  );
}
