// Catches a rendering error so the page shows what happened and a way back, never a blank screen.
import { Component, type ErrorInfo, type ReactNode } from "react";

interface ErrorBoundaryProps {
  children: ReactNode;
  /** Called by the fallback's button before drawing again, e.g. to clear a history that cannot be shown. */
  onReset?: () => void;
  /** The fallback button's text; say what it does when onReset discards something. */
  resetLabel?: string;
  /** Short name of what this boundary guards, shown in the message. */
  area?: string;
}

interface ErrorBoundaryState {
  error: Error | null;
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  state: ErrorBoundaryState = { error: null };

  static getDerivedStateFromError(error: Error): ErrorBoundaryState {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    // The console is where a developer looks; the user sees the fallback below.
    console.error("Talk 2 Tables UI error", error, info.componentStack);
  }

  private reset = () => {
    this.props.onReset?.();
    this.setState({ error: null });
  };

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="failure crash" role="alert" data-testid="crash">
        <h2 className="failure-title">Something in this page broke{this.props.area ? ` (${this.props.area})` : ""}</h2>
        <p className="failure-detail">{error.message || "An unexpected error happened while drawing the page."}</p>
        <ul className="failure-steps">
          <li>Try again; if it happens again, clear the conversation or reload the page.</li>
          <li>Please report it with what you asked: the browser console has the details.</li>
        </ul>
        <div className="dialog-actions">
          <button type="button" className="button button-primary" onClick={this.reset}>
            {this.props.resetLabel ?? "Try again"}
          </button>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        </div>
      </div>
    );
  }
}
