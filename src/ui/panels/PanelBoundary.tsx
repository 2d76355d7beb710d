// A React error boundary around one panel (or the graph): a render error in it shows a message with a
// retry in its place, and the rest of the page keeps working. Without it one throwing component unmounts
// the whole tree and the user is left with a white page and lost work.

import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What the panel is, in words ("The graph", "The details panel"). */
  name: string;
  /** When this changes (a new model), a failed panel tries again by itself. */
  resetKey?: unknown;
  children: ReactNode;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

export class PanelBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { resetKey: props.resetKey, error: null } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept in the console for a bug report: the panel itself only shows the message.
    console.error(`${this.props.name} failed`, error, info.componentStack);
  }

  private readonly retry = () => this.setState({ error: null });

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="panel-failed" role="alert" data-testid="panel-failed" data-panel={this.props.name}>
        <strong>{this.props.name} failed to draw.</strong>
        <span>The rest of the app still works; your block list is kept.</span>
        <details>
          <summary>What went wrong</summary>
          <pre>{error.message}</pre>
        </details>
        <button type="button" onClick={this.retry} data-testid="panel-retry">
          Retry
        </button>
      </div>
    );
  }
}
