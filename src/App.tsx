import { ModelInspector } from './inspect/ModelInspector.tsx';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <h1>Pakar</h1>
        <p className="tagline">Mixture-of-Experts models, running privately in your browser.</p>
      </header>
      <main>
        <ModelInspector />
      </main>
    </div>
  );
}
