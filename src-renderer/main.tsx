// First: sets up React Fast Refresh in dev (empty in a build). The inline
// preamble the React plugin injects into index.html is refused by our CSP
// (script-src 'self'), so the dev server's console reports that one refusal.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const container = document.getElementById('root');
if (container === null) {
  throw new Error('index.html has no #root element');
}
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
