// First: sets up React Fast Refresh in dev (empty in a build). The inline
// preamble the React plugin injects into index.html is refused by our CSP
// (script-src 'self'), so the dev server's console reports that one refusal.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startCorralFeed } from './state/use-corral-state';
import { ConnectFailure, connectCorral } from './transport';
import './styles.css';

const container = document.getElementById('root');
if (container === null) {
  throw new Error('index.html has no #root element');
}
const root = createRoot(container);

root.render(
  <main className="full-page" aria-busy="true">
    <h1>Corral</h1>
    <p className="muted">Connecting to Corral…</p>
  </main>,
);

connectCorral().then(
  (api) => {
    // The list is asked for now, not from the App's effects: its round trip overlaps the App's first render.
    const feed = startCorralFeed(api);
    root.render(
      <StrictMode>
        <App api={api} feed={feed} />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    // Nothing works without the host: say so in full, with what to do.
    root.render(
      <main className="full-page">
        <h1>Corral</h1>
        <div className="full-page-error" role="alert">
          <p className="full-page-error-title">{error instanceof ConnectFailure ? error.title : 'Could not connect to the Corral host.'}</p>
          <p>{error instanceof Error ? error.message : String(error)}</p>
          <button type="button" className="button" onClick={() => location.reload()}>
            Try again
          </button>
        </div>
      </main>,
    );
  },
);
