// The page: top bar, progress and notices, then either the start screen or the workspace (block-list
// panels | counts and graph | details).

import { useEffect } from 'react';
import { redo, undo } from './actions/recipe-edits';
import { setTheme } from './actions/theme';
import { GraphView } from './graph/GraphView';
import { CompanionPanel } from './companion/CompanionPanel';
import { CountsBar } from './panels/CountsBar';
import { DetailsPanel } from './panels/DetailsPanel';
import { ExportPanel } from './panels/ExportPanel';
import { FilePickerButton, PageDropTarget, Welcome } from './panels/OpenPanel';
import { OpTypeTable } from './panels/OpTypeTable';
import { PanelBoundary } from './panels/PanelBoundary';
import { PrecisionPanel } from './precision/PrecisionPanel';
import { RulesPanel } from './panels/RulesPanel';
import { NoticeLine, ProgressBar } from './panels/StatusViews';
import { formatBytes } from './format';
import { useApp, type SideTab } from './store';

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/** Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) undo and redo block-list edits; "/" jumps to search. */
function useGlobalKeys() {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (mod && !event.altKey && !isTextField(event.target)) {
        const key = event.key.toLowerCase();
        if (key === 'z' && !event.shiftKey) {
          event.preventDefault();
          undo();
        } else if ((key === 'z' && event.shiftKey) || key === 'y') {
          event.preventDefault();
          redo();
        }
      } else if (event.key === '/' && !isTextField(event.target)) {
        const search = document.querySelector<HTMLInputElement>('[data-testid="search"]');
        if (search) {
          event.preventDefault();
          search.focus();
        }
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

function TopBar() {
  const model = useApp((state) => state.model);
  const theme = useApp((state) => state.theme);
  const canUndo = useApp((state) => state.past.length > 0);
  const canRedo = useApp((state) => state.future.length > 0);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden />
        Castaway
      </div>
      {model && (
        <div className="file-chip" data-testid="file-chip" title={model.fileName}>
          <span>{model.fileName}</span>
          <span className="muted">{formatBytes(model.fileSize)}</span>
        </div>
      )}
      <span className="spacer" />
      <div className="toolbar">
        {model && (
          <>
            <button type="button" onClick={undo} disabled={!canUndo} title="Undo (Ctrl+Z)" data-testid="undo">
              Undo
            </button>
            <button type="button" onClick={redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
              Redo
            </button>
          </>
        )}
        <FilePickerButton />
        <button
          type="button"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          data-testid="theme-toggle"
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </div>
    </header>
  );
}

const TABS: { id: SideTab; label: string }[] = [
  { id: 'ops', label: 'Op types' },
  { id: 'rules', label: 'Rules' },
  { id: 'export', label: 'Export' },
];

/** Changes with each opened model, so a panel that failed on one model tries again on the next. */
function useModelKey(): number {
  return useApp((state) => state.model?.seq ?? 0);
}

function SidePanel() {
  const tab = useApp((state) => state.sideTab);
  const modelKey = useModelKey();
  return (
    <aside className="side">
      <div className="tabs" role="tablist">
        {TABS.map((entry) => (
          <button
            key={entry.id}
            type="button"
            role="tab"
            aria-selected={tab === entry.id}
            data-testid={`tab-${entry.id}`}
            onClick={() => useApp.setState({ sideTab: entry.id })}
          >
            {entry.label}
          </button>
        ))}
      </div>
      <div className="tab-body">
        <PanelBoundary name={`The ${TABS.find((entry) => entry.id === tab)?.label ?? ''} tab`} resetKey={`${modelKey}:${tab}`}>
          {tab === 'ops' && <OpTypeTable />}
          {tab === 'rules' && <RulesPanel />}
          {tab === 'export' && <ExportPanel />}
        </PanelBoundary>
      </div>
    </aside>
  );
}

function Workspace() {
  const modelKey = useModelKey();
  return (
    <div className="workspace">
      <SidePanel />
      <section className="center">
        <PanelBoundary name="The counts" resetKey={modelKey}>
          <CountsBar />
        </PanelBoundary>
        <PanelBoundary name="The graph" resetKey={modelKey}>
          <GraphView />
        </PanelBoundary>
      </section>
      <aside className="side right">
        <PanelBoundary name="The details panel" resetKey={modelKey}>
          <DetailsPanel />
        </PanelBoundary>
        <PanelBoundary name="The precision panel" resetKey={modelKey}>
          <PrecisionPanel />
        </PanelBoundary>
        <PanelBoundary name="The companion panel" resetKey={modelKey}>
          <CompanionPanel />
        </PanelBoundary>
      </aside>
    </div>
  );
}

export function App() {
  const theme = useApp((state) => state.theme);
  const hasModel = useApp((state) => state.model !== null);
  useGlobalKeys();
  return (
    <div className="app" data-theme={theme}>
      <TopBar />
      <ProgressBar />
      <NoticeLine />
      <PanelBoundary name="The workspace">{hasModel ? <Workspace /> : <Welcome />}</PanelBoundary>
      <PageDropTarget />
    </div>
  );
}
